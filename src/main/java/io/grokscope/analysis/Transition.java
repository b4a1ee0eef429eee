package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How suddenly test accuracy rose to its generalization level: the steps from 10 % to 90 % of the rise.
 *
 * <p>The rise runs from the curve's floor before generalization (its lowest value, usually chance) to its level after
 * it (the median from the generalization step on). The 10 % point is where the curve last crosses floor + 10 % of
 * the rise upward before the generalization step, the 90 % point the first crossing of floor + 90 % after that; both
 * are interpolated linearly between evaluations, so the width does not jump with the evaluation cadence. A late
 * sudden generalization (Nanda et al.: test loss collapses within ~1k of a 10k delay) has a width that is a small
 * share of the delay; a slow drift of test accuracy over the whole run has a width close to the delay.
 *
 * @param low        the step of the 10 % point
 * @param high       the step of the 90 % point
 * @param recordedLow  the recorded step nearest the 10 % point, and its value
 * @param recordedHigh the recorded step nearest the 90 % point, and its value
 * @param lastLowStep  the last evaluation below the 10 % level before the rise
 */
record Transition(double low, double high, long recordedLow, double lowValue, long recordedHigh, double highValue,
        long lastLowStep) {

    double width() {
        return high - low;
    }

    /** The transition of a test-accuracy curve that generalized at {@code generalizationStep}; null without a rise. */
    static Transition of(MetricSeries accuracy, long generalizationStep) {
        List<Long> steps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < accuracy.size(); i++) {
            if (Double.isFinite(accuracy.value(i))) {
                steps.add(accuracy.step(i));
                values.add(accuracy.value(i));
            }
        }
        int gen = 0;
        while (gen < steps.size() && steps.get(gen) < generalizationStep) {
            gen++;
        }
        if (gen == 0 || gen == steps.size()) {
            return null;
        }
        double floor = Double.POSITIVE_INFINITY;
        for (int i = 0; i < gen; i++) {
            floor = Math.min(floor, values.get(i));
        }
        double[] after = new double[values.size() - gen];
        for (int i = gen; i < values.size(); i++) {
            after[i - gen] = values.get(i);
        }
        Arrays.sort(after);
        double level = after[after.length / 2];
        double rise = level - floor;
        if (!(rise > 0)) {
            return null;
        }
        double at10 = floor + 0.1 * rise;
        double at90 = floor + 0.9 * rise;
        // last point below the 10 % level before generalization
        int below = -1;
        for (int i = 0; i < gen; i++) {
            if (values.get(i) < at10) {
                below = i;
            }
        }
        if (below < 0) {
            return null;
        }
        double low = crossing(steps, values, below, at10);
        int i = below + 1;
        while (i < values.size() && values.get(i) < at90) {
            i++;
        }
        if (i == values.size()) {
            return null;
        }
        double high = crossing(steps, values, i - 1, at90);
        int lowIndex = nearest(steps, low);
        int highIndex = nearest(steps, high);
        return new Transition(low, high, steps.get(lowIndex), values.get(lowIndex), steps.get(highIndex),
                values.get(highIndex), steps.get(below));
    }

    /** Where the segment from point {@code i} to point {@code i + 1} crosses {@code level}. */
    private static double crossing(List<Long> steps, List<Double> values, int i, double level) {
        double v0 = values.get(i);
        double v1 = values.get(i + 1);
        double t = v1 == v0 ? 0 : Math.min(1, Math.max(0, (level - v0) / (v1 - v0)));
        return steps.get(i) + t * (steps.get(i + 1) - steps.get(i));
    }

    private static int nearest(List<Long> steps, double step) {
        int best = 0;
        for (int i = 1; i < steps.size(); i++) {
            if (Math.abs(steps.get(i) - step) < Math.abs(steps.get(best) - step)) {
                best = i;
            }
        }
        return best;
    }
}
