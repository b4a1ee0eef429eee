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
 * <li><b>Running median</b> over {@value #WINDOW} points removes isolated spikes (loss spikes are common late in
 * grokking runs) without moving edges; a <b>moving average</b> over {@value #WINDOW} points then removes the
 * remaining noise. Windows shrink symmetrically at the ends so the ends are not biased.</li>
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
    private static final double LOG_FLOOR = 1e-15;

    private final MetricSeries source;
    private final Scale scale;
    private final double[] steps;
    private final double[] despiked;
    private final double[] smooth;
    private final double[] slope;

    private SmoothedCurve(MetricSeries source, Scale scale, double[] steps, double[] values) {
        this.source = source;
        this.scale = scale;
        this.steps = steps;
        this.despiked = runningMedian(values, WINDOW);
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
        double[] x = new double[series.size()];
        double[] y = new double[series.size()];
        for (int i = 0; i < series.size(); i++) {
            double v = series.value(i);
            if (Double.isFinite(v) && !(scale == Scale.LOG10 && v < 0)) {
                x[n] = series.step(i);
                y[n] = scale == Scale.LOG10 ? Math.log10(Math.max(v, LOG_FLOOR)) : v;
                n++;
            }
        }
        if (n < Math.max(minPoints, 2 * SLOPE_REACH + 1)) {
            return Optional.empty();
        }
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
        return Optional.of(new SmoothedCurve(series, scale, x, y));
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

    /** The recorded (raw, unsmoothed) value at the recorded step nearest to {@code step}. */
    double recordedValueNear(double step) {
        return source.value(source.nearestIndex(Math.round(step)));
    }

    /** The recorded step nearest to {@code step}. */
    long recordedStepNear(double step) {
        return source.step(source.nearestIndex(Math.round(step)));
    }

    static double[] runningMedian(double[] values, int window) {
        int half = window / 2;
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            int reach = Math.min(half, Math.min(i, values.length - 1 - i));
            out[i] = median(Arrays.copyOfRange(values, i - reach, i + reach + 1));
        }
        return out;
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
