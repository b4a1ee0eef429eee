package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * A headline number over one axis with its spread over seeds, as in Power et al. (2022)'s steps to generalize
 * against the training fraction.
 *
 * @param filters    axis path → the value other axes were fixed at ({@code where})
 * @param pooledAxes axes with several values that are neither x nor fixed: their runs are pooled into each point
 */
@Schema(description = "A series over one axis: per value, the statistic of a headline number over the seeds (and"
        + " pooled axes), with censored runs counted.")
public record SweepSeries(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long sweepId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String x,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                allowableValues = { "generalizationStep", "grokkingDelay" }) String value,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalPropertiesSchema = AxisValueSchema.class)
        Map<String, Object> filters,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<String> pooledAxes,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Point> points) {

    /** The runs at one value of x. */
    @Schema(name = "SweepSeriesPoint", description = "The runs at one value of x: their statistic and verdicts.")
    public record Point(
            @Schema(implementation = AxisValueSchema.class) Object x,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) RunStatistic statistic,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Map<String, Integer> verdictCounts,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int pending,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int excluded) {
    }
}
