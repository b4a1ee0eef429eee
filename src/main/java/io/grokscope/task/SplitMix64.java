package io.grokscope.task;

/**
 * Steele, Lea and Flood's SplitMix64 generator (the reference constants of Vigna's {@code splitmix64.c}), owned here
 * so that a seed's train/test split is fixed by this file alone, on every JVM and in any re-implementation, rather
 * than by a library whose algorithm could change.
 *
 * <p>Not thread-safe; create one per use.
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform int in {@code 0..bound-1}, from the high 32 bits with rejection so that no value is favoured. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, was " + bound);
        }
        long range = 1L << 32;
        long limit = range - range % bound; // the largest multiple of bound that 32 bits can reach
        long candidate;
        do {
            candidate = nextLong() >>> 32;
        } while (candidate >= limit);
        return (int) (candidate % bound);
    }
}
