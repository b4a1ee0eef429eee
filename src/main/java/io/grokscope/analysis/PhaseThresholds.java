package io.grokscope.analysis;

/**
 * The thresholds that turn accuracy curves into milestones and a verdict (the spec's {@code analysis} block). The
 * accuracy defaults are Power et al.'s 99 %.
 *
 * <p>The grokking delay is judged relative to the run, so that the same curves on another step axis (epochs instead
 * of steps, an evaluation every 10 steps instead of every 100) get the same verdict: generalization counts as late
 * when test accuracy stays on its floor for at least {@code grokkingMinDelayRatio} × the memorization step after
 * memorization before it rises (a plateau, see {@link PhaseAnalyzer}). Liu et al.'s
 * absolute 10³-step gap was set for their 10⁵-step budget; a 3 000-step MLP run or a run logged in epochs of 10 steps
 * cannot be judged by it. {@code grokkingMinDelay} remains as an absolute floor in steps.
 *
 * <p>A located phase shorter than {@code minPhaseShare} × the run's span (first to last recorded step), and than
 * {@code minPhaseSteps}, is not reported as a phase of its own: {@link MinimumPhaseDuration} merges it into its
 * neighbour, with a note. The default share is the width of the moving average every curve is smoothed with before
 * a boundary is placed (±1 % of the span, see {@link SmoothedCurve}): two boundaries closer than that were read off
 * the same smoothed stretch, so the phase between them is not resolved by the data, and on the labelled corpus the
 * phases this gives are the ones that noise makes (0.3–1.5 % of the span; every unperturbed phase lasts at least
 * 5 %). It is a share of the span, not of the generalization step, because every run has a span and the smoothing
 * is a share of it. The absolute floor defaults to none, for the same reason as {@code grokkingMinDelay}'s: any
 * floor in steps would drop phases from the same curves logged on a step axis ×0.1 (in epochs) that it keeps on
 * the original axis; a client that knows its units can set one.
 *
 * @param memorization          train accuracy at which the run counts as having fit its training set, in (0, 1]
 * @param generalization        test accuracy at which it counts as having generalized, in (0, 1]
 * @param grokkingMinDelay      the smallest generalization − memorization delay (steps) called grokking, ≥ 0: an
 *                              absolute floor
 * @param grokkingMinDelayRatio the smallest delay, as a multiple of the memorization step, called grokking, ≥ 0
 * @param holdSteps             how many steps an accuracy must hold its threshold (within {@code tolerance}) from a
 *                              crossing for that crossing to be the milestone (or until the data end), ≥ 0
 * @param tolerance             how far below its threshold an accuracy may fall and still hold it (hysteresis:
 *                              reaching needs the threshold, holding the threshold − tolerance), in [0, 1)
 * @param maxTransitionShare    the largest width of the test-accuracy rise (10 % → 90 % of it, in steps) as a share
 *                              of the delay that is still called grokking: a wider rise is a gradual drift, not a
 *                              late sudden jump; &gt; 0
 * @param minPhaseShare         the shortest phase reported on its own, as a share of the run's span; in [0, 1)
 * @param minPhaseSteps         the shortest phase reported on its own, in steps: an absolute floor, ≥ 0
 */
public record PhaseThresholds(double memorization, double generalization, long grokkingMinDelay,
        double grokkingMinDelayRatio, long holdSteps, double tolerance, double maxTransitionShare,
        double minPhaseShare, long minPhaseSteps) {

    /**
     * The default absolute floor of the delay: none, so that the relative rule alone decides and the verdict is the
     * same on every step axis (a run logged in epochs, or every 10 steps); Liu et al.'s 1 000 suits a 10⁵-step budget.
     */
    public static final long DEFAULT_MIN_DELAY = 0;
    public static final double DEFAULT_MIN_DELAY_RATIO = 1.0;
    public static final long DEFAULT_HOLD_STEPS = 500;
    public static final double DEFAULT_TOLERANCE = 0.01;
    public static final double DEFAULT_MAX_TRANSITION_SHARE = 0.7;
    /** The full width of the smoothing window, as a share of the span: the resolution of a phase boundary. */
    public static final double DEFAULT_MIN_PHASE_SHARE = 2.0 * SmoothedCurve.SMOOTH_REACH / SmoothedCurve.GRID;
    /** No absolute floor by default, so that the phases are the same on every step axis. */
    public static final long DEFAULT_MIN_PHASE_STEPS = 0;

    /**
     * 0.99, 0.99, a plateau of at least 1 × the memorization step, held 500 steps within 0.01, phases of at least
     * 2 % of the run.
     */
    public static final PhaseThresholds DEFAULTS = new PhaseThresholds(0.99, 0.99, DEFAULT_MIN_DELAY);

    public PhaseThresholds {
        if (!(memorization > 0 && memorization <= 1)) {
            throw new IllegalArgumentException("memorization threshold must be in (0, 1], was " + memorization);
        }
        if (!(generalization > 0 && generalization <= 1)) {
            throw new IllegalArgumentException("generalization threshold must be in (0, 1], was " + generalization);
        }
        if (grokkingMinDelay < 0) {
            throw new IllegalArgumentException("grokkingMinDelay must be >= 0, was " + grokkingMinDelay);
        }
        if (!(grokkingMinDelayRatio >= 0) || Double.isInfinite(grokkingMinDelayRatio)) {
            throw new IllegalArgumentException("grokkingMinDelayRatio must be >= 0, was " + grokkingMinDelayRatio);
        }
        if (holdSteps < 0) {
            throw new IllegalArgumentException("holdSteps must be >= 0, was " + holdSteps);
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), was " + tolerance);
        }
        if (!(maxTransitionShare > 0) || Double.isInfinite(maxTransitionShare)) {
            throw new IllegalArgumentException("maxTransitionShare must be > 0, was " + maxTransitionShare);
        }
        if (!(minPhaseShare >= 0 && minPhaseShare < 1)) {
            throw new IllegalArgumentException("minPhaseShare must be in [0, 1), was " + minPhaseShare);
        }
        if (minPhaseSteps < 0) {
            throw new IllegalArgumentException("minPhaseSteps must be >= 0, was " + minPhaseSteps);
        }
    }

    /** The accuracy thresholds and absolute floor, with the other thresholds at their defaults. */
    public PhaseThresholds(double memorization, double generalization, long grokkingMinDelay) {
        this(memorization, generalization, grokkingMinDelay, DEFAULT_MIN_DELAY_RATIO, DEFAULT_HOLD_STEPS,
                DEFAULT_TOLERANCE, DEFAULT_MAX_TRANSITION_SHARE, DEFAULT_MIN_PHASE_SHARE, DEFAULT_MIN_PHASE_STEPS);
    }

    /**
     * The shortest phase reported on its own in a run spanning {@code span} steps: the larger of
     * {@code minPhaseShare} × the span and {@code minPhaseSteps}.
     */
    public double minPhaseDuration(long span) {
        return Math.max(minPhaseSteps, minPhaseShare * span);
    }
}
