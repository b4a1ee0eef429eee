package io.grokscope.jobs;

import java.util.ArrayDeque;

/**
 * Training speed as a moving average over wall time: steps done between the oldest and the newest sample within the
 * window, divided by the time between them. Fed once per heartbeat with the trainer's current step, it is steady on
 * a steady run, whatever the evaluation cadence (measuring between two evaluations made it jump between two values
 * whenever evaluations and heartbeats did not line up).
 */
final class StepRate {

    private final long windowNanos;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanos, step}

    StepRate(java.time.Duration window) {
        this.windowNanos = window.toNanos();
    }

    /**
     * Records that the run was at {@code step} at {@code nanos} (any monotonic clock), and returns the speed in steps
     * per second, or null until two samples span some time.
     */
    Double sample(long nanos, long step) {
        if (!samples.isEmpty() && step < samples.peekLast()[1]) {
            samples.clear(); // resumed from an earlier checkpoint: a new run as far as speed goes
        }
        samples.addLast(new long[] { nanos, step });
        // Keep one sample at or beyond the window's start, so the average always spans the whole window.
        while (samples.size() > 2) {
            long[] second = secondOldest();
            if (nanos - second[0] >= windowNanos) {
                samples.removeFirst();
            } else {
                break;
            }
        }
        long[] oldest = samples.peekFirst();
        long elapsed = nanos - oldest[0];
        if (elapsed <= 0) {
            return null;
        }
        return (step - oldest[1]) * 1e9 / elapsed;
    }

    private long[] secondOldest() {
        var iterator = samples.iterator();
        iterator.next();
        return iterator.next();
    }
}
