package io.grokscope.jobs;

import io.grokscope.database.JobStatus;

/**
 * Published after a job's final state is committed (SUCCEEDED, FAILED or CANCELLED), so features that summarise a
 * run (the analysis headline on the experiment) react without the job pool knowing them.
 */
public record RunFinished(long experimentId, JobStatus status) {
}
