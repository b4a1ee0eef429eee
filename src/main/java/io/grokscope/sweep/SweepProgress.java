package io.grokscope.sweep;

import io.grokscope.database.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * How far a sweep is: its experiments by status; {@code done} counts those that have ended (succeeded, failed or
 * cancelled); and the compute its runs saved by stopping once settled.
 */
@Schema(description = "A sweep's experiments by status; done = succeeded + failed + cancelled; and the compute its runs saved by"
        + " stopping once settled.")
public record SweepProgress(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int total,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int done,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int queued,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int running,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int succeeded,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int failed,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int cancelled,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "The step budgets of the sweep's runs, summed.") long stepsBudgeted,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "Steps its runs did not train because they stopped once settled"
                        + " (analysis.stopWhenSettled), summed.") long stepsSaved) {

    static SweepProgress of(java.util.Map<JobStatus, Integer> byStatus, long stepsBudgeted, long stepsSaved) {
        int queued = byStatus.getOrDefault(JobStatus.QUEUED, 0);
        int running = byStatus.getOrDefault(JobStatus.RUNNING, 0);
        int succeeded = byStatus.getOrDefault(JobStatus.SUCCEEDED, 0);
        int failed = byStatus.getOrDefault(JobStatus.FAILED, 0);
        int cancelled = byStatus.getOrDefault(JobStatus.CANCELLED, 0);
        return new SweepProgress(queued + running + succeeded + failed + cancelled, succeeded + failed + cancelled,
                queued, running, succeeded, failed, cancelled, stepsBudgeted, stepsSaved);
    }
}
