package io.grokscope.analysis;

import static io.grokscope.analysis.CurveEvidence.MIN_GINI_RISE;
import static io.grokscope.analysis.CurveEvidence.MIN_LOSS_MOVE;
import static io.grokscope.analysis.CurveEvidence.MIN_NORM_MOVE;
import static io.grokscope.analysis.CurveEvidence.NOISE_MULTIPLE;
import static io.grokscope.analysis.TurningPoints.CONFIRM_POINTS;
import static io.grokscope.analysis.TurningPoints.MIN_FIT_REACH;

import io.grokscope.analysis.SmoothedCurve.Scale;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The cleanup phase (Nanda et al. §5.2), from the start of test loss's collapse until it, the weight norm's sharp
 * fall and the Gini jump have all levelled off: each measure's own end is where its fast change during cleanup ends
 * ({@link #levelsOff}), and cleanup ends at their median (the upper one of an even count), so one noisy measure
 * neither cuts it short nor drags it out. The weight norm's fall, restricted loss's fall and the Gini rise are quoted
 * as evidence.
 */
final class CleanupPhase {

    /** A fall at least this fraction as fast as a curve's steepest anywhere counts as its fastest. */
    static final double AS_FAST_AS = 0.9;

    private CleanupPhase() {
    }

    /**
     * The cleanup phase that begins with this fast fall (of test loss, or of the weight norm without it).
     *
     * @param cleanup  the fast fall
     * @param measures the progress measures that say when cleanup has levelled off and corroborate it; any may be
     *                 null
     * @param lastStep the run's last step, for the notes of a cleanup still under way
     * @param notes    where what a reader should know is added
     */
    static Phase of(Descent cleanup, Measures measures, long lastStep, List<String> notes) {
        List<Evidence> evidence = evidence(cleanup, measures, lastStep);
        Double end = cleanup.end();
        if (end != null) {
            List<Double> ends = new ArrayList<>(List.of(end));
            List<Evidence> levelEvidence = new ArrayList<>();
            for (SmoothedCurve measure : Arrays.asList(measures.weight(), measures.giniUnembed(),
                    measures.giniEmbed())) {
                if (measure == null || measure == cleanup.curve()) {
                    continue;
                }
                Double levelled = levelsOff(measure, cleanup, measure.scale() == Scale.LINEAR);
                if (levelled == null) {
                    continue;
                }
                if (levelled.isNaN()) {
                    ends.add(Double.POSITIVE_INFINITY);
                    notes.add(measure.metric().wireName() + " is still changing fast at the last step");
                    continue;
                }
                ends.add(levelled);
                levelEvidence.add(CurveEvidence.at(measure, levelled, CurveEvidence.label(measure)
                        + (measure.scale() == Scale.LINEAR ? " stops rising fast" : " stops falling fast")));
            }
            Collections.sort(ends);
            double median = ends.get(ends.size() / 2);
            if (Double.isInfinite(median)) {
                end = null;
                notes.add("cleanup has no end yet: most of its measures still change fast at the last step");
            } else {
                end = median;
            }
            evidence.addAll(levelEvidence);
        }
        if (cleanup.end() == null) {
            notes.add(cleanup.curve().metric().wireName() + " is still falling fast at the last step (" + lastStep
                    + "): cleanup has no end yet");
        }
        return new Phase(PhaseName.CLEANUP, Math.round(cleanup.start()), end == null ? null : Math.round(end),
                evidence);
    }

    /**
     * The progress measures cleanup is read from.
     *
     * @param weight      the weight norm (log₁₀)
     * @param restricted  restricted loss (log₁₀)
     * @param giniUnembed the Gini coefficient of W_L's Fourier spectrum
     * @param giniEmbed   the Gini coefficient of W_E's Fourier spectrum
     */
    record Measures(SmoothedCurve weight, SmoothedCurve restricted, SmoothedCurve giniUnembed,
            SmoothedCurve giniEmbed) {
    }

    /**
     * Where a measure's fast change during cleanup (the weight norm's fall, or a Gini coefficient's rise) ends: the
     * fast stretch around its steepest change between the start of cleanup and twice cleanup's length after its end,
     * ended by a hinge fit; null when it does not change fast there (or its fastest change lies before cleanup),
     * NaN when it still changes fast at the last step.
     */
    private static Double levelsOff(SmoothedCurve measure, Descent cleanup, boolean rises) {
        double from = cleanup.start();
        double until = cleanup.end() + 2 * (cleanup.end() - cleanup.start());
        int lo = Math.max(0, measure.indexAtOrAfter(from));
        int hi = Math.min(measure.last(), measure.indexAtOrBefore(until));
        if (hi - lo < 2 * MIN_FIT_REACH) {
            return null;
        }
        double sign = rises ? -1 : 1;
        int peak = rises ? measure.steepestRise(lo, hi) : measure.steepestDescent(lo, hi);
        double peakSlope = sign * measure.slope(peak);
        if (!(peakSlope < 0)) {
            return null;
        }
        // the change must be the measure's fastest of the run and large enough to matter
        int anywhere = rises ? measure.steepestRise(0, measure.last()) : measure.steepestDescent(0, measure.last());
        if (peakSlope > AS_FAST_AS * sign * measure.slope(anywhere)) {
            return null;
        }
        int end = peak;
        while (end + 1 <= measure.last() && sign * measure.slope(end + 1) <= FastDescents.FAST_FRACTION * peakSlope) {
            end++;
        }
        int start = peak;
        while (start - 1 >= 0 && sign * measure.slope(start - 1) <= FastDescents.FAST_FRACTION * peakSlope) {
            start--;
        }
        double moved = Math.abs(measure.smooth(end) - measure.smooth(start));
        // a change that noise of this size could make is not one to end cleanup by
        if (moved < (rises ? MIN_GINI_RISE : MIN_NORM_MOVE) || moved < NOISE_MULTIPLE * measure.noise()) {
            return null;
        }
        if (measure.last() - end < CONFIRM_POINTS) {
            return Double.NaN;
        }
        int reach = Math.max(MIN_FIT_REACH, end - start);
        return TurningPoints.endOfFastChange(measure, peak, Math.min(measure.last(), end + reach), sign)
                .orElse(measure.step(end));
    }

    private static List<Evidence> evidence(Descent cleanup, Measures measures, long lastStep) {
        SmoothedCurve drop = cleanup.curve();
        double end = cleanup.end() == null ? lastStep : cleanup.end();
        List<Evidence> found = new ArrayList<>();
        found.add(CurveEvidence.at(drop, cleanup.start(), CurveEvidence.label(drop) + " starts falling fast"));
        found.add(CurveEvidence.at(drop, drop.step(cleanup.peak()), String.format(Locale.ROOT,
                "%s falls fastest: %s decades per 1000 steps", CurveEvidence.label(drop),
                CurveEvidence.rate(drop.slope(cleanup.peak())))));
        if (cleanup.end() != null) {
            found.add(CurveEvidence.at(drop, end, String.format(Locale.ROOT, "%s stops falling fast, down %.1f "
                    + "decades", CurveEvidence.label(drop), drop.smoothAt(cleanup.start()) - drop.smoothAt(end))));
        }
        SmoothedCurve weight = measures.weight();
        if (weight != null && weight != drop) {
            int from = Math.max(0, weight.indexAtOrAfter(cleanup.start()));
            int to = Math.min(weight.last(), Math.max(from, weight.indexAtOrBefore(end)));
            if (from <= to) {
                int fastest = weight.steepestDescent(from, to);
                int fastestAnywhere = weight.steepestDescent(0, weight.last());
                if (weight.slope(fastest) < 0) {
                    // "fastest" only when no other stretch of the run falls clearly faster (noise aside)
                    boolean runsFastest = weight.slope(fastest) <= AS_FAST_AS * weight.slope(fastestAnywhere);
                    found.add(CurveEvidence.at(weight, weight.step(fastest), runsFastest
                            ? String.format(Locale.ROOT, "weight norm falls fastest: %.1f %% per 1000 steps",
                                    CurveEvidence.percentPer1000(weight.slope(fastest)))
                            : String.format(Locale.ROOT, "weight norm falls %.1f %% per 1000 steps, less than its "
                                    + "fastest fall (%.1f %% at step %d)",
                                    CurveEvidence.percentPer1000(weight.slope(fastest)),
                                    CurveEvidence.percentPer1000(weight.slope(fastestAnywhere)),
                                    weight.recordedStepNear(weight.step(fastestAnywhere)))));
                }
            }
        }
        CurveEvidence.move(measures.restricted(), cleanup.start(), end, -MIN_LOSS_MOVE,
                "restricted loss keeps falling", found);
        giniRise(measures.giniUnembed(), cleanup.start(), end, "Gini of W_L", found);
        giniRise(measures.giniEmbed(), cleanup.start(), end, "Gini of W_E", found);
        return found;
    }

    private static void giniRise(SmoothedCurve gini, double from, double to, String what, List<Evidence> found) {
        if (gini == null) {
            return;
        }
        double rise = gini.smoothAt(to) - gini.smoothAt(from);
        if (rise >= MIN_GINI_RISE) {
            found.add(CurveEvidence.at(gini, to, String.format(Locale.ROOT, "%s jumps from %.2f to %.2f", what,
                    gini.recordedValueNear(from), gini.recordedValueNear(to))));
        }
    }
}
