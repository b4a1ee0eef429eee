package io.grokscope.experiment;

import io.grokscope.database.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * An experiment as the API shows it.
 *
 * @param spec               the complete spec (defaults filled in), as stored
 * @param attempt            how many times a worker has started it (resumes after a crash count)
 * @param worker             the instance and worker slot running it, while it runs
 * @param verdict            the analysis verdict so far; RUNNING while it trains, null before
 * @param generalizationStep from the analysis, when known
 * @param grokkingDelay      from the analysis, when known
 * @param tags               the researcher's labels, sorted (empty when none)
 * @param note               the researcher's free-text note, or null
 * @param stopReason         why the run ended before its budget ({@code analysis.stopWhenSettled}), else null
 * @param settledAt          the step from which its analysis could no longer change, when it stopped early
 * @param stepsSaved         the steps of its budget it did not train, when it stopped early
 */
@Schema(description = "An experiment: its complete spec, status, progress and headline analysis.")
public record ExperimentView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) JobStatus status,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) ExperimentSpec spec,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Progress progress,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int attempt,
        @Schema(nullable = true) String worker,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(nullable = true) Instant startedAt,
        @Schema(nullable = true) Instant finishedAt,
        @Schema(nullable = true) String error,
        @Schema(nullable = true, allowableValues = { "RUNNING", "CONFUSION", "MEMORIZATION", "GROKKING",
                "COMPREHENSION" }) String verdict,
        @Schema(nullable = true) Long generalizationStep,
        @Schema(nullable = true) Long grokkingDelay,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<String> tags,
        @Schema(nullable = true) String note,
        @Schema(nullable = true) String stopReason,
        @Schema(nullable = true) Long settledAt,
        @Schema(nullable = true) Long stepsSaved) {

    /**
     * Training progress.
     *
     * @param stepsPerSecond recent training speed; null until measured
     * @param etaSeconds     estimated seconds to the end at that speed; null when unknown or finished
     */
    @Schema(description = "Training progress: steps done, speed and estimated time to completion.")
    public record Progress(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long step,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long totalSteps, @Schema(nullable = true) Double stepsPerSecond,
            @Schema(nullable = true) Long etaSeconds) {
    }
}
