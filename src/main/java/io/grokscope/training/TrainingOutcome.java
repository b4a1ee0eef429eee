package io.grokscope.training;

/**
 * How a call to {@link Trainer#run} ended.
 *
 * @param lastStep  updates done when it returned
 * @param completed true when the budget was exhausted, false when it stopped on request
 * @param last      the metrics of the last evaluation
 */
public record TrainingOutcome(long lastStep, boolean completed, StepMetrics last) {
}
