package io.grokscope.training;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.task.Operation;
import java.util.List;
import java.util.Optional;

/**
 * The compatibility rule for batched runs: runs with equal keys can train together as lanes of one
 * {@link BatchedTrainer} batch; runs with different keys cannot.
 *
 * <p>What the key holds is what the lanes must share because one batched computation serves them all: the task's
 * table (operation, modulus, expression, train fraction: hence the element count and the train and test sizes), the
 * MLP's shape (embedding width, hidden widths, activation, input encoding), the batch size (so that every lane's
 * minibatch has the same number of rows at the same step) and the loss (one loss kernel per step).
 *
 * <p>What it leaves out is free per lane, because each lane keeps its own copy: the task's split seed (each lane
 * gathers its own rows), the training seed (initialisation and minibatch order), the init scale, the whole optimizer
 * (type, learning rate, weight decay, betas, epsilon, momentum, warm-up) and the gradient filter (each lane has its
 * own optimizer and filter state), the step budget, the evaluation, checkpoint and progress-measure cadences.
 *
 * <p>Transformers have no key: they are not batched.
 */
public record BatchKey(Operation operation, int modulus, String expression, double trainFraction, int embedDim,
        List<Integer> hiddenDims, Activation activation, InputEncoding inputEncoding, Integer batchSize, Loss loss) {

    /** The key of {@code config}, or empty when it cannot be batched (not an MLP). */
    public static Optional<BatchKey> of(RunConfig config) {
        if (!(config.model() instanceof MlpSpec mlp)) {
            return Optional.empty();
        }
        var task = config.task();
        // The modulus and the embedding width mean nothing for S5 and one-hot inputs: normalised so that they do not
        // split otherwise equal runs.
        int modulus = task.operation().isPermutationGroup() ? 0 : task.modulus();
        int embed = mlp.inputEncoding() == InputEncoding.ONE_HOT ? 0 : mlp.embedDim();
        return Optional.of(new BatchKey(task.operation(), modulus, task.expression(), task.trainFraction(), embed,
                mlp.hiddenDims(), mlp.activation(), mlp.inputEncoding(), config.training().batchSize(),
                config.training().loss()));
    }

    /**
     * The key as stored with a queued run ({@code experiment.batch_key}): equal keys, equal text. Field by field with
     * explicit separators rather than {@code toString()}, so that renaming a component does not silently split a
     * queue written by an older version from the one a newer version writes.
     */
    public String canonical() {
        return "v1|" + operation + "|" + modulus + "|" + (expression == null ? "" : expression) + "|"
                + Double.toString(trainFraction) + "|" + embedDim + "|" + hiddenDims + "|" + activation + "|"
                + inputEncoding + "|" + (batchSize == null ? "full" : batchSize) + "|" + loss;
    }

    /** Whether {@code a} and {@code b} can be lanes of one batch. */
    public static boolean compatible(RunConfig a, RunConfig b) {
        Optional<BatchKey> key = of(a);
        return key.isPresent() && key.equals(of(b));
    }
}
