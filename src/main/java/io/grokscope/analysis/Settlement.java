package io.grokscope.analysis;

import java.util.List;
import java.util.Optional;

/**
 * When a training run's analysis can no longer change, so that the run may stop before its budget
 * ({@code stopWhenSettled}). One instance follows one run: {@link #observe} is given the run's analysis on its data
 * so far, again and again as it trains, and says when the run may stop.
 *
 * <h2>The rule</h2>
 * A run is a <em>candidate</em> when, analysed as if it ended now, it has generalized (verdict GROKKING or
 * COMPREHENSION with the test accuracy's held milestone, so its hold window has passed), it is not in a dip below the
 * threshold, and its cleanup phase, where one was located, has closed. From then on nothing that decides the verdict
 * lies ahead: the milestones, and so the delay and its ratio, are in the past, and later dips are reported as
 * instabilities rather than moving the milestones.
 *
 * <p>The phases, though, are located on smoothed curves, and the end of a slow cleanup can move while data arrives
 * (on the labelled corpus, a rule that stopped a fixed margin after the first candidate moved an MLP's cleanup end
 * by up to 35 % of its generalization step). So the run may stop only once its analysis has <em>held still</em>: the
 * same verdict, milestones and phases, every boundary within {@value #DRIFT_SHARE} of the generalization step of
 * where it lay, for a margin of {@value #MARGIN_SHARE} of the settled step (at least the hold window) of further
 * training. Any change starts the margin again from the new analysis. Runs that never generalize never settle: they
 * might grok later, which is what a budget is for.
 */
public final class Settlement {

    /** The margin a candidate must hold still for, as a share of its settled step. */
    public static final double MARGIN_SHARE = 0.25;
    /** How far a boundary may move during the margin, as a share of the generalization step. */
    public static final double DRIFT_SHARE = 0.05;

    /**
     * A run that may stop.
     *
     * @param settledAt the step from which the analysis is fixed: the later of the generalization step and the end of
     *                  cleanup
     * @param stopAt    the step at which it was found to hold still for the margin
     * @param reason    why, in words, for the run's record
     */
    public record Settled(long settledAt, long stopAt, String reason) {
    }

    private PhaseAnalysis candidate;
    private long candidateSince;

    /**
     * Follows the run: {@code analysis} is its analysis on its data up to {@code lastStep} (as if it ended there).
     * Returns the settlement once the run may stop; empty while its analysis could still change.
     */
    public Optional<Settled> observe(PhaseAnalysis analysis, long lastStep) {
        Optional<Long> settledAt = settledStep(analysis);
        if (settledAt.isEmpty()) {
            candidate = null;
            return Optional.empty();
        }
        if (candidate == null || !holdsStill(candidate, analysis)) {
            candidate = analysis;
            candidateSince = lastStep;
            return Optional.empty();
        }
        long margin = Math.max(Math.round(MARGIN_SHARE * settledAt.get()), analysis.thresholds().holdSteps());
        if (lastStep < Math.max(settledAt.get(), candidateSince) + margin) {
            return Optional.empty();
        }
        Optional<Phase> cleanup = analysis.phase(PhaseName.CLEANUP);
        String reason = analysis.verdict() + " with test accuracy held from step " + analysis.generalizationStep()
                + cleanup.map(c -> " and cleanup closed at step " + c.endStep()).orElse("")
                + "; the analysis held still for " + (lastStep - candidateSince) + " steps (margin " + margin + ")";
        return Optional.of(new Settled(settledAt.get(), lastStep, reason));
    }

    /** The settled step of a candidate analysis: empty when it is not one. */
    static Optional<Long> settledStep(PhaseAnalysis analysis) {
        if (analysis.verdict() != Verdict.GROKKING && analysis.verdict() != Verdict.COMPREHENSION) {
            return Optional.empty();
        }
        Long generalized = analysis.generalizationStep();
        if (generalized == null || analysis.instabilities().stream().anyMatch(dip -> !dip.recovered())) {
            return Optional.empty();
        }
        Optional<Phase> cleanup = analysis.phase(PhaseName.CLEANUP);
        if (cleanup.isPresent() && cleanup.get().endStep() == null) {
            return Optional.empty();
        }
        return Optional.of(Math.max(generalized, cleanup.map(Phase::endStep).orElse(generalized)));
    }

    /** Whether {@code now} says what {@code before} said: verdict, milestones, phases, boundaries within drift. */
    private static boolean holdsStill(PhaseAnalysis before, PhaseAnalysis now) {
        if (before.verdict() != now.verdict() || !java.util.Objects.equals(before.memorizationStep(),
                now.memorizationStep()) || !java.util.Objects.equals(before.generalizationStep(),
                now.generalizationStep())) {
            return false;
        }
        List<Phase> a = before.phases();
        List<Phase> b = now.phases();
        if (a.size() != b.size()) {
            return false;
        }
        double drift = DRIFT_SHARE * now.generalizationStep();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).name() != b.get(i).name() || !near(a.get(i).startStep(), b.get(i).startStep(), drift)
                    || !near(a.get(i).endStep(), b.get(i).endStep(), drift)) {
                return false;
            }
        }
        return true;
    }

    private static boolean near(Long x, Long y, double drift) {
        return x == null || y == null ? java.util.Objects.equals(x, y) : Math.abs(x - y) <= drift;
    }
}
