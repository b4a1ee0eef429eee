package io.grokscope.training;

/**
 * What one evaluation step measured. Losses and accuracies are over the whole train and test splits.
 *
 * @param step          updates done so far (0 = before the first update)
 * @param weightNorm    sqrt of the sum of squares of all parameters
 * @param embedNorm     sqrt of the sum of squares of the token embedding
 * @param gradNorm      norm of the last update's raw gradient, before any filter (NaN at step 0)
 * @param learningRate  the learning rate of the last update (NaN at step 0)
 */
public record StepMetrics(long step, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
        double weightNorm, double embedNorm, double gradNorm, double learningRate) {
}
