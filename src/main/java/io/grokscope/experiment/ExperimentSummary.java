package io.grokscope.experiment;

import io.grokscope.database.JobStatus;

/**
 * The few fields of an experiment that a collection of runs (a sweep) reports per run: where it is and what its
 * analysis concluded, without its spec.
 *
 * @param verdict            the verdict written when the run finished; RUNNING while it trains, null before
 * @param generalizationStep from the analysis of the finished run, null when test accuracy never stayed up
 * @param grokkingDelay      from the analysis of the finished run, null when either milestone is missing
 * @param stepsSaved         the steps of its budget it did not need ({@code analysis.stopWhenSettled}), else null
 */
public record ExperimentSummary(long id, JobStatus status, String verdict, Long generalizationStep,
        Long grokkingDelay, long step, long totalSteps, Long stepsSaved) {
}
