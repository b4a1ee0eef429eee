package io.grokscope.analysis;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metric's recorded values in step order: the input of {@link PhaseAnalyzer}, and the shape of a series in the
 * API ({@code name}, {@code steps}, {@code values}).
 *
 * <p>Steps are strictly increasing. Values may be NaN or infinite (a gradient norm at step 0, a diverged loss); the
 * analysis skips such points rather than the whole series. The arrays are copied in and out, so a series is immutable
 * and equal to another with the same contents.
 *
 * @param name   the metric
 * @param steps  the steps at which it was recorded, strictly increasing
 * @param values the value at each step
 */
public record MetricSeries(Metric name, long[] steps, double[] values) {

    public MetricSeries {
        Objects.requireNonNull(name, "name");
        steps = steps.clone();
        values = values.clone();
        if (steps.length != values.length) {
            throw new IllegalArgumentException(name.wireName() + ": " + steps.length + " steps but " + values.length
                    + " values");
        }
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] <= steps[i - 1]) {
                throw new IllegalArgumentException(name.wireName() + ": steps must be strictly increasing, step "
                        + steps[i] + " follows " + steps[i - 1]);
            }
        }
    }

    /** A series from parallel arrays. */
    public static MetricSeries of(Metric name, long[] steps, double[] values) {
        return new MetricSeries(name, steps, values);
    }

    @Override
    public long[] steps() {
        return steps.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    public int size() {
        return steps.length;
    }

    public boolean isEmpty() {
        return steps.length == 0;
    }

    public long step(int index) {
        return steps[index];
    }

    public double value(int index) {
        return values[index];
    }

    /** The index of the recorded step nearest to {@code step} (the earlier one on a tie); the series is non-empty. */
    public int nearestIndex(long step) {
        int found = Arrays.binarySearch(steps, step);
        if (found >= 0) {
            return found;
        }
        int after = -found - 1;
        if (after == 0) {
            return 0;
        }
        if (after == steps.length) {
            return steps.length - 1;
        }
        return step - steps[after - 1] <= steps[after] - step ? after - 1 : after;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MetricSeries that && name == that.name && Arrays.equals(steps, that.steps)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(steps)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "MetricSeries[" + name.wireName() + ", " + steps.length + " points"
                + (steps.length == 0 ? "" : ", steps " + steps[0] + ".." + steps[steps.length - 1]) + "]";
    }
}
