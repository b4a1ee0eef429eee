package io.grokscope.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of experiments, newest first. {@code page} is 0-based. */
@Schema(description = "One page of experiments, newest first; page is 0-based.")
public record ExperimentPage(List<ExperimentView> items, int page, int size, long totalItems, int totalPages) {
}
