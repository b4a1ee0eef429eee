package io.grokscope.analysis;

import java.util.Optional;

/**
 * Where a curve's fast change ends, placed by a {@link HingeFit} on its despiked values rather than read off the
 * smoothed ones (smoothing blurs a corner by a few points), and the rules every such boundary obeys: it counts only
 * with {@value #CONFIRM_POINTS} grid points after it, and a refining fit reaches at least {@value #MIN_FIT_REACH}
 * grid points to each side.
 */
final class TurningPoints {

    /** Grid points (each 1/{@value SmoothedCurve#GRID} of the run's span) that must follow a boundary. */
    static final int CONFIRM_POINTS = 4;
    /** Grid points on each side of a boundary that a refining hinge fit may use, at least. */
    static final int MIN_FIT_REACH = 8;

    private TurningPoints() {
    }

    /**
     * The knot of the best hinge over grid points {@code from..to} where a fall ({@code sign} 1) or a rise
     * ({@code sign} -1) slows down, if {@value #CONFIRM_POINTS} points follow it.
     */
    static Optional<Double> endOfFastChange(SmoothedCurve curve, int from, int to, double sign) {
        return HingeFit.best(curve.steps(), curve.despiked(), from, to)
                .filter(knee -> sign * knee.rightSlope() > sign * knee.leftSlope() && confirmed(curve, knee.knot()))
                .map(HingeFit::knot);
    }

    /** Whether {@value #CONFIRM_POINTS} grid points follow this step. */
    static boolean confirmed(SmoothedCurve curve, double step) {
        return curve.last() - curve.indexAtOrAfter(step) >= CONFIRM_POINTS;
    }

    /** The least-squares slope of the despiked values over points {@code from..to}. */
    static double lineSlope(SmoothedCurve curve, int from, int to) {
        double meanX = 0;
        double meanY = 0;
        for (int i = from; i <= to; i++) {
            meanX += curve.step(i);
            meanY += curve.despiked()[i];
        }
        meanX /= to - from + 1;
        meanY /= to - from + 1;
        double sxy = 0;
        double sxx = 0;
        for (int i = from; i <= to; i++) {
            sxy += (curve.step(i) - meanX) * (curve.despiked()[i] - meanY);
            sxx += (curve.step(i) - meanX) * (curve.step(i) - meanX);
        }
        return sxy / sxx;
    }
}
