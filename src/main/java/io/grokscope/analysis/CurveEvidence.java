package io.grokscope.analysis;

import java.util.List;
import java.util.Locale;

/**
 * Evidence read off a prepared curve: the recorded point nearest a step (never a smoothed value, so a reader can find
 * it in the data), whether a measure moved far enough between two steps to count, and the wording of rates and
 * values in findings.
 */
final class CurveEvidence {

    /** Decades a loss must move (excluded loss rise, restricted loss fall) to count as moving. */
    static final double MIN_LOSS_MOVE = 0.1;
    /** Decades the weight norm must fall (2.3 %) to count as falling. */
    static final double MIN_NORM_MOVE = 0.01;
    /** How much a Gini coefficient must rise to count as a jump. */
    static final double MIN_GINI_RISE = 0.05;
    /** A measure's change must exceed this many times its per-evaluation noise to place a boundary. */
    static final double NOISE_MULTIPLE = 3;

    private CurveEvidence() {
    }

    /** The recorded point of the curve nearest {@code step}, with what it shows. */
    static Evidence at(SmoothedCurve curve, double step, String finding) {
        return new Evidence(curve.metric(), curve.recordedStepNear(step), curve.recordedValueNear(step), finding);
    }

    /**
     * Adds evidence when the curve moves by at least {@code threshold} (in its scale's units; negative = a fall)
     * between two steps, and by more than its own noise could; the curve must cover some of the window.
     *
     * @return whether it moved
     */
    static boolean move(SmoothedCurve curve, double from, double to, double threshold, String finding,
            List<Evidence> found) {
        if (curve == null || to <= from || curve.step(curve.last()) <= from || curve.step(0) >= to) {
            return false;
        }
        double start = Math.max(from, curve.step(0));
        double change = curve.smoothAt(to) - curve.smoothAt(start);
        // a move the curve's own noise could make (its smoothed values average at least 5 evaluations) is no move
        double needed = Math.max(Math.abs(threshold), NOISE_MULTIPLE * curve.noise() / Math.sqrt(5));
        boolean moved = threshold > 0 ? change >= needed : change <= -needed;
        if (moved) {
            found.add(at(curve, to, String.format(Locale.ROOT, "%s from %s at step %d to %s", finding,
                    format(curve.recordedValueNear(start)), curve.recordedStepNear(start),
                    format(curve.recordedValueNear(to)))));
        }
        return moved;
    }

    /** The curve's metric as words ("weight norm"). */
    static String label(SmoothedCurve curve) {
        return curve.metric().wireName().replace('_', ' ');
    }

    /** A log₁₀ slope per step as the percentage the value loses per 1000 steps. */
    static double percentPer1000(double log10SlopePerStep) {
        return 100 * (1 - Math.pow(10, 1000 * log10SlopePerStep));
    }

    /** A slope per step as its change per 1000 steps. */
    static String rate(double slopePerStep) {
        return String.format(Locale.ROOT, "%.2f", 1000 * slopePerStep);
    }

    /** A recorded value, to three significant digits. */
    static String format(double value) {
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
