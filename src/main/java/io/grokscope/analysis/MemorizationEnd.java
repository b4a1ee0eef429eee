package io.grokscope.analysis;

import static io.grokscope.analysis.CurveEvidence.MIN_LOSS_MOVE;
import static io.grokscope.analysis.TurningPoints.CONFIRM_POINTS;
import static io.grokscope.analysis.TurningPoints.MIN_FIT_REACH;

import java.util.List;
import java.util.Optional;

/**
 * Where memorization ends, from the two measures that stop falling then (Nanda et al. §5.2): train loss, once its
 * fast first drop and the slower fall after it have flattened ({@link #trainLoss}), and excluded loss, at the turn
 * where it stops falling and starts to rise ({@link #excludedLossTurn}). {@link PhaseLocator} takes the later of the
 * two.
 */
final class MemorizationEnd {

    /** A train-loss fall at least this fraction as fast as its steepest still counts as memorization going on. */
    static final double SLOW_FALL_FRACTION = 0.05;
    /** After the end of memorization train loss falls at most this fraction as fast as just before it. */
    static final double FLAT_FRACTION = 0.25;
    /** Grid points at the end of the data (5 % of the span) that say whether train loss is still falling. */
    static final int TAIL_POINTS = 20;

    private MemorizationEnd() {
    }

    /**
     * Where train loss stops falling.
     *
     * @param fastKnee     where its fast first drop ends
     * @param end          where it stops falling altogether (at or after {@code fastKnee}); null when it is still
     *                     falling at the last step
     * @param stillFalling whether {@code end} is null because train loss still falls at the last step
     */
    record TrainLoss(double fastKnee, Double end, boolean stillFalling) {
    }

    /**
     * Where train loss stops falling. It first drops fast (the network fits most of its training set within a few
     * hundred steps) and often goes on falling more slowly for much longer (Nanda et al.: fast to ~150, then slower
     * until ~1.4k), so the knee of the fast drop is only where memorization slows, not where it ends:
     * <ol>
     * <li>the fast knee: a hinge fit from the drop's steepest point to twice its length beyond it, before any
     * cleanup, placed where the fit flattens;</li>
     * <li>the end: a second hinge from the fast knee to the start of cleanup (or the last point). Its knot counts when
     * its left arm still falls at least {@value #SLOW_FALL_FRACTION} as fast as the steepest point and by at least
     * {@value CurveEvidence#MIN_LOSS_MOVE} decades, its right arm falls at most {@value #FLAT_FRACTION} as fast as
     * the left, and {@value TurningPoints#CONFIRM_POINTS} points follow it. Otherwise the fast knee is the end, unless
     * no cleanup follows and a straight line through the last {@value #TAIL_POINTS} points still falls at
     * {@value #SLOW_FALL_FRACTION} of the steepest rate: then the end is not in the data yet.</li>
     * </ol>
     *
     * @param fit     train loss's fast first drop
     * @param cleanup the cleanup drop, or null
     * @return null when fewer than {@value TurningPoints#CONFIRM_POINTS} points follow the fast drop
     */
    static TrainLoss trainLoss(Descent fit, Descent cleanup) {
        SmoothedCurve train = fit.curve();
        if (train.last() - fit.hi() < CONFIRM_POINTS) {
            return null;
        }
        int beforeCleanup = train.last();
        if (cleanup != null) {
            int lastBefore = train.indexAtOrBefore(cleanup.start()) - 1;
            if (lastBefore >= fit.hi()) {
                beforeCleanup = lastBefore;
            }
        }
        int reach = Math.max(MIN_FIT_REACH, fit.hi() - fit.lo());
        int limit = Math.min(beforeCleanup, fit.hi() + 2 * reach);
        double fastKnee = TurningPoints.endOfFastChange(train, fit.peak(), limit, 1).orElse(train.step(fit.hi()));

        double steepest = train.slope(fit.peak());
        int from = train.indexAtOrAfter(fastKnee);
        Optional<HingeFit> flattening = HingeFit.best(train.steps(), train.despiked(), from, beforeCleanup);
        if (flattening.isPresent()) {
            HingeFit hinge = flattening.get();
            boolean stillFellBefore = hinge.leftSlope() <= SLOW_FALL_FRACTION * steepest
                    && -hinge.leftSlope() * (hinge.knot() - train.step(from)) >= MIN_LOSS_MOVE;
            boolean flatAfter = hinge.rightSlope() >= FLAT_FRACTION * hinge.leftSlope();
            if (stillFellBefore && flatAfter && TurningPoints.confirmed(train, hinge.knot())) {
                return new TrainLoss(fastKnee, hinge.knot(), false);
            }
        }
        if (beforeCleanup == train.last()) {
            int tailFrom = Math.max(from, train.last() - TAIL_POINTS + 1);
            if (train.last() - tailFrom + 1 >= CONFIRM_POINTS
                    && TurningPoints.lineSlope(train, tailFrom, train.last()) <= SLOW_FALL_FRACTION * steepest) {
                return new TrainLoss(fastKnee, null, true);
            }
        }
        return new TrainLoss(fastKnee, fastKnee, false);
    }

    /**
     * The step where excluded loss stops falling and starts to rise, searched from {@code from} to the start of
     * cleanup; null unless it fell into its minimum and rose by {@value CurveEvidence#MIN_LOSS_MOVE} decades after
     * it. Placed by a hinge fit that does not reach back before {@code from} (into train loss's fast first drop, which
     * excluded loss shares). Why a turn cannot be found is added to {@code notes}.
     */
    static Double excludedLossTurn(SmoothedCurve excluded, double from, Descent cleanup, List<String> notes) {
        int lo = Math.min(excluded.last(), excluded.indexAtOrAfter(from));
        int hi = excluded.last();
        if (cleanup != null) {
            // the turn lies before cleanup, always: a series that starts after cleanup began has none to show
            if (cleanup.start() <= excluded.step(lo)) {
                notes.add("excluded loss is recorded only from step " + Math.round(excluded.step(0)) + ", after "
                        + "cleanup began, so it cannot show the end of memorization; that rests on train loss");
                return null;
            }
            hi = Math.max(lo, excluded.indexAtOrBefore(cleanup.start()));
        }
        int minimum = excluded.argMin(lo, hi);
        if (hi - minimum < CONFIRM_POINTS) {
            return null;
        }
        double rise = excluded.smooth(excluded.argMax(minimum, hi)) - excluded.smooth(minimum);
        double fall = excluded.smooth(excluded.argMax(0, minimum)) - excluded.smooth(minimum);
        if (rise < MIN_LOSS_MOVE) {
            return null;
        }
        if (fall < MIN_LOSS_MOVE) {
            notes.add("excluded loss rises from its first point (step " + Math.round(excluded.step(0))
                    + "), so its turning point is not in the data; the end of memorization rests on train loss");
            return null;
        }
        int reach = Math.max(MIN_FIT_REACH, (hi - lo) / 4);
        // the fit starts no earlier than the search: before it lies the fast first drop, a different straight line
        Optional<HingeFit> turn = HingeFit.best(excluded.steps(), excluded.despiked(), Math.max(lo, minimum - reach),
                Math.min(hi, minimum + reach));
        if (turn.isPresent() && turn.get().leftSlope() < 0 && turn.get().rightSlope() > 0) {
            return turn.get().knot();
        }
        return excluded.step(minimum);
    }
}
