package io.grokscope.training;

/**
 * Optimizer hyperparameters.
 *
 * @param type           the update rule
 * @param learningRate   peak learning rate, reached after warm-up
 * @param weightDecay    decoupled (ADAMW) or L2 (ADAM, SGD) weight decay
 * @param beta1          Adam's first-moment decay
 * @param beta2          Adam's second-moment decay
 * @param epsilon        Adam's denominator guard
 * @param momentum       SGD momentum
 * @param warmupSteps    linear warm-up: step t (1-based) uses lr * min(1, t / warmupSteps); never 0
 * @param gradientFilter a Grokfast filter, or null for none
 */
public record OptimizerSpec(OptimizerType type, double learningRate, double weightDecay, double beta1, double beta2,
        double epsilon, double momentum, int warmupSteps, GradientFilterSpec gradientFilter) {

    public OptimizerSpec {
        if (type == null) {
            throw new IllegalArgumentException("type is required");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1)");
        }
        if (!(epsilon > 0) || !(momentum >= 0 && momentum < 1) || warmupSteps < 0) {
            throw new IllegalArgumentException("epsilon > 0, momentum in [0, 1) and warmupSteps >= 0 are required");
        }
    }

    /** The learning rate of update number {@code step} (1-based): linear warm-up, then constant. */
    public double learningRateAt(long step) {
        if (warmupSteps == 0 || step >= warmupSteps) {
            return learningRate;
        }
        return learningRate * Math.max(step, 1) / warmupSteps;
    }

    /** AdamW as in Nanda et al. (2023): lr 1e-3, weight decay 1, betas (0.9, 0.98), 10 warm-up steps. */
    public static OptimizerSpec nanda() {
        return new OptimizerSpec(OptimizerType.ADAMW, 1e-3, 1.0, 0.9, 0.98, 1e-8, 0.0, 10, null);
    }
}
