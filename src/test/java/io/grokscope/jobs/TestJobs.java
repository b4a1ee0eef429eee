package io.grokscope.jobs;

import org.springframework.context.ApplicationContext;

/** Lets tests outside this package drive the job pool, which is off in tests, one claimed job at a time. */
public final class TestJobs {

    private TestJobs() {
    }

    /**
     * Claims the next queued job and trains it to its end on the calling thread.
     *
     * @return false when nothing was queued
     */
    public static boolean runNext(ApplicationContext context, String worker) {
        return context.getBean(JobWorker.class).runOnce(worker);
    }
}
