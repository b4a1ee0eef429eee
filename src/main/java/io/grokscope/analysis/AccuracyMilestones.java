package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * When an accuracy curve reached a threshold: at all ({@code firstCrossing}) and for good ({@code holdsFrom}), and the
 * dips below it afterwards.
 *
 * <h2>Rule</h2>
 * A point <i>reaches</i> the threshold when its value is ≥ threshold, and <i>holds</i> it when its value is ≥
 * threshold − tolerance (hysteresis: a final 0.985 against 0.99 still holds, a touch of 0.99 by noise does not count
 * as reaching). {@code holdsFrom} is the first point that reaches the threshold and from which every point within
 * {@code holdSteps} steps holds it (all that exist, when the data end sooner). A window measured in steps, not in
 * evaluations, so a run evaluated every 10 steps and one evaluated every 500 get the same milestone. A single
 * evaluation below the band between two that hold it is a spike, not a failure to hold.
 *
 * <p>After {@code holdsFrom}, a stretch of points below threshold − tolerance that ends with the curve holding again
 * is an {@link Instability} (a slingshot, Thilak et al. 2022; a loss spike): reported, but it neither moves the
 * milestone nor undoes it. The milestone is undone only when the curve has fallen for good: its last
 * {@value #END_POINTS} points (the median of them) are below threshold − tolerance; then {@code holdsFrom} is null,
 * {@code lostAt} is where the fall began, and the dip is not listed as an instability.
 *
 * <p>Non-finite values (NaN, ±∞) are skipped as missing evaluations; {@code ignoredPoints} counts them.
 *
 * @param firstCrossing first step with value ≥ threshold
 * @param holdsFrom     the milestone (see above), or null
 * @param lostAt        when the curve held its threshold but has fallen below it for good: where the fall began
 * @param instabilities the dips after {@code holdsFrom} that recovered
 * @param lastStep      the last step with a finite value, or null when there is none
 * @param lastValue     the value there (NaN when there is none)
 * @param ignoredPoints how many non-finite points were skipped
 */
record AccuracyMilestones(Long firstCrossing, Long holdsFrom, Long lostAt, List<Instability> instabilities,
        Long lastStep, double lastValue, int ignoredPoints) {

    /** The end of the data counts as fallen when the median of this many last points is below the band. */
    static final int END_POINTS = 3;

    /** The old name of the milestone, kept for readers of the stays-rule era. */
    Long staysFrom() {
        return holdsFrom;
    }

    /** With the default hold window and tolerance. */
    static AccuracyMilestones of(MetricSeries accuracy, double threshold) {
        return of(accuracy, threshold, PhaseThresholds.DEFAULT_HOLD_STEPS, PhaseThresholds.DEFAULT_TOLERANCE, "");
    }

    static AccuracyMilestones of(MetricSeries accuracy, double threshold, long holdSteps, double tolerance,
            String split) {
        List<long[]> steps = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        int ignored = 0;
        for (int i = 0; i < accuracy.size(); i++) {
            if (Double.isFinite(accuracy.value(i))) {
                steps.add(new long[] {accuracy.step(i)});
                values.add(accuracy.value(i));
            } else {
                ignored++;
            }
        }
        int n = values.size();
        if (n == 0) {
            return new AccuracyMilestones(null, null, null, List.of(), null, Double.NaN, ignored);
        }
        double band = threshold - tolerance;
        Long first = null;
        Integer holds = null;
        for (int i = 0; i < n; i++) {
            if (values.get(i) < threshold) {
                continue;
            }
            if (first == null) {
                first = steps.get(i)[0];
            }
            long until = steps.get(i)[0] + holdSteps;
            boolean held = true;
            for (int j = i; j < n && steps.get(j)[0] <= until; j++) {
                // one evaluation below the band between two that hold is a spike, reported as an instability
                if (values.get(j) < band && !(j > i && j + 1 < n && values.get(j + 1) >= band
                        && values.get(j - 1) >= band)) {
                    held = false;
                    break;
                }
            }
            if (held) {
                holds = i;
                break;
            }
        }
        long lastStep = steps.get(n - 1)[0];
        double lastValue = values.get(n - 1);
        if (holds == null) {
            return new AccuracyMilestones(first, null, null, List.of(), lastStep, lastValue, ignored);
        }
        // dips after the milestone: maximal runs of points below the band
        boolean fallen = fallenAtEnd(values, band);
        int tailFrom = Math.max(holds, n - END_POINTS);
        List<Instability> dips = new ArrayList<>();
        Long lostAt = null;
        int i = holds;
        while (i < n) {
            if (values.get(i) >= band) {
                i++;
                continue;
            }
            int start = i;
            double lowest = values.get(i);
            while (i < n && values.get(i) < band) {
                lowest = Math.min(lowest, values.get(i));
                i++;
            }
            if (fallen && (i == n || start >= tailFrom || i >= tailFrom)) {
                // the fall that the end of the data does not recover from
                lostAt = steps.get(start)[0];
                break;
            }
            long until = i == n ? lastStep : steps.get(i)[0];
            dips.add(new Instability(split, steps.get(start)[0], threshold - lowest, until - steps.get(start)[0],
                    i < n));
        }
        if (lostAt != null) {
            return new AccuracyMilestones(first, null, lostAt, List.copyOf(dips), lastStep, lastValue, ignored);
        }
        return new AccuracyMilestones(first, steps.get(holds)[0], null, List.copyOf(dips), lastStep, lastValue,
                ignored);
    }

    private static boolean fallenAtEnd(List<Double> values, double band) {
        int n = values.size();
        if (n < END_POINTS) {
            return values.get(n - 1) < band;
        }
        double[] tail = new double[END_POINTS];
        for (int k = 0; k < END_POINTS; k++) {
            tail[k] = values.get(n - 1 - k);
        }
        java.util.Arrays.sort(tail);
        return tail[END_POINTS / 2] < band;
    }
}
