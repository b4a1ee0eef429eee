package io.grokscope.analysis;

import static io.grokscope.analysis.TurningPoints.CONFIRM_POINTS;
import static io.grokscope.analysis.TurningPoints.MIN_FIT_REACH;

import java.util.Optional;

/**
 * Finds a curve's fast falls: the fastest one anywhere (test loss's collapse in cleanup) or the first one that is
 * nearly as fast (train loss's memorization drop, even when its cleanup drop is steeper). A fall is the stretch around
 * its steepest point where the curve falls at least {@value #FAST_FRACTION} as fast as there; its start and end are
 * then placed by a {@link HingeFit} on each side (plateau→drop, drop→floor), which removes the smoothing blur.
 */
final class FastDescents {

    /** A fall at least this fraction as fast as at its steepest point is part of the same fast stretch. */
    static final double FAST_FRACTION = 0.25;
    /** A fall at least this fraction as fast as the steepest anywhere starts an episode of fast falling. */
    static final double EPISODE_FRACTION = 0.5;
    /** Decades train loss must fall across its first fast stretch for that to be memorization. */
    static final double MIN_MEMORIZATION_DROP = 0.5;

    private FastDescents() {
    }

    /** The fastest fall anywhere in the curve, if it falls by at least {@code minDrop} across its fast stretch. */
    static Descent steepest(SmoothedCurve curve, double minDrop) {
        int peak = curve.steepestDescent(0, curve.last());
        return describe(curve, peak, minDrop);
    }

    /**
     * The first stretch where the curve falls at least {@link #EPISODE_FRACTION} as fast as its fastest fall anywhere:
     * for train loss, the memorization drop even when the cleanup drop is steeper. It must fall
     * {@value #MIN_MEMORIZATION_DROP} decades.
     */
    static Descent first(SmoothedCurve curve) {
        int steepest = curve.steepestDescent(0, curve.last());
        double level = EPISODE_FRACTION * curve.slope(steepest);
        if (!(level < 0)) {
            return null;
        }
        int start = 0;
        while (curve.slope(start) > level) {
            start++;
        }
        int stop = start;
        while (stop + 1 <= curve.last() && curve.slope(stop + 1) <= level) {
            stop++;
        }
        return describe(curve, curve.steepestDescent(start, stop), MIN_MEMORIZATION_DROP);
    }

    private static Descent describe(SmoothedCurve curve, int peak, double minDrop) {
        if (!(curve.slope(peak) < 0)) {
            return null;
        }
        int[] region = curve.fastRegion(peak, FAST_FRACTION);
        int lo = region[0];
        int hi = region[1];
        if (curve.smooth(lo) - curve.smooth(hi) < minDrop) {
            return null;
        }
        int reach = Math.max(MIN_FIT_REACH, hi - lo);
        double start = curve.step(lo);
        if (lo > 0) {
            Optional<HingeFit> knee = HingeFit.best(curve.steps(), curve.despiked(), Math.max(0, lo - reach), peak);
            if (knee.isPresent() && knee.get().rightSlope() < knee.get().leftSlope()) {
                start = knee.get().knot();
            }
        }
        Double end = null;
        if (curve.last() - hi >= CONFIRM_POINTS) {
            end = TurningPoints.endOfFastChange(curve, peak, Math.min(curve.last(), hi + reach), 1)
                    .orElse(curve.step(hi));
        }
        return new Descent(curve, peak, lo, hi, start, end);
    }
}
