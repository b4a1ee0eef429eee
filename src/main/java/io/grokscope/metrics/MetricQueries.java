package io.grokscope.metrics;

import io.grokscope.analysis.Metric;
import io.grokscope.analysis.MetricHistory;
import io.grokscope.analysis.MetricSeries;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The read side of the metrics store: curves for a range of steps, downsampled <em>in the database</em> when a range
 * holds more points than the client asked for.
 *
 * <h2>Downsampling: MIN_MAX</h2>
 * A series with n &gt; maxPoints points in the range is cut into {@code maxPoints / 2} buckets of equal step width;
 * each bucket contributes its lowest and its highest point (ties to the earliest step), returned in step order. So
 * a sudden jump lands within one bucket of its true step, and a single spike keeps its exact value, which evenly
 * spaced sampling loses. One pass over the index range with a hash aggregate: {@code min(array[value, step])} is an
 * arg-min that PostgreSQL computes without sorting. Buckets with no points contribute nothing, so at most maxPoints
 * rows per series leave the database.
 */
@Repository
public class MetricQueries {

    /** How a series was thinned, as reported to the client. */
    public record Downsampling(String method, int buckets) {
    }

    /**
     * One metric's points, in step order.
     *
     * @param downsampled null when every point in the range is returned
     */
    public record Series(Metric name, long[] steps, double[] values, Downsampling downsampled) {
    }

    /** Which points of which series. {@code sinceStep} (exclusive) selects incremental reads, never downsampled. */
    public record Range(Long fromStep, Long toStep, Long sinceStep, int maxPoints) {
    }

    private final JdbcTemplate jdbc;

    MetricQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The series of each experiment (in the given order), each holding the requested metrics that have points in the
     * range, in the order of {@code metrics}.
     */
    public Map<Long, List<Series>> series(List<Long> experiments, Collection<Metric> metrics, Range range) {
        Map<Long, Map<Metric, Builder>> byExperiment = new LinkedHashMap<>();
        for (long id : experiments) {
            byExperiment.put(id, new EnumMap<>(Metric.class));
        }
        Long[] ids = experiments.toArray(Long[]::new);
        String[] names = metrics.stream().map(Metric::wireName).toArray(String[]::new);
        if (range.sinceStep() != null) {
            incremental(ids, names, range, byExperiment);
        } else {
            downsampled(ids, names, range, byExperiment);
        }
        Map<Long, List<Series>> result = new LinkedHashMap<>();
        byExperiment.forEach((id, builders) -> {
            List<Series> list = new ArrayList<>();
            for (Metric metric : metrics) {
                Builder builder = builders.get(metric);
                if (builder != null) {
                    list.add(builder.build(metric));
                }
            }
            result.put(id, list);
        });
        return result;
    }

    private void downsampled(Long[] ids, String[] names, Range range, Map<Long, Map<Metric, Builder>> out) {
        long from = range.fromStep() == null ? 0 : range.fromStep();
        long to = range.toStep() == null ? Long.MAX_VALUE : range.toStep();
        int max = range.maxPoints();
        int buckets = Math.max(1, max / 2);
        jdbc.query("""
                with stats as (
                    select experiment_id, metric, count(*) as n, min(step) as lo, max(step) as hi
                    from metric_point
                    where experiment_id = any(?) and metric = any(?) and step between ? and ?
                    group by experiment_id, metric),
                every_point as (
                    select m.experiment_id, m.metric, m.step, m.value, s.n
                    from metric_point m
                    join stats s on s.experiment_id = m.experiment_id and s.metric = m.metric and s.n <= ?
                    where m.experiment_id = any(?) and m.metric = any(?) and m.step between ? and ?),
                binned as (
                    select m.experiment_id, m.metric, s.n,
                           min(array[m.value, m.step::float8]) as low, max(array[m.value, m.step::float8]) as high
                    from metric_point m
                    join stats s on s.experiment_id = m.experiment_id and s.metric = m.metric and s.n > ?
                    where m.experiment_id = any(?) and m.metric = any(?) and m.step between ? and ?
                    group by m.experiment_id, m.metric, s.n,
                             width_bucket(m.step::float8, s.lo::float8, (s.hi + 1)::float8, ?))
                select experiment_id, metric, step, value, n from every_point
                union
                select experiment_id, metric, low[2]::bigint, low[1], n from binned
                union
                select experiment_id, metric, high[2]::bigint, high[1], n from binned
                order by 1, 2, 3
                """, rs -> {
            Metric metric = Metric.fromWireName(rs.getString(2));
            long n = rs.getLong(5);
            out.get(rs.getLong(1)).computeIfAbsent(metric, m -> new Builder(n > max ? buckets : 0))
                    .add(rs.getLong(3), rs.getDouble(4));
        }, ids, names, from, to, max, ids, names, from, to, max, ids, names, from, to, buckets);
    }

    /** Points after {@code sinceStep}, at most maxPoints per series in step order: a poller reads on from the last. */
    private void incremental(Long[] ids, String[] names, Range range, Map<Long, Map<Metric, Builder>> out) {
        long to = range.toStep() == null ? Long.MAX_VALUE : range.toStep();
        jdbc.query("""
                select experiment_id, metric, step, value from (
                    select experiment_id, metric, step, value,
                           row_number() over (partition by experiment_id, metric order by step) as rank
                    from metric_point
                    where experiment_id = any(?) and metric = any(?) and step > ? and step <= ?) as after
                where rank <= ?
                order by 1, 2, 3
                """, rs -> {
            out.get(rs.getLong(1)).computeIfAbsent(Metric.fromWireName(rs.getString(2)), m -> new Builder(0))
                    .add(rs.getLong(3), rs.getDouble(4));
        }, ids, names, range.sinceStep(), to, range.maxPoints());
    }

    /**
     * Every point of one metric of each of these runs, in step order (seed bands); a run without points maps to an
     * empty series.
     */
    public Map<Long, MetricSeries> everyPoint(Collection<Long> experiments, Metric metric) {
        Map<Long, Builder> builders = new java.util.LinkedHashMap<>();
        experiments.forEach(id -> builders.put(id, new Builder(0)));
        jdbc.query("select experiment_id, step, value from metric_point where experiment_id = any(?) and metric = ?"
                + " order by experiment_id, step", rs -> {
                    builders.get(rs.getLong(1)).add(rs.getLong(2), rs.getDouble(3));
                }, (Object) experiments.toArray(Long[]::new), metric.wireName());
        Map<Long, MetricSeries> series = new java.util.LinkedHashMap<>();
        builders.forEach((id, b) -> series.put(id, MetricSeries.of(metric,
                java.util.Arrays.copyOf(b.steps, b.size), java.util.Arrays.copyOf(b.values, b.size))));
        return series;
    }

    /** Every point of the given metrics of one run, for the analysis. */
    public MetricHistory history(long experimentId, Set<Metric> metrics) {
        MetricHistory.Builder history = MetricHistory.builder();
        jdbc.query("select metric, step, value from metric_point where experiment_id = ? and metric = any(?)"
                + " order by metric, step", rs -> {
                    history.add(Metric.fromWireName(rs.getString(1)), rs.getLong(2), rs.getDouble(3));
                }, experimentId, metrics.stream().map(Metric::wireName).toArray(String[]::new));
        return history.build();
    }

    /**
     * A token that changes whenever the answer to a query over these metrics may change: the experiment's attempt
     * and status, and the last stored step of each metric (one index probe each). Rows are only added in step order
     * within an attempt, and a new attempt (which may replace rows after its checkpoint) changes the token.
     * Null when the experiment does not exist.
     */
    public String stateToken(long experimentId, Collection<Metric> metrics) {
        List<String> tokens = jdbc.query("""
                select j.attempt || '.' || j.status || '.' || coalesce(string_agg(last.step::text, '.'
                           order by names.metric), '') || '.' || coalesce((select w.computed_at::text
                           from whole_run_measures w where w.experiment_id = j.experiment_id), '')
                from job j
                cross join unnest(?::text[]) as names(metric)
                left join lateral (select step from metric_point m where m.experiment_id = j.experiment_id
                                   and m.metric = names.metric order by step desc limit 1) as last on true
                where j.experiment_id = ?
                group by j.experiment_id, j.attempt, j.status
                """, (rs, i) -> rs.getString(1),
                metrics.stream().map(Metric::wireName).sorted().toArray(String[]::new), experimentId);
        return tokens.isEmpty() ? null : tokens.get(0);
    }

    /** Whether the run's restricted and excluded loss were recomputed over the whole run with one key set. */
    public boolean wholeRunRecorded(long experimentId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from whole_run_measures where experiment_id = ?)", Boolean.class,
                experimentId));
    }

    /** Whether the experiment exists. */
    public boolean exists(long experimentId) {
        return Boolean.TRUE.equals(jdbc.queryForObject("select exists (select 1 from experiment where id = ?)",
                Boolean.class, experimentId));
    }

    /** The ids among these that do not exist. */
    public List<Long> missing(List<Long> experimentIds) {
        return jdbc.queryForList("select id from unnest(?::bigint[]) as ids(id)"
                + " where not exists (select 1 from experiment e where e.id = ids.id) order by id", Long.class,
                (Object) experimentIds.toArray(Long[]::new));
    }

    private static final class Builder {
        private final int buckets;
        private long[] steps = new long[16];
        private double[] values = new double[16];
        private int size;

        Builder(int buckets) {
            this.buckets = buckets;
        }

        void add(long step, double value) {
            if (size == steps.length) {
                steps = java.util.Arrays.copyOf(steps, size * 2);
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            steps[size] = step;
            values[size] = value;
            size++;
        }

        Series build(Metric metric) {
            return new Series(metric, java.util.Arrays.copyOf(steps, size), java.util.Arrays.copyOf(values, size),
                    buckets > 0 ? new Downsampling("MIN_MAX", buckets) : null);
        }
    }
}
