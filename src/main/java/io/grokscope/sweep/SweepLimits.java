package io.grokscope.sweep;

/**
 * Bounds on every size a client controls in a sweep, checked before anything is expanded. The grid size itself is
 * bounded by {@code grokscope.limits.sweep-experiments} (and by the queue); these keep the request and its checks
 * small.
 */
final class SweepLimits {

    /** Leaves room in an experiment's name (at most 100) for the "/cell/sSEED" suffix, a 19-digit seed included. */
    static final int MAX_NAME_LENGTH = 60;
    static final int MAX_AXES = 8;
    static final int MAX_VALUES_PER_AXIS = 100;
    static final int MAX_SEEDS = 100;
    static final int MAX_PATH_LENGTH = 100;
    static final int MAX_STRING_VALUE_LENGTH = 200;
    /** Errors reported for one request; the rest are counted in the last one. */
    static final int MAX_ERRORS = 50;
    /** Filters ({@code where}) in a diagram or summary request. */
    static final int MAX_FILTERS = SweepLimits.MAX_AXES;
    static final int MAX_FILTER_LENGTH = MAX_PATH_LENGTH + 1 + MAX_STRING_VALUE_LENGTH;

    private SweepLimits() {
    }
}
