package grokscope.bench;

import java.util.concurrent.ConcurrentLinkedQueue;

/** Request latencies of one kind, recorded concurrently by many client threads and read once at the end. */
final class Latencies {

    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();

    void record(long startNanos) {
        nanos.add(System.nanoTime() - startNanos);
    }

    int count() {
        return nanos.size();
    }

    /** The latencies in milliseconds at these quantiles (0.5 = median), nearest rank; NaN when none was recorded. */
    double[] millisAt(double... quantiles) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        double[] millis = new double[quantiles.length];
        for (int i = 0; i < quantiles.length; i++) {
            millis[i] = sorted.length == 0 ? Double.NaN
                    : sorted[Math.min(sorted.length - 1, (int) (sorted.length * quantiles[i]))] / 1e6;
        }
        return millis;
    }

    /** Sleeps, ignoring non-positive durations; an interrupt ends the sleep and stays set. */
    static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
