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
 * <li><b>Linear step axis</b>: Nanda et al. read the phase boundaries on a linear epoch axis, and eval points are
 * equally spaced in steps, so a window of points is a window of steps.</li>
 * <li><b>Binning</b> to at most {@value #MAX_POINTS} points (median per bin) bounds the cost for runs evaluated
 * every step, with no effect on runs evaluated every 100 steps.</li>
 * <li><b>Despiking</b> by a Hampel filter over {@value #WINDOW} points: a point is replaced by its window's median
 * only when it lies more than {@value #SPIKE_MADS} robust standard deviations (1.4826 × the median absolute
 * deviation) from it. Isolated spikes (common late in grokking runs) go; corners stay. A plain running median would
 * also remove spikes, but it clips every V-shaped minimum into a flat bottom that leans toward the shallower side,
 * and a V is exactly what a turning point such as excluded loss's looks like. Windows shrink symmetrically at the
 * ends. The last point (the latest eval of a running run, where a spike would look like the steepest fall of the
 * run) follows Tukey's end-point rule: the median of the point, its despiked neighbour, and the line through the two
 * despiked points before it extended to the end, which keeps a straight end and drops a spike until the next eval
 * confirms or refutes it. The first point is kept as recorded: it is the initialisation, and a network that fits its
 * training set within one eval interval shows its whole fall in that point.</li>
 * <li>A <b>moving average</b> over {@value #WINDOW} points then removes the remaining noise, its window also
 * shrinking symmetrically at the ends.</li>
 * <li><b>Slope</b> by a central difference over ±{@value #SLOPE_REACH} points of the smoothed curve: a smoothed
 * derivative, robust enough to compare rates across the run.</li>
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

    static final int MAX_POINTS = 1000;
    static final int WINDOW = 5;
    static final int SLOPE_REACH = 2;
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

    private SmoothedCurve(MetricSeries source, long[] recordedSteps, double[] recordedValues, Scale scale,
            double[] steps, double[] values) {
        this.source = source;
        this.recordedSteps = recordedSteps;
        this.recordedValues = recordedValues;
        this.scale = scale;
        this.steps = steps;
        this.despiked = despike(steps, values, WINDOW);
        this.smooth = movingAverage(despiked, WINDOW);
        this.slope = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            int lo = Math.max(0, i - SLOPE_REACH);
            int hi = Math.min(steps.length - 1, i + SLOPE_REACH);
            slope[i] = (smooth[hi] - smooth[lo]) / (steps[hi] - steps[lo]);
        }
    }

    /** The prepared curve, or empty when fewer than {@code minPoints} finite points remain. */
    static Optional<SmoothedCurve> of(MetricSeries series, Scale scale, int minPoints) {
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
        y = Arrays.copyOf(y, n);
        if (n > MAX_POINTS) {
            int per = (n + MAX_POINTS - 1) / MAX_POINTS;
            int bins = (n + per - 1) / per;
            double[] bx = new double[bins];
            double[] by = new double[bins];
            for (int b = 0; b < bins; b++) {
                int from = b * per;
                int to = Math.min(n, from + per);
                double sum = 0;
                for (int i = from; i < to; i++) {
                    sum += x[i];
                }
                bx[b] = sum / (to - from);
                by[b] = median(Arrays.copyOfRange(y, from, to));
            }
            x = bx;
            y = by;
        }
        return Optional.of(new SmoothedCurve(series, usedSteps, usedValues, scale, x, y));
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
        int best = from;
        for (int i = from; i <= to; i++) {
            if (smooth[i] < smooth[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The index of the highest smoothed value in [from, to]. */
    int argMax(int from, int to) {
        int best = from;
        for (int i = from; i <= to; i++) {
            if (smooth[i] > smooth[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The index of the most negative slope in [from, to]. */
    int steepestDescent(int from, int to) {
        int best = from;
        for (int i = from; i <= to; i++) {
            if (slope[i] < slope[best]) {
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
