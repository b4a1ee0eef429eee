package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Model;
import io.grokscope.model.Models;
import io.grokscope.model.SeededRandom;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop on ND4J (CPU): one thread, one model, full-batch or minibatch updates, with everything mutable
 * created inside {@link #run} so that concurrent runs share nothing.
 *
 * <h2>One update</h2>
 * sample a batch → {@link Model#lossAndGradients} → measure the raw gradient's norm → gradient filter (Grokfast) →
 * optimizer step with {@link OptimizerSpec#learningRateAt}{@code (step)}. Weight decay is the optimizer's.
 *
 * <h2>What the listener sees, and when</h2>
 * <ul>
 *   <li>{@code onEvaluation}: at step 0, every {@code evalEvery} steps and at the last step — loss and accuracy on
 *       the whole train and test splits, weight and embedding norms, and the last update's gradient norm and
 *       learning rate;</li>
 *   <li>{@code onProgressMeasures}: at step 0, every {@code progressMeasuresEvery} steps and at the last step (never
 *       when it is 0);</li>
 *   <li>{@code onStep}: after every update;</li>
 *   <li>{@code onCheckpoint}: every {@code checkpointEvery} steps, at the last step, and when a stop is requested.</li>
 * </ul>
 * A resumed run emits nothing for the checkpoint's own step (the interrupted run already did); every later callback
 * is bit-identical to the uninterrupted run's.
 *
 * <h2>Seeds</h2>
 * The training seed feeds two independent {@link SeededRandom} streams: stream 1 initialises the model, stream 2
 * orders the minibatches, so a different batch size does not change the initial weights. The task's own seed fixes
 * the split. Reproducibility is bit for bit at a fixed BLAS thread count: the matrix products are the only reductions
 * whose order is not fixed in this code.
 */
public final class Nd4jTrainer implements Trainer {

    private static final long INIT_STREAM = 1;
    private static final long SAMPLING_STREAM = 2;

    private final Function<TaskSpec, TaskData> tasks;
    private final DataType dataType;

    /** Trains in FP32 on tables from {@link AlgorithmicTask#generate}. */
    public Nd4jTrainer() {
        this(AlgorithmicTask::generate, DataType.FLOAT);
    }

    /**
     * @param tasks    builds the task's table and split from its spec (tests pass small fixtures)
     * @param dataType {@link DataType#FLOAT} (production) or {@link DataType#DOUBLE}; checkpoints store FP32, so only
     *                 FP32 runs resume bit for bit
     */
    public Nd4jTrainer(Function<TaskSpec, TaskData> tasks, DataType dataType) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.dataType = Objects.requireNonNull(dataType, "dataType");
    }

    /** The precision it trains in (recorded with each run's provenance). */
    public DataType dataType() {
        return dataType;
    }

    @Override
    public TrainingOutcome run(RunConfig config, Checkpoint resumeFrom, TrainingListener listener, StopSignal stop) {
        Objects.requireNonNull(config, "config");
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        StopSignal stopSignal = stop == null ? StopSignal.NEVER : stop;
        TaskData data = tasks.apply(config.task());
        return new Run(config, data, events, stopSignal).execute(resumeFrom);
    }

    /** The mutable state of one call to {@link #run}. */
    private final class Run {
        private final RunConfig config;
        private final TrainingSpec training;
        private final TaskData data;
        private final TrainingListener listener;
        private final StopSignal stop;
        private final Model model;
        private final Optimizer optimizer;
        private final GradientFilter filter;
        private final MinibatchSampler sampler;
        private final HostView gradients;
        private final HostView values;
        private double lastGradNorm = Double.NaN;
        private double lastLearningRate = Double.NaN;

        Run(RunConfig config, TaskData data, TrainingListener listener, StopSignal stop) {
            this.config = config;
            this.training = config.training();
            this.data = data;
            this.listener = listener;
            this.stop = stop;
            long seed = training.seed();
            this.model = Models.create(config.model(), data.elements(), dataType,
                    SeededRandom.stream(seed, INIT_STREAM).nextLong());
            this.optimizer = Optimizer.create(config.optimizer(), model.parameters());
            this.filter = GradientFilter.create(config.optimizer().gradientFilter(), model.parameters());
            this.sampler = new MinibatchSampler(data.train(), training.batchSize(),
                    SeededRandom.stream(seed, SAMPLING_STREAM).nextLong());
            this.gradients = HostView.of(model.parameters().gradients());
            this.values = HostView.of(model.parameters().values());
        }

        TrainingOutcome execute(Checkpoint resumeFrom) {
            long step = 0;
            StepMetrics last = null;
            if (resumeFrom != null) {
                restore(resumeFrom);
                step = resumeFrom.step();
            } else {
                last = evaluate(0);
                if (config.progressMeasuresEvery() > 0) {
                    listener.onProgressMeasures(0, model, data);
                }
            }
            long steps = training.steps();
            long lastCheckpoint = step;
            while (step < steps) {
                if (stop.stopRequested()) {
                    // No extra evaluation here: a stop must be quick (a shutdown has a deadline), and the curve keeps
                    // its cadence; the resumed run evaluates where the uninterrupted one would.
                    if (lastCheckpoint != step) {
                        listener.onCheckpoint(checkpoint(step));
                    }
                    return new TrainingOutcome(step, false, last);
                }
                update(step + 1);
                step++;
                listener.onStep(step);
                boolean end = step == steps;
                if (end || step % training.evalEvery() == 0) {
                    last = evaluate(step);
                }
                int measures = config.progressMeasuresEvery();
                if (measures > 0 && (end || step % measures == 0)) {
                    listener.onProgressMeasures(step, model, data);
                }
                if (end || step % training.checkpointEvery() == 0) {
                    listener.onCheckpoint(checkpoint(step));
                    lastCheckpoint = step;
                }
            }
            if (last == null) { // resumed at the very end
                last = evaluate(step);
            }
            return new TrainingOutcome(step, true, last);
        }

        private void update(long step) {
            model.lossAndGradients(sampler.next(), training.loss());
            lastGradNorm = Math.sqrt(gradients.sumOfSquares());
            filter.apply(gradients);
            lastLearningRate = config.optimizer().learningRateAt(step);
            optimizer.step(step, lastLearningRate);
        }

        private StepMetrics evaluate(long step) {
            Model.Evaluation train = model.evaluate(data.train(), training.loss());
            Model.Evaluation test = model.evaluate(data.test(), training.loss());
            StepMetrics metrics = new StepMetrics(step, train.loss(), train.accuracy(), test.loss(), test.accuracy(),
                    Math.sqrt(values.sumOfSquares()), Math.sqrt(TrainingState.sumOfSquares(model.tokenEmbedding())), lastGradNorm,
                    lastLearningRate);
            listener.onEvaluation(metrics);
            return metrics;
        }

        private Checkpoint checkpoint(long step) {
            return TrainingState.capture(step, model, optimizer, filter, sampler);
        }

        private void restore(Checkpoint checkpoint) {
            TrainingState.restore(checkpoint, training.steps(), model, optimizer, filter, sampler);
        }
    }

}
