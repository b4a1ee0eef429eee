package io.grokscope.sweep;

import io.grokscope.analysis.Metric;
import io.grokscope.metrics.BandView;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * Seed bands of one metric over a sweep: per cell (or per value of {@code x}), the mean, spread and range of the
 * metric over its seeds on one step grid.
 *
 * @param x          the axis the groups follow; null when each group is one cell
 * @param filters    axis path → the value other axes were fixed at ({@code where})
 * @param pooledAxes with x: axes with several values that are neither x nor fixed, whose runs are pooled
 */
@Schema(description = "Seed bands of one metric over a sweep: per cell (or per value of x, pooling the other axes),"
        + " the metric's mean, sample standard deviation, min and max over its runs on one step grid.")
public record SweepBands(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long sweepId,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Metric metric,
        @Schema(nullable = true) String x,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalPropertiesSchema = AxisValueSchema.class)
        Map<String, Object> filters,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<String> pooledAxes,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Group> groups) {

    /** One band: the axis values that define its runs, the runs, and the band over them. */
    @Schema(name = "SweepBandGroup", description = "The runs of one cell (or one value of x) and their band.")
    public record Group(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalPropertiesSchema = AxisValueSchema.class)
            Map<String, Object> values,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Long> experimentIds,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) BandView band) {
    }
}
