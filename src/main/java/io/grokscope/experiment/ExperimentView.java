package io.grokscope.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * An experiment as the API shows it.
 *
 * @param spec               the complete spec (defaults filled in), as stored
 * @param attempt            how many times a worker has started it (resumes after a crash count)
 * @param worker             the instance and worker slot running it, while it runs
 * @param verdict            the analysis verdict so far; RUNNING while it trains, null before
 * @param generalizationStep from the analysis, when known
 * @param grokkingDelay      from the analysis, when known
 */
@Schema(description = "An experiment: its complete spec, status, progress and headline analysis.")
public record ExperimentView(
        long id,
        String name,
        ExperimentStatus status,
        ExperimentSpec spec,
        Progress progress,
        int attempt,
        @Schema(nullable = true) String worker,
        Instant createdAt,
        @Schema(nullable = true) Instant startedAt,
        @Schema(nullable = true) Instant finishedAt,
        @Schema(nullable = true) String error,
        @Schema(nullable = true, allowableValues = { "RUNNING", "CONFUSION", "MEMORIZATION", "GROKKING",
                "COMPREHENSION" }) String verdict,
        @Schema(nullable = true) Long generalizationStep,
        @Schema(nullable = true) Long grokkingDelay) {

    /**
     * Training progress.
     *
     * @param stepsPerSecond recent training speed; null until measured
     * @param etaSeconds     estimated seconds to the end at that speed; null when unknown or finished
     */
    @Schema(description = "Training progress: steps done, speed and estimated time to completion.")
    public record Progress(long step, long totalSteps, @Schema(nullable = true) Double stepsPerSecond,
            @Schema(nullable = true) Long etaSeconds) {
    }
}
