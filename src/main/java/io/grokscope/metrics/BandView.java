package io.grokscope.metrics;

import io.grokscope.analysis.SeedBand;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link SeedBand} as JSON: parallel arrays, one entry per grid step; null where no value is defined (a standard
 * deviation of fewer than two runs, or a step no run covers).
 */
@Schema(name = "SeedBand", requiredProperties = { "steps", "mean", "standardDeviation", "min", "max", "n" },
        description = "A metric over repeated runs on one step grid: per step the mean, sample"
        + " standard deviation (null below two runs), min, max and how many runs cover it (n). Runs are interpolated"
        + " linearly between their own points and never extrapolated past them.")
public record BandView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Long> steps,
        @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true)) List<Double> mean,
        @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true)) List<Double> standardDeviation,
        @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true)) List<Double> min,
        @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true)) List<Double> max,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Integer> n) {

    public static BandView of(SeedBand band) {
        return new BandView(Arrays.stream(band.steps()).boxed().toList(), finite(band.mean()),
                finite(band.standardDeviation()), finite(band.min()), finite(band.max()),
                Arrays.stream(band.n()).boxed().toList());
    }

    private static List<Double> finite(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(Double.isFinite(value) ? value : null);
        }
        return list;
    }
}
