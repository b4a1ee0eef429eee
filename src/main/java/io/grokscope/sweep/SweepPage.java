package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of sweeps, newest first. {@code page} is 0-based. */
@Schema(description = "One page of sweeps, newest first; page is 0-based.")
public record SweepPage(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SweepOverview> items,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int page,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int size,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long totalItems,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int totalPages) {
}
