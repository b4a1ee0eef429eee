package io.grokscope.jobs;

import io.grokscope.database.DatabaseOutage;

/**
 * Which failures are worth another attempt. A failure that will recur however often the run is retried (a spec the
 * engine refuses, a model too large for this instance's memory) fails the run at once, with its message, instead of
 * three times in a row; anything else (a database that stayed away, a bug that depends on timing) gets the job's
 * remaining attempts, with back-off.
 */
final class FailurePolicy {

    private FailurePolicy() {
    }

    /** True when retrying cannot help. */
    static boolean isPermanent(Throwable failure) {
        if (DatabaseOutage.isTransient(failure)) {
            return false;
        }
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            // The engine's and the spec reader's refusals: the same input gets the same answer next time.
            if (cause instanceof IllegalArgumentException) {
                return true;
            }
            // Heap or off-heap (JavaCPP) exhausted by this run's own allocations: the admission estimate let through
            // a model this instance cannot hold; it would exhaust it again.
            if (cause instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }
}
