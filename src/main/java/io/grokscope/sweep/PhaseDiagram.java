package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * A sweep's grid over two of its axes, after Liu et al. (2022)'s phase diagrams: one row per value of {@code y}, one
 * cell per value of {@code x}, each with the verdict of its runs and, for a numeric {@code value}, its statistic.
 *
 * @param filters    axis path → the value other axes were fixed at ({@code where})
 * @param pooledAxes axes with several values that are neither x, y nor fixed: their runs are pooled into each cell
 */
@Schema(description = "A phase diagram: rows over y, cells over x, each with its verdict (and statistic for a numeric"
        + " value); runs of axes neither plotted nor fixed are pooled.")
public record PhaseDiagram(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long sweepId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = { "verdict", "generalizationStep", "grokkingDelay" }) String value,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) SweepAxis x,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) SweepAxis y,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalPropertiesSchema = AxisValueSchema.class)
        Map<String, Object> filters,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<String> pooledAxes,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Row> rows) {

    /** The cells at one value of y, in the order of x's values. */
    @Schema(name = "PhaseDiagramRow", description = "The cells at one value of y, in the order of x's values.")
    public record Row(
            @Schema(implementation = AxisValueSchema.class) Object y,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Cell> cells) {
    }

    /**
     * One cell.
     *
     * @param verdict   the most common verdict of its counted runs; null before any finished
     * @param statistic the value's statistic over the runs; null when the value is the verdict
     */
    @Schema(name = "PhaseDiagramCell", description = "One cell: the verdict of its runs with the counts, and the"
            + " value's statistic when the value is a number.")
    public record Cell(
            @Schema(implementation = AxisValueSchema.class) Object x,
            @Schema(nullable = true, allowableValues = { "CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION" })
            String verdict,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Map<String, Integer> verdictCounts,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) boolean unanimous,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int pending,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int excluded,
            @Schema(description = "null when the value shown is the verdict") RunStatistic statistic,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Long> experimentIds) {
    }
}
