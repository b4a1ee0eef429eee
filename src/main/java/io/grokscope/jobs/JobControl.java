package io.grokscope.jobs;

/**
 * The flags a running job is stopped by, set from the heartbeat thread or the worker's shutdown, read by the training
 * thread between steps; and the progress the heartbeat reports.
 */
final class JobControl {

    enum Stop { NONE, CANCELLED, LEASE_LOST, SHUTDOWN, SETTLED }

    private volatile Stop stop = Stop.NONE;
    private volatile long step;
    private long counted; // guarded by this: the step up to which trained steps were reported
    private volatile boolean stalled;
    private volatile double stepsPerSecond;
    private volatile io.grokscope.metrics.MetricSink sink;
    private volatile io.grokscope.analysis.Settlement.Settled settled;

    boolean stopRequested() {
        return stop != Stop.NONE;
    }

    Stop stop() {
        return stop;
    }

    void cancel() {
        request(Stop.CANCELLED);
    }

    void leaseLost() {
        stop = Stop.LEASE_LOST; // overrides any other reason: nothing may be written any more
    }

    void shutdown() {
        request(Stop.SHUTDOWN);
    }

    /** The run's analysis can no longer change and it asked to stop then ({@code stopWhenSettled}). */
    void settled(io.grokscope.analysis.Settlement.Settled settlement) {
        this.settled = settlement;
        request(Stop.SETTLED);
    }

    /** Why the run may stop early, once {@link #stop()} is SETTLED. */
    io.grokscope.analysis.Settlement.Settled settlement() {
        return settled;
    }

    /** The watchdog gave up on this run (no step for too long): its attempt was failed, nothing more is written. */
    void stalled() {
        stalled = true;
        leaseLost();
    }

    boolean isStalled() {
        return stalled;
    }

    private synchronized void request(Stop reason) {
        if (stop == Stop.NONE) {
            stop = reason;
        }
    }

    /** Called by the training thread after every update (a volatile write: nothing else). */
    void reached(long step) {
        this.step = step;
    }

    long step() {
        return step;
    }

    /** A resumed run starts at its checkpoint's step; the steps before it were counted by the attempt that made them. */
    synchronized void resumedAt(long step) {
        this.step = step;
        this.counted = step;
    }

    /**
     * The steps trained since the last call, for the trained-steps counter: taken at each heartbeat and once more when
     * the run ends, so a run shorter than a heartbeat interval is counted too.
     */
    synchronized long takeTrained() {
        long now = step;
        long trained = Math.max(0, now - counted);
        counted = Math.max(counted, now);
        return trained;
    }

    /** The training speed the heartbeat last measured (0 until it has). */
    void measured(double stepsPerSecond) {
        this.stepsPerSecond = stepsPerSecond;
    }

    double stepsPerSecond() {
        return stepsPerSecond;
    }

    void writingTo(io.grokscope.metrics.MetricSink sink) {
        this.sink = sink;
    }

    /** Metric points of this run waiting to be written; 0 before its sink opens and after it closes. */
    long sinkBacklog() {
        io.grokscope.metrics.MetricSink current = sink;
        return current == null ? 0 : current.backlog();
    }
}
