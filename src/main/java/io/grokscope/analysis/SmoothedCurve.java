package io.grokscope.analysis;

import java.util.Arrays;
import java.util.Optional;

/**
 * A metric series prepared for change-point work: non-finite points dropped, long series binned, values put on the
 * scale where the phases look like straight lines, spikes removed, then smoothed, with a smoothed slope.
 *
 * <h2>Why these steps</h2>
 * <ul>
 * <li><b>Log-value scale</b> for losses and norms: the losses of a grokking run span seven decades and change
 * exponentially within a phase, so on log₁₀ they are close to piecewise linear, and "falls fastest" means "falls by
 * the most decades per step", the same at 1 and at 1e-6. Gini and accuracy stay linear (bounded in [0, 1]).</li>
 * <li><b>Linear step axis</b>: Nanda et al. read the phase boundaries on a linear epoch axis.</li>
 * <li><b>Despiking</b> by a Hampel filter over {@value #WINDOW} recorded points (a spike is one evaluation, whatever
 * the cadence): a point is replaced by its window's median only when it lies more than {@value #SPIKE_MADS} robust
 * standard deviations (1.4826 × the median absolute deviation) from it. Corners stay, so a V-shaped turning point
 * such as excluded loss's keeps its shape. The last point follows Tukey's end-point rule, the first is kept as
 * recorded (the initialisation).</li>
 * <li><b>A grid in steps</b>: the despiked points are put on a uniform grid ({@value #GRID} intervals over the run's
 * span, the same spacing for every curve of a run): the mean of the points in a cell, or the line between the points
 * around it. From here on every window is a share of the span in steps, never a count of evaluations, so a run
 * evaluated every 10 steps and the same run evaluated every 500 are smoothed alike, and so are the same curves on a
 * step axis ×10.</li>
 * <li>A <b>moving average</b> of ±1 % of the span ({@value #SMOOTH_REACH} grid points), widened to at least
 * {@value #MIN_REACH_INTERVALS} evaluation intervals (a window that holds one evaluation averages nothing), and the
 * <b>slope</b> as the central difference over the same reach.</li>
 * <li>The curve's <b>noise</b>: the robust spread of its recorded points around a running median of 5, so callers can
 * refuse to place a boundary on a change that noise alone could make.</li>
 * </ul>
 * Smoothing blurs edges by a few points; the boundaries are then placed precisely by {@link HingeFit} on the
 * despiked (not averaged) values, which averages noise by least squares instead.
 */
final class SmoothedCurve {

    /** How values are transformed before any analysis. */
    enum Scale {
        /** log₁₀ of the value, floored at 1e-15 so an exact zero loss stays finite. */
        LOG10,
        /** The value itself. */
        LINEAR
    }

    /** Grid intervals over a run's span: every window below is a share of the span, in steps. */
    static final int GRID = 400;
    /** Points of the Hampel window (recorded points: a spike is one evaluation, whatever the cadence). */
    static final int WINDOW = 5;
    static final int SLOPE_REACH = 2;
    /** Half-width of the moving average and reach of the slope, in grid points: 1 % of the span each side. */
    static final int SMOOTH_REACH = 4;
    /** The smoothing reaches at least this many evaluation intervals each side. */
    static final double MIN_REACH_INTERVALS = 2;
    /** How many robust standard deviations from its window's median make a point a spike. */
    static final double SPIKE_MADS = 3;
    /** Converts a median absolute deviation into a standard deviation for Gaussian noise. */
    private static final double MAD_TO_SIGMA = 1.4826;
    private static final double LOG_FLOOR = 1e-15;

    private final MetricSeries source;
    /** The recorded points this curve was built from (finite, and positive-or-zero on a log scale). */
    private final long[] recordedSteps;
    private final double[] recordedValues;
    private final Scale scale;
    private final double[] steps;
    private final double[] despiked;
    private final double[] smooth;
    private final double[] slope;
    private final int reach;
    private final double noise;

    private SmoothedCurve(MetricSeries source, long[] recordedSteps, double[] recordedValues, Scale scale,
            double[] steps, double[] values, int reach, double noise) {
        this.reach = reach;
        this.noise = noise;
        this.source = source;
        this.recordedSteps = recordedSteps;
        this.recordedValues = recordedValues;
        this.scale = scale;
        this.steps = steps;
        this.despiked = values;
        this.smooth = movingAverage(despiked, 2 * reach + 1);
        this.slope = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            int lo = Math.max(0, i - reach);
            int hi = Math.min(steps.length - 1, i + reach);
            slope[i] = (smooth[hi] - smooth[lo]) / (steps[hi] - steps[lo]);
        }
    }

    /**
     * The prepared curve on a grid of {@value #GRID} intervals over its own span, or empty when fewer than
     * {@code minPoints} finite points remain.
     */
    static Optional<SmoothedCurve> of(MetricSeries series, Scale scale, int minPoints) {
        return of(series, scale, minPoints, 0);
    }

    /**
     * The prepared curve on a grid of spacing {@code spacing} steps (0: {@value #GRID} intervals over its own span),
     * or empty when fewer than {@code minPoints} finite points remain. Callers that compare several curves pass the
     * same spacing (the run's span ÷ {@value #GRID}), so every window is the same number of steps on every curve.
     */
    static Optional<SmoothedCurve> of(MetricSeries series, Scale scale, int minPoints, double spacing) {
        int n = 0;
        long[] usedSteps = new long[series.size()];
        double[] usedValues = new double[series.size()];
        double[] x = new double[series.size()];
        double[] y = new double[series.size()];
        for (int i = 0; i < series.size(); i++) {
            double v = series.value(i);
            if (Double.isFinite(v) && !(scale == Scale.LOG10 && v < 0)) {
                usedSteps[n] = series.step(i);
                usedValues[n] = v;
                x[n] = series.step(i);
                y[n] = scale == Scale.LOG10 ? Math.log10(Math.max(v, LOG_FLOOR)) : v;
                n++;
            }
        }
        if (n < Math.max(minPoints, 2 * SLOPE_REACH + 1)) {
            return Optional.empty();
        }
        usedSteps = Arrays.copyOf(usedSteps, n);
        usedValues = Arrays.copyOf(usedValues, n);
        x = Arrays.copyOf(x, n);
        y = despike(x, Arrays.copyOf(y, n), WINDOW);
        double span = x[n - 1] - x[0];
        double h = spacing > 0 ? spacing : span / GRID;
        int cells = (int) Math.min(4L * GRID, Math.max(2 * SMOOTH_REACH + 1, Math.round(span / h) + 1));
        h = span / (cells - 1);
        double[] gx = new double[cells];
        double[] gy = new double[cells];
        int j = 0;
        for (int c = 0; c < cells; c++) {
            gx[c] = x[0] + c * h;
            // the mean of the recorded points in this cell when there are any (binning), else the line between the
            // recorded points around it (interpolation)
            double lo = gx[c] - h / 2;
            double hi = gx[c] + h / 2;
            while (j < n && x[j] < lo) {
                j++;
            }
            double sum = 0;
            int count = 0;
            for (int k = j; k < n && x[k] < hi; k++) {
                sum += y[k];
                count++;
            }
            if (count > 0) {
                gy[c] = sum / count;
            } else {
                int after = Math.min(n - 1, Math.max(1, j));
                int before = after - 1;
                double t = (gx[c] - x[before]) / (x[after] - x[before]);
                gy[c] = y[before] + Math.max(0, Math.min(1, t)) * (y[after] - y[before]);
            }
        }
        // the window is 1 % of the span each side, but never narrower than two evaluation intervals: a window that
        // holds a single evaluation averages nothing
        double[] gaps = new double[n - 1];
        for (int i = 1; i < n; i++) {
            gaps[i - 1] = x[i] - x[i - 1];
        }
        double interval = median(gaps);
        int reach = (int) Math.max(SMOOTH_REACH, Math.min(GRID / 8, Math.ceil(MIN_REACH_INTERVALS * interval / h)));
        // the per-evaluation noise: a robust spread of the recorded points around a running median of 5
        double[] residuals = new double[n];
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - 2);
            int hi = Math.min(n - 1, i + 2);
            residuals[i] = Math.abs(y[i] - median(Arrays.copyOfRange(y, lo, hi + 1)));
        }
        double noise = MAD_TO_SIGMA * median(residuals);
        return Optional.of(new SmoothedCurve(series, usedSteps, usedValues, scale, gx, gy, reach, noise));
    }

    /** The robust standard deviation of one evaluation around the local median, on this curve's scale. */
    double noise() {
        return noise;
    }

    Metric metric() {
        return source.name();
    }

    Scale scale() {
        return scale;
    }

    int size() {
        return steps.length;
    }

    int last() {
        return steps.length - 1;
    }

    double step(int i) {
        return steps[i];
    }

    double[] steps() {
        return steps;
    }

    /** The despiked values on this curve's scale (shared, do not modify). */
    double[] despiked() {
        return despiked;
    }

    double smooth(int i) {
        return smooth[i];
    }

    double slope(int i) {
        return slope[i];
    }

    /** The first index whose step is ≥ {@code step}, or {@link #size()} if none. */
    int indexAtOrAfter(double step) {
        int i = 0;
        while (i < steps.length && steps[i] < step) {
            i++;
        }
        return i;
    }

    /** The last index whose step is ≤ {@code step}, or −1 if none. */
    int indexAtOrBefore(double step) {
        int i = steps.length - 1;
        while (i >= 0 && steps[i] > step) {
            i--;
        }
        return i;
    }

    /** The smoothed value at a step, linearly interpolated, held constant beyond the ends. */
    double smoothAt(double step) {
        if (step <= steps[0]) {
            return smooth[0];
        }
        if (step >= steps[last()]) {
            return smooth[last()];
        }
        int after = indexAtOrAfter(step);
        int before = after - 1;
        double t = (step - steps[before]) / (steps[after] - steps[before]);
        return smooth[before] + t * (smooth[after] - smooth[before]);
    }

    /** A smoothed value converted back from this curve's scale. */
    double unscale(double value) {
        return scale == Scale.LOG10 ? Math.pow(10, value) : value;
    }

    /** The index of the lowest smoothed value in [from, to]. */
    int argMin(int from, int to) {
        return extreme(smooth, from, to, -1);
    }

    /** The index of the highest smoothed value in [from, to]. */
    int argMax(int from, int to) {
        return extreme(smooth, from, to, 1);
    }

    /** The index of the most negative slope in [from, to]. */
    int steepestDescent(int from, int to) {
        return extreme(slope, from, to, -1);
    }

    /** The index of the most positive slope in [from, to]. */
    int steepestRise(int from, int to) {
        return extreme(slope, from, to, 1);
    }

    /** The first index in [from, to] of the highest ({@code sign} 1) or lowest ({@code sign} -1) value. */
    private static int extreme(double[] values, int from, int to, int sign) {
        int best = from;
        for (int i = from; i <= to; i++) {
            if (sign > 0 ? values[i] > values[best] : values[i] < values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The stretch around {@code peak} where the curve falls at least {@code fraction} as fast as at the peak, bridging
     * gaps of up to two points where noise lifts the slope above that level.
     *
     * @return {lo, hi}, inclusive
     */
    int[] fastRegion(int peak, double fraction) {
        double level = fraction * slope[peak];
        int lo = peak;
        int i = peak - 1;
        while (i >= 0) {
            if (slope[i] <= level) {
                lo = i;
            } else if (!(i - 1 >= 0 && slope[i - 1] <= level) && !(i - 2 >= 0 && slope[i - 2] <= level)) {
                break;
            }
            i--;
        }
        int hi = peak;
        i = peak + 1;
        while (i <= last()) {
            if (slope[i] <= level) {
                hi = i;
            } else if (!(i + 1 <= last() && slope[i + 1] <= level) && !(i + 2 <= last() && slope[i + 2] <= level)) {
                break;
            }
            i++;
        }
        return new int[] {lo, hi};
    }

    /**
     * The recorded (raw, unsmoothed) value at the usable recorded step nearest to {@code step}: evidence quotes a
     * point the curve rests on, never a NaN the curve skipped.
     */
    double recordedValueNear(double step) {
        return recordedValues[nearestRecorded(step)];
    }

    /** The usable recorded step nearest to {@code step}. */
    long recordedStepNear(double step) {
        return recordedSteps[nearestRecorded(step)];
    }

    private int nearestRecorded(double step) {
        long target = Math.round(step);
        int found = Arrays.binarySearch(recordedSteps, target);
        if (found >= 0) {
            return found;
        }
        int after = -found - 1;
        if (after == 0) {
            return 0;
        }
        if (after == recordedSteps.length) {
            return recordedSteps.length - 1;
        }
        return target - recordedSteps[after - 1] <= recordedSteps[after] - target ? after - 1 : after;
    }

    /** The Hampel filter and last-point rule described in the class comment. */
    static double[] despike(double[] steps, double[] values, int window) {
        int half = window / 2;
        int n = values.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int reach = Math.min(half, Math.min(i, n - 1 - i));
            double[] around = Arrays.copyOfRange(values, i - reach, i + reach + 1);
            double median = median(around.clone());
            double[] deviations = new double[around.length];
            for (int j = 0; j < around.length; j++) {
                deviations[j] = Math.abs(around[j] - median);
            }
            double sigma = MAD_TO_SIGMA * median(deviations);
            out[i] = Math.abs(values[i] - median) > SPIKE_MADS * sigma ? median : values[i];
        }
        if (n >= 3) {
            out[n - 1] = median(new double[] {values[n - 1], out[n - 2], lineThrough(steps, out, n - 2, n - 3,
                    steps[n - 1])});
        }
        return out;
    }

    /** The value at {@code step} of the straight line through points {@code i} and {@code j} of (x, y). */
    private static double lineThrough(double[] x, double[] y, int i, int j, double step) {
        return y[i] + (y[j] - y[i]) * (step - x[i]) / (x[j] - x[i]);
    }

    static double[] movingAverage(double[] values, int window) {
        int half = window / 2;
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            int reach = Math.min(half, Math.min(i, values.length - 1 - i));
            double sum = 0;
            for (int j = i - reach; j <= i + reach; j++) {
                sum += values[j];
            }
            out[i] = sum / (2 * reach + 1);
        }
        return out;
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
