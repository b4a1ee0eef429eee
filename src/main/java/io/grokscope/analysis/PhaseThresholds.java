package io.grokscope.analysis;

/**
 * The accuracy thresholds and minimum delay that turn accuracy curves into milestones and a verdict (the spec's
 * {@code analysis} block). The defaults are Power et al.'s 99 % and Liu et al.'s 10³-step gap.
 *
 * @param memorization     train accuracy at which the run counts as having fit its training set, in (0, 1]
 * @param generalization   test accuracy at which it counts as having generalized, in (0, 1]
 * @param grokkingMinDelay the smallest generalization − memorization delay (steps) called grokking, ≥ 0
 */
public record PhaseThresholds(double memorization, double generalization, long grokkingMinDelay) {

    /** 0.99, 0.99 and 1000 steps. */
    public static final PhaseThresholds DEFAULTS = new PhaseThresholds(0.99, 0.99, 1000);

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
    }
}
