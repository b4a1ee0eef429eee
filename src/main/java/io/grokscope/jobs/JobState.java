package io.grokscope.jobs;

import io.grokscope.database.JobStatus;
import java.time.Instant;

/**
 * A run as the job pool reports it: the researcher-visible part of its {@code job} row (V10), which the experiment
 * views show beside the researcher's own record.
 *
 * @param status             where the run is in its life
 * @param attempt            how many times it was claimed (0 before its first start)
 * @param worker             the instance and slot running it, while it runs
 * @param progressStep       the last step a heartbeat or the end reported
 * @param stepsPerSecond     the training speed the last heartbeat measured, while it runs
 * @param startedAt          the first claim
 * @param finishedAt         when it reached its terminal status
 * @param error              why an attempt failed (kept when a later one succeeds)
 * @param verdict            the analysis headline written when it finished, null before
 * @param generalizationStep from the same headline
 * @param grokkingDelay      from the same headline
 * @param stopReason         why it ended before its budget ({@code analysis.stopWhenSettled}), else null
 * @param settledAt          the step from which its analysis could no longer change, when it stopped early
 * @param stepsSaved         the steps of its budget it did not train, when it stopped early
 */
public record JobState(long experimentId, JobStatus status, int attempt, String worker, long progressStep,
        Double stepsPerSecond, Instant startedAt, Instant finishedAt, String error, String verdict,
        Long generalizationStep, Long grokkingDelay, String stopReason, Long settledAt, Long stepsSaved) {
}
