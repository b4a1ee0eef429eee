package io.grokscope.analysis;

import java.util.Optional;

/**
 * When a run's verdict can no longer change, so that it may stop before its budget ({@code stopWhenSettled}).
 *
 * <p>A run is settled when, analysed as if it ended at its last evaluation, it has generalized (verdict GROKKING or
 * COMPREHENSION, with the test accuracy's held milestone, so its hold window has passed), it is not in a dip below
 * the threshold, and its cleanup phase, where one was located, has closed. From then on nothing that decides the
 * verdict lies ahead: the memorization and generalization steps, and so the delay and its ratio, are in the past,
 * and later dips are reported as instabilities rather than moving the milestones. The phases, though, are located on
 * smoothed curves whose last points move as data arrives, so the run trains on for a margin after the settled step:
 * {@value #MARGIN_SHARE} of that step, and at least the hold window. Runs that never generalize never settle: they
 * might grok later, which is exactly what a budget is for.
 *
 * @param settledAt the step from which the verdict is fixed: the later of the generalization step and the end of
 *                  cleanup
 * @param stopAt    the first step at which the run may stop: {@code settledAt} plus the margin
 * @param reason    why, in words, for the run's record
 */
public record Settlement(long settledAt, long stopAt, String reason) {

    /** The margin after the settled step, as a share of it: the phases' ends move by less on the corpus runs. */
    public static final double MARGIN_SHARE = 0.25;

    /**
     * The settlement of a run analysed (with {@code running = false}) on its data up to {@code lastStep}; empty while
     * its verdict could still change.
     */
    public static Optional<Settlement> of(PhaseAnalysis analysis, long lastStep) {
        if (analysis.verdict() != Verdict.GROKKING && analysis.verdict() != Verdict.COMPREHENSION) {
            return Optional.empty();
        }
        Long generalized = analysis.generalizationStep();
        if (generalized == null) {
            return Optional.empty();
        }
        boolean inADip = analysis.instabilities().stream().anyMatch(dip -> !dip.recovered());
        if (inADip) {
            return Optional.empty();
        }
        long settledAt = generalized;
        String why = analysis.verdict() + " with test accuracy held from step " + generalized;
        Optional<Phase> cleanup = analysis.phase(PhaseName.CLEANUP);
        if (cleanup.isPresent()) {
            if (cleanup.get().endStep() == null) {
                return Optional.empty();
            }
            settledAt = Math.max(settledAt, cleanup.get().endStep());
            why += " and cleanup closed at step " + cleanup.get().endStep();
        }
        long margin = Math.max(Math.round(MARGIN_SHARE * settledAt), analysis.thresholds().holdSteps());
        long stopAt = settledAt + margin;
        if (lastStep < stopAt) {
            return Optional.empty();
        }
        return Optional.of(new Settlement(settledAt, stopAt, why + "; stopped after a margin of " + margin
                + " steps"));
    }
}
