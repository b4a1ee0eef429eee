package io.grokscope.jobs;

import org.springframework.context.ApplicationContext;

/**
 * Lets integration tests of other features run queued jobs one at a time on the shared context's job pool (its
 * background workers are disabled in tests), as {@link JobPoolTest} does with {@link JobWorker#runOnce}.
 */
public final class JobPoolDriver {

    private JobPoolDriver() {
    }

    /** Claims one job and runs it to its end on the calling thread; false when the queue was empty. */
    public static boolean runOnce(ApplicationContext context, String worker) {
        return context.getBean(JobWorker.class).runOnce(worker);
    }
}
