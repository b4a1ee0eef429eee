package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A headline number (generalization step or grokking delay) over the runs of a cell or a point: of the {@code n}
 * finished runs, {@code reached} have it and {@code censored} never got there within their budget. The mean and spread
 * are over the runs that reached it, so with censored runs they understate the true value (Power et al. report a
 * median over seeds for the same reason).
 *
 * @param standardDeviation the sample standard deviation (n − 1); null below two values
 */
@Schema(description = "A headline number over finished runs: how many reached it, how many never did (censored),"
        + " and mean, sample standard deviation, min, max and median over those that did.")
public record RunStatistic(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int n,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int reached,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int censored,
        @Schema(nullable = true) Double mean,
        @Schema(nullable = true) Double standardDeviation,
        @Schema(nullable = true) Double min,
        @Schema(nullable = true) Double max,
        @Schema(nullable = true) Double median) {

    /** The statistic of these values, one per finished run; null marks a run that never reached it. */
    static RunStatistic of(List<Long> values) {
        double[] reached = values.stream().filter(Objects::nonNull).mapToDouble(Long::doubleValue).sorted().toArray();
        int n = values.size();
        if (reached.length == 0) {
            return new RunStatistic(n, 0, n, null, null, null, null, null);
        }
        double mean = Arrays.stream(reached).sum() / reached.length;
        Double deviation = null;
        if (reached.length > 1) {
            double squares = Arrays.stream(reached).map(v -> (v - mean) * (v - mean)).sum();
            deviation = Math.sqrt(squares / (reached.length - 1));
        }
        int middle = reached.length / 2;
        double median = reached.length % 2 == 1 ? reached[middle] : (reached[middle - 1] + reached[middle]) / 2;
        return new RunStatistic(n, reached.length, n - reached.length, mean, deviation, reached[0],
                reached[reached.length - 1], median);
    }
}
