package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The recorded series of one run, keyed by metric: what {@link PhaseAnalyzer} reads. Metrics that were never recorded
 * are simply missing; {@link #require} fails loudly for them, {@link #series} lets the caller decide.
 *
 * @param series the series per metric, each keyed by its own name
 */
public record MetricHistory(Map<Metric, MetricSeries> series) {

    public MetricHistory {
        EnumMap<Metric, MetricSeries> copy = new EnumMap<>(Metric.class);
        for (Map.Entry<Metric, MetricSeries> entry : series.entrySet()) {
            if (entry.getValue().name() != entry.getKey()) {
                throw new IllegalArgumentException("series " + entry.getValue().name() + " filed under "
                        + entry.getKey());
            }
            copy.put(entry.getKey(), entry.getValue());
        }
        series = Collections.unmodifiableMap(copy);
    }

    /** A history of the given series (at most one per metric). */
    public static MetricHistory of(MetricSeries... series) {
        Map<Metric, MetricSeries> map = new EnumMap<>(Metric.class);
        for (MetricSeries s : series) {
            if (map.put(s.name(), s) != null) {
                throw new IllegalArgumentException("two series for " + s.name().wireName());
            }
        }
        return new MetricHistory(map);
    }

    /** The series of this metric, if it was recorded. */
    public Optional<MetricSeries> series(Metric metric) {
        return Optional.ofNullable(series.get(metric));
    }

    /** The series of this metric; fails loudly when it was not recorded. */
    public MetricSeries require(Metric metric) {
        MetricSeries found = series.get(metric);
        if (found == null) {
            throw new IllegalArgumentException("no series for " + metric.wireName() + "; have " + series.keySet());
        }
        return found;
    }

    /** The first recorded step of any series (0 when nothing was recorded). */
    public long firstStep() {
        return series.values().stream().filter(s -> !s.isEmpty()).mapToLong(s -> s.step(0)).min().orElse(0);
    }

    /** The last recorded step of any series (0 when nothing was recorded). */
    public long lastStep() {
        return series.values().stream().filter(s -> !s.isEmpty()).mapToLong(s -> s.step(s.size() - 1)).max()
                .orElse(0);
    }

    /** A history holding only the points up to and including {@code step}: the run as it looked then. */
    public MetricHistory upTo(long step) {
        Map<Metric, MetricSeries> cut = new EnumMap<>(Metric.class);
        for (MetricSeries s : series.values()) {
            int n = 0;
            while (n < s.size() && s.step(n) <= step) {
                n++;
            }
            cut.put(s.name(), MetricSeries.of(s.name(), java.util.Arrays.copyOf(s.steps(), n),
                    java.util.Arrays.copyOf(s.values(), n)));
        }
        return new MetricHistory(cut);
    }

    /** Collects points one at a time, in step order per metric, as a training listener sees them. */
    public static Builder builder() {
        return new Builder();
    }

    /** A mutable collector of points; {@link #build()} takes an immutable snapshot. Not thread-safe. */
    public static final class Builder {
        private final Map<Metric, List<Long>> steps = new EnumMap<>(Metric.class);
        private final Map<Metric, List<Double>> values = new EnumMap<>(Metric.class);

        private Builder() {
        }

        /** Appends one point; steps of one metric must arrive in increasing order. */
        public Builder add(Metric metric, long step, double value) {
            steps.computeIfAbsent(metric, m -> new ArrayList<>()).add(step);
            values.computeIfAbsent(metric, m -> new ArrayList<>()).add(value);
            return this;
        }

        /** Appends a whole series (replacing nothing: points are added after any already there). */
        public Builder add(Metric metric, long[] stepArray, double[] valueArray) {
            if (stepArray.length != valueArray.length) {
                throw new IllegalArgumentException(metric.wireName() + ": steps and values differ in length");
            }
            for (int i = 0; i < stepArray.length; i++) {
                add(metric, stepArray[i], valueArray[i]);
            }
            return this;
        }

        public MetricHistory build() {
            Map<Metric, MetricSeries> map = new EnumMap<>(Metric.class);
            for (Map.Entry<Metric, List<Long>> entry : steps.entrySet()) {
                List<Double> v = values.get(entry.getKey());
                long[] s = new long[v.size()];
                double[] d = new double[v.size()];
                for (int i = 0; i < s.length; i++) {
                    s[i] = entry.getValue().get(i);
                    d[i] = v.get(i);
                }
                map.put(entry.getKey(), MetricSeries.of(entry.getKey(), s, d));
            }
            return new MetricHistory(map);
        }
    }
}
