package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A named, seeded change to a run's curves that should not change what the run did: measurement noise on losses and
 * norms, isolated spikes, a coarser evaluation cadence, or other units on the step axis. {@code stepScale} says how
 * the step axis was stretched, so boundaries can be compared with the unperturbed run's.
 */
record Perturbation(String name, double stepScale, UnaryOperator<MetricHistory> apply) {

    /** Losses and norms: the series the noise perturbations act on (log-normal noise, in decades). */
    static final Set<Metric> LOSSES_AND_NORMS = Set.of(Metric.TRAIN_LOSS, Metric.TEST_LOSS, Metric.EXCLUDED_LOSS,
            Metric.RESTRICTED_LOSS, Metric.WEIGHT_NORM);

    static List<Perturbation> all() {
        List<Perturbation> all = new ArrayList<>();
        for (double decades : new double[] {0.05, 0.1}) {
            for (int seed = 0; seed < 4; seed++) {
                int s = seed;
                all.add(new Perturbation("noise " + decades + " dec, seed " + seed, 1,
                        h -> logNoise(h, decades, s)));
            }
        }
        for (int seed = 0; seed < 4; seed++) {
            int s = seed;
            all.add(new Perturbation("3 spikes, seed " + seed, 1, h -> spikes(h, 3, s)));
        }
        for (long every : new long[] {100, 200, 500}) {
            all.add(new Perturbation("eval every " + every, 1, h -> subsample(h, every)));
        }
        all.add(new Perturbation("steps x0.1", 0.1, h -> scaleSteps(h, 0.1)));
        all.add(new Perturbation("steps x10", 10, h -> scaleSteps(h, 10)));
        return all;
    }

    /** Multiplies every loss and norm by 10^N(0, decades²). */
    static MetricHistory logNoise(MetricHistory history, double decades, long seed) {
        Random random = new Random(seed);
        return map(history, (metric, steps, values) -> {
            if (LOSSES_AND_NORMS.contains(metric)) {
                for (int i = 0; i < values.length; i++) {
                    values[i] *= Math.pow(10, decades * random.nextGaussian());
                }
            }
        });
    }

    /**
     * {@code count} isolated one-evaluation spikes at random points in the middle 90 % of the run: losses ×10 (one
     * decade up), train and test accuracy down by a third of their value at that point.
     */
    static MetricHistory spikes(MetricHistory history, int count, long seed) {
        Random random = new Random(1000 + seed);
        long first = history.series().values().stream().mapToLong(s -> s.step(0)).min().orElse(0);
        long last = history.series().values().stream().mapToLong(s -> s.step(s.size() - 1)).max().orElse(0);
        MetricSeries reference = history.series(Metric.TRAIN_LOSS).orElse(history.series(Metric.TEST_ACC)
                .orElseThrow());
        List<Long> at = new ArrayList<>();
        while (at.size() < count) {
            long step = reference.step(reference.nearestIndex(first + (long) ((0.05 + 0.9 * random.nextDouble())
                    * (last - first))));
            if (!at.contains(step)) {
                at.add(step);
            }
        }
        return map(history, (metric, steps, values) -> {
            for (int i = 0; i < steps.length; i++) {
                if (!at.contains(steps[i])) {
                    continue;
                }
                if (metric == Metric.TRAIN_LOSS || metric == Metric.TEST_LOSS) {
                    values[i] *= 10;
                } else if (metric == Metric.TRAIN_ACC || metric == Metric.TEST_ACC) {
                    values[i] *= 2.0 / 3;
                }
            }
        });
    }

    /** Keeps the points at multiples of {@code every} steps (and the last point), as a coarser evaluation would. */
    static MetricHistory subsample(MetricHistory history, long every) {
        Map<Metric, MetricSeries> out = new EnumMap<>(Metric.class);
        for (MetricSeries s : history.series().values()) {
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                if (s.step(i) % every == 0 || i == s.size() - 1) {
                    keep.add(i);
                }
            }
            long[] steps = new long[keep.size()];
            double[] values = new double[keep.size()];
            for (int k = 0; k < keep.size(); k++) {
                steps[k] = s.step(keep.get(k));
                values[k] = s.value(keep.get(k));
            }
            out.put(s.name(), MetricSeries.of(s.name(), steps, values));
        }
        return new MetricHistory(out);
    }

    /** The same curves with every step multiplied by {@code factor} (distinct steps stay distinct). */
    static MetricHistory scaleSteps(MetricHistory history, double factor) {
        Map<Metric, MetricSeries> out = new EnumMap<>(Metric.class);
        for (MetricSeries s : history.series().values()) {
            List<Long> steps = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < s.size(); i++) {
                long step = Math.round(s.step(i) * factor);
                if (!steps.isEmpty() && step <= steps.get(steps.size() - 1)) {
                    continue;
                }
                steps.add(step);
                values.add(s.value(i));
            }
            out.put(s.name(), MetricSeries.of(s.name(), steps.stream().mapToLong(Long::longValue).toArray(),
                    values.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return new MetricHistory(out);
    }

    private interface PointEdit {
        void edit(Metric metric, long[] steps, double[] values);
    }

    private static MetricHistory map(MetricHistory history, PointEdit edit) {
        Map<Metric, MetricSeries> out = new EnumMap<>(Metric.class);
        for (Metric metric : Metric.values()) {
            MetricSeries s = history.series(metric).orElse(null);
            if (s == null) {
                continue;
            }
            long[] steps = s.steps();
            double[] values = s.values();
            edit.edit(metric, steps, values);
            out.put(metric, MetricSeries.of(metric, steps, values));
        }
        return new MetricHistory(out);
    }
}
