package io.grokscope.training;

/**
 * How a call to {@link Trainer#run} ended.
 *
 * @param lastStep  updates done when it returned
 * @param completed true when the budget was exhausted, false when it stopped on request
 * @param last      the metrics of the last evaluation of this call; null when it stopped on request before any
 */
public record TrainingOutcome(long lastStep, boolean completed, StepMetrics last) {
}
