package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Synthetic metric histories whose change points are known because they were put there: each metric is a
 * piecewise-linear curve through given knots, on log₁₀ for losses and norms (so a phase is an exponential fall or
 * rise, as in real runs) and on the value itself for accuracies and Gini coefficients, sampled at every eval step.
 * Seeded noise, single-point overrides (spikes, NaN) and late-starting series are added on request, so a test states
 * exactly how its curves differ from the clean ones.
 *
 * <p>Mutable builder, one per test.
 */
final class SyntheticRun {

    /** A curve through knots (step, value), interpolated linearly on its scale and held flat beyond the last knot. */
    private record Knots(double[] steps, double[] values, boolean logScale) {

        double at(double step) {
            if (step <= steps[0]) {
                return unscale(values[0]);
            }
            for (int i = 1; i < steps.length; i++) {
                if (step <= steps[i]) {
                    double t = (step - steps[i - 1]) / (steps[i] - steps[i - 1]);
                    return unscale(values[i - 1] + t * (values[i] - values[i - 1]));
                }
            }
            return unscale(values[values.length - 1]);
        }

        private double unscale(double v) {
            return logScale ? Math.pow(10, v) : v;
        }
    }

    /** The true milestones and phase boundaries of {@link #nandaLike()}. */
    static final long MEMORIZATION_STEP = 200;
    static final long GENERALIZATION_STEP = 11_000;
    static final long MEMORIZATION_END = 1400;
    static final long CLEANUP_START = 9400;
    static final long CLEANUP_END = 14_000;

    private final long evalEvery;
    private final long lastStep;
    private final Map<Metric, Knots> curves = new EnumMap<>(Metric.class);
    private final Map<Metric, Long> startSteps = new EnumMap<>(Metric.class);
    private final Map<Metric, Map<Long, Double>> overrides = new EnumMap<>(Metric.class);
    private long noiseSeed;
    private double logNoiseDecades;
    private double accuracyNoise;

    private SyntheticRun(long evalEvery, long lastStep) {
        this.evalEvery = evalEvery;
        this.lastStep = lastStep;
    }

    /** An empty run evaluated at 0, evalEvery, 2·evalEvery, … up to and including lastStep. */
    static SyntheticRun evaluatedEvery(long evalEvery, long lastStep) {
        return new SyntheticRun(evalEvery, lastStep);
    }

    /**
     * A run shaped like Nanda et al.'s mainline model (their Fig. 7), 20k steps evaluated every 100, with its phase
     * boundaries at exactly {@link #MEMORIZATION_END}, {@link #CLEANUP_START} and {@link #CLEANUP_END}:
     * <ul>
     * <li>train loss falls fast to step 100, then more slowly, and flattens at 1400; almost flat until 9400; falls
     * three decades in cleanup;</li>
     * <li>test loss rises while the training set is memorised, stays high, and collapses in cleanup;</li>
     * <li>excluded loss falls with train loss, rises from 1400 to 9400 and plateaus;</li>
     * <li>restricted loss stays high, falls from 1400 and falls fastest in cleanup;</li>
     * <li>weight norm rises a little, falls slowly from 1400 and fastest in cleanup; the Gini coefficients creep up
     * and then jump in cleanup;</li>
     * <li>train accuracy ≥ 0.99 from step 200 on ({@link #MEMORIZATION_STEP}); test accuracy flat near chance until
     * 9400 and ≥ 0.99 from step 11000 on ({@link #GENERALIZATION_STEP}).</li>
     * </ul>
     */
    static SyntheticRun nandaLike() {
        return nandaLikeWithCleanupFrom(CLEANUP_START);
    }

    /**
     * {@link #nandaLike()} with cleanup (and with it the end of circuit formation and the test-accuracy jump) moved
     * to begin at {@code cleanupStart}: cleanup lasts 4600 steps and test accuracy holds 0.99 from 1600 steps after
     * it begins, as in {@link #nandaLike()}.
     */
    static SyntheticRun nandaLikeWithCleanupFrom(long cleanupStart) {
        double c = cleanupStart;
        double end = c + (CLEANUP_END - CLEANUP_START);
        return evaluatedEvery(100, 20_000)
                .logCurve(Metric.TRAIN_LOSS, 0, 4.73, 100, 0.1, 1400, 1e-3, c, 6e-4, end, 3e-7, 20_000, 1.5e-7)
                .logCurve(Metric.TEST_LOSS, 0, 4.73, 1400, 20, c, 22, end, 3e-6, 20_000, 1e-6)
                .logCurve(Metric.EXCLUDED_LOSS, 0, 4.73, 100, 0.16, 1400, 1.6e-3, c, 8, end, 10, 20_000, 10)
                .logCurve(Metric.RESTRICTED_LOSS, 0, 5, 1400, 5.6, c, 0.3, end, 1e-6, 20_000, 5e-7)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 1400, 31.6, c, 26.3, end, 15.8, 20_000, 15.1)
                .linearCurve(Metric.FOURIER_GINI_UNEMBED, 0, 0.10, 1400, 0.12, c, 0.25, end, 0.85, 20_000, 0.87)
                .linearCurve(Metric.FOURIER_GINI_EMBED, 0, 0.08, 1400, 0.10, c, 0.20, end, 0.75, 20_000, 0.78)
                .linearCurve(Metric.TRAIN_ACC, 0, 0.01, 100, 0.6, 200, 1.0)
                .linearCurve(Metric.TEST_ACC, 0, 0.01, c, 0.02, c + 1000, 0.5, c + 1600, 1.0);
    }

    /** A loss- or norm-like curve: knots as (step, value) pairs in natural units, interpolated on log₁₀. */
    SyntheticRun logCurve(Metric metric, double... stepValuePairs) {
        return curve(metric, true, stepValuePairs);
    }

    /** An accuracy- or Gini-like curve: knots as (step, value) pairs, interpolated linearly. */
    SyntheticRun linearCurve(Metric metric, double... stepValuePairs) {
        return curve(metric, false, stepValuePairs);
    }

    private SyntheticRun curve(Metric metric, boolean logScale, double[] pairs) {
        if (pairs.length % 2 != 0 || pairs.length == 0) {
            throw new IllegalArgumentException("knots come as (step, value) pairs");
        }
        double[] steps = new double[pairs.length / 2];
        double[] values = new double[pairs.length / 2];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = pairs[2 * i];
            values[i] = logScale ? Math.log10(pairs[2 * i + 1]) : pairs[2 * i + 1];
        }
        curves.put(metric, new Knots(steps, values, logScale));
        return this;
    }

    /** Leaves these metrics out, as for a task that has no such measure. */
    SyntheticRun without(Metric... metrics) {
        for (Metric metric : metrics) {
            curves.remove(metric);
        }
        return this;
    }

    /** Records this metric only from {@code step} on (e.g. excluded loss, which needs a key set first). */
    SyntheticRun startingAt(Metric metric, long step) {
        startSteps.put(metric, step);
        return this;
    }

    /** Replaces the recorded value at one eval step (a spike, a NaN), after any noise. */
    SyntheticRun override(Metric metric, long step, double value) {
        overrides.computeIfAbsent(metric, m -> new TreeMap<>()).put(step, value);
        return this;
    }

    /**
     * Seeded noise: Gaussian with this standard deviation (decades) on every log-scale curve, and uniform in
     * ±{@code accuracyAmplitude} on accuracies (clamped to [0, 1]). Gini curves stay clean.
     */
    SyntheticRun noise(long seed, double logDecades, double accuracyAmplitude) {
        this.noiseSeed = seed;
        this.logNoiseDecades = logDecades;
        this.accuracyNoise = accuracyAmplitude;
        return this;
    }

    /** The clean (noise- and override-free) value of a metric at a step, to state expectations with. */
    double cleanValue(Metric metric, long step) {
        return curves.get(metric).at(step);
    }

    MetricHistory build() {
        MetricHistory.Builder history = MetricHistory.builder();
        for (Map.Entry<Metric, Knots> entry : curves.entrySet()) {
            Metric metric = entry.getKey();
            Knots knots = entry.getValue();
            // one generator per metric, so adding or removing a metric does not change the others' noise
            Random random = new Random(noiseSeed * 31 + metric.ordinal());
            boolean accuracy = metric == Metric.TRAIN_ACC || metric == Metric.TEST_ACC;
            long from = startSteps.getOrDefault(metric, 0L);
            for (long step = 0; step <= lastStep; step += evalEvery) {
                double value = knots.at(step);
                if (knots.logScale()) {
                    value *= Math.pow(10, logNoiseDecades * random.nextGaussian());
                } else if (accuracy && accuracyNoise > 0) {
                    value = Math.min(1, Math.max(0, value + accuracyNoise * (2 * random.nextDouble() - 1)));
                }
                value = overrides.getOrDefault(metric, Map.of()).getOrDefault(step, value);
                if (step >= from) {
                    history.add(metric, step, value);
                }
            }
        }
        return history.build();
    }

    /** The eval steps of this run. */
    List<Long> evalSteps() {
        List<Long> steps = new ArrayList<>();
        for (long step = 0; step <= lastStep; step += evalEvery) {
            steps.add(step);
        }
        return steps;
    }
}
