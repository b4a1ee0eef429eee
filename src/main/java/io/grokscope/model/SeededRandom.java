package io.grokscope.model;

/**
 * A small deterministic random generator owned by one training run: SplitMix64 (Steele, Lea and Flood 2014) with
 * Box-Muller Gaussians.
 *
 * <p>Why not {@code Nd4j.getRandom()}: that generator is per-thread shared state, so whichever worker thread runs a job
 * would decide its random stream, and a second run on the same thread would continue the first one's stream. Why not
 * {@link java.util.SplittableRandom}: its state cannot be read back, and a checkpoint must restore the exact stream.
 * Here the whole state is one {@code long} ({@link #state()}, {@link #fromState(long)}), and every draw is a pure
 * function of it, so a run resumed from a checkpoint draws exactly what the uninterrupted run would have drawn.
 *
 * <p>Gaussians use Box-Muller with {@link StrictMath} and no cached second value, so the state stays a single long and
 * the numbers are identical on every JVM and platform.
 */
public final class SeededRandom {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /** A generator whose stream is determined by {@code seed}. */
    public SeededRandom(long seed) {
        this.state = seed;
    }

    /** A generator continuing exactly where the one whose {@link #state()} was saved left off. */
    public static SeededRandom fromState(long state) {
        return new SeededRandom(state);
    }

    /**
     * An independent stream derived from a seed and a stream number, so that e.g. the initialisation and the minibatch
     * order of one run do not consume each other's numbers (changing the model size does not change the batches).
     */
    public static SeededRandom stream(long seed, long streamId) {
        return new SeededRandom(mix(seed ^ mix(streamId + GOLDEN_GAMMA)));
    }

    /** The complete state: {@code fromState(state())} continues this stream. */
    public long state() {
        return state;
    }

    /** Uniformly distributed 64 bits. */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform in [0, bound), without modulo bias (rejection of the last partial block, as java.util.Random). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        while (true) {
            long bits = nextLong() >>> 1; // 63 uniform bits
            long r = bits % bound;
            if (bits - r + (bound - 1) >= 0) { // reject the last, partial block of size < bound
                return (int) r;
            }
        }
    }

    /** A standard normal draw (Box-Muller; consumes two uniforms). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // in (0, 1], so the log is finite
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Fisher-Yates shuffle of {@code values} in place. */
    public void shuffle(int[] values) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
