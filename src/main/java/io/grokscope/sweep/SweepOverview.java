package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** A sweep in a list: what it varies and how far it is, without its cells. */
@Schema(description = "A sweep in a list: its axes, seeds and progress.")
public record SweepOverview(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SweepAxis> axes,
        @ArraySchema(arraySchema = @Schema(nullable = true)) List<Long> seeds,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) SweepProgress progress) {
}
