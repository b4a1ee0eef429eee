package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * A metric's spread over repeated runs (seeds) on one step grid: at each grid step, the mean, the sample standard
 * deviation (n − 1), the min and the max over the runs that cover that step, and how many did ({@code n}).
 *
 * <p>The grid is the union of the runs' recorded steps when that has at most {@code maxPoints} steps (runs of one sweep
 * share their evaluation steps, so nothing is interpolated), else {@code maxPoints} evenly spaced steps from the
 * earliest to the latest recorded step. A run contributes at a grid step only inside its own recorded range, by linear
 * interpolation between its two neighbouring points; it is never extrapolated, so a run that stopped early (or is still
 * training) leaves the band there and {@code n} drops. Non-finite values (a diverged loss) are left out likewise.
 *
 * @param standardDeviation NaN where fewer than two runs cover the step
 */
public record SeedBand(long[] steps, double[] mean, double[] standardDeviation, double[] min, double[] max, int[] n) {

    /** The band of these runs' series (empty ones are ignored) on a grid of at most {@code maxPoints} steps. */
    public static SeedBand of(List<MetricSeries> runs, int maxPoints) {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("a band needs at least 2 points, asked for " + maxPoints);
        }
        List<MetricSeries> covered = runs.stream().filter(run -> !run.isEmpty()).toList();
        long[] grid = grid(covered, maxPoints);
        int size = grid.length;
        double[] mean = new double[size];
        double[] deviation = new double[size];
        double[] min = new double[size];
        double[] max = new double[size];
        int[] n = new int[size];
        double[] values = new double[covered.size()];
        for (int i = 0; i < size; i++) {
            int count = 0;
            for (MetricSeries run : covered) {
                double value = valueAt(run, grid[i]);
                if (Double.isFinite(value)) {
                    values[count++] = value;
                }
            }
            n[i] = count;
            if (count == 0) {
                mean[i] = deviation[i] = min[i] = max[i] = Double.NaN;
                continue;
            }
            double sum = 0;
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < count; k++) {
                sum += values[k];
                low = Math.min(low, values[k]);
                high = Math.max(high, values[k]);
            }
            double average = sum / count;
            double squares = 0;
            for (int k = 0; k < count; k++) {
                squares += (values[k] - average) * (values[k] - average);
            }
            mean[i] = average;
            deviation[i] = count > 1 ? Math.sqrt(squares / (count - 1)) : Double.NaN;
            min[i] = low;
            max[i] = high;
        }
        return new SeedBand(grid, mean, deviation, min, max, n);
    }

    private static long[] grid(List<MetricSeries> runs, int maxPoints) {
        TreeSet<Long> union = new TreeSet<>();
        for (MetricSeries run : runs) {
            for (long step : run.steps()) {
                union.add(step);
                if (union.size() > maxPoints) {
                    return evenlySpaced(runs, maxPoints);
                }
            }
        }
        return union.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] evenlySpaced(List<MetricSeries> runs, int points) {
        long first = runs.stream().mapToLong(run -> run.step(0)).min().orElseThrow();
        long last = runs.stream().mapToLong(run -> run.step(run.size() - 1)).max().orElseThrow();
        List<Long> grid = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            long step = first + Math.round((double) (last - first) * i / (points - 1));
            if (grid.isEmpty() || grid.get(grid.size() - 1) != step) {
                grid.add(step);
            }
        }
        return grid.stream().mapToLong(Long::longValue).toArray();
    }

    /** The run's value at {@code step} by linear interpolation; NaN outside its recorded range. */
    static double valueAt(MetricSeries run, long step) {
        long[] steps = run.steps();
        int found = Arrays.binarySearch(steps, step);
        if (found >= 0) {
            return run.value(found);
        }
        int after = -found - 1;
        if (after == 0 || after == steps.length) {
            return Double.NaN;
        }
        long s0 = steps[after - 1];
        long s1 = steps[after];
        double v0 = run.value(after - 1);
        double v1 = run.value(after);
        return v0 + (v1 - v0) * (step - s0) / (double) (s1 - s0);
    }

    public int size() {
        return steps.length;
    }
}
