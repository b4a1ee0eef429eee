package io.grokscope.analysis;

/**
 * What a run did, after Liu et al. (2022)'s four phases, judged on the data so far with {@link PhaseThresholds}.
 * Milestones count only accuracy that stays at or above its threshold to the end of the data.
 */
public enum Verdict {
    /** The run is still training; every other field of the analysis is provisional. */
    RUNNING,
    /** Train accuracy never stayed at its threshold: the network did not even fit its training set. */
    CONFUSION,
    /** Train accuracy did, test accuracy did not: it memorised without generalizing. */
    MEMORIZATION,
    /** Both did, test at least {@code grokkingMinDelay} steps after train: generalization came late. */
    GROKKING,
    /** Both did, within less than {@code grokkingMinDelay} steps of each other: it learned the rule directly. */
    COMPREHENSION
}
