package io.grokscope.sweep;

import io.grokscope.experiment.ExperimentSpec;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * A sweep: what was submitted, how far it is, and each cell with its runs.
 *
 * @param base  the base spec as submitted (each experiment holds its complete spec)
 * @param seeds null when the sweep gives no seeds
 */
@Schema(description = "A sweep: its base spec, axes and seeds, progress, and every cell with its runs.")
public record SweepView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) ExperimentSpec base,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SweepAxis> axes,
        @ArraySchema(arraySchema = @Schema(nullable = true)) List<Long> seeds,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) SweepProgress progress,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SweepCell> cells) {
}
