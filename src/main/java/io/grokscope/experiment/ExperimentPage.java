package io.grokscope.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of experiments, newest first. {@code page} is 0-based. */
@Schema(description = "One page of experiments, newest first; page is 0-based.")
public record ExperimentPage(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<ExperimentView> items,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int page,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int size,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long totalItems,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int totalPages) {
}
