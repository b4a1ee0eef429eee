package io.grokscope.sweep;

import io.grokscope.database.JobStatus;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One experiment of a sweep cell.
 *
 * @param seed the repetition's seed; null when the sweep gives no seeds
 */
@Schema(description = "One experiment of a cell: its seed, status, verdict and headline numbers.")
public record SweepRun(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long experimentId,
        @Schema(nullable = true) Long seed,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) JobStatus status,
        @Schema(nullable = true, allowableValues = { "RUNNING", "CONFUSION", "MEMORIZATION", "GROKKING",
                "COMPREHENSION" }) String verdict,
        @Schema(nullable = true) Long generalizationStep,
        @Schema(nullable = true) Long grokkingDelay,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long step,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long totalSteps) {
}
