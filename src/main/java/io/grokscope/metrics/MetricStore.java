package io.grokscope.metrics;

import io.grokscope.analysis.Metric;
import io.grokscope.database.TrainingDatabase;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The write path of the metrics store.
 *
 * <p>A batch goes in through {@code COPY} into a session-local staging table, then one
 * {@code INSERT … SELECT … ON CONFLICT DO NOTHING} into {@code metric_point}, all in one transaction that first takes
 * a share lock on the experiment row <em>if</em> it is still RUNNING under the writer's attempt and worker. The lock
 * matters: a claim by another worker updates that row, so it waits until this batch commits, and a batch that starts
 * after the claim finds the fence broken and writes nothing. {@code ON CONFLICT DO NOTHING} on the primary key
 * (experiment, metric, step) makes re-delivery harmless, so a resumed attempt neither loses nor duplicates rows.
 *
 * <p>COPY rather than a JDBC batch of inserts because it is the fastest way into PostgreSQL that the driver offers
 * (one round trip, no per-row statement), and rows are staged rather than copied straight into {@code metric_point}
 * because COPY has no conflict clause. Writes go through the job pool's own connections ({@link TrainingDatabase}).
 */
@Repository
public class MetricStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final MetricSinkSettings sinkSettings;
    private final LiveCurves liveCurves;

    MetricStore(TrainingDatabase training, MetricSinkSettings sinkSettings, LiveCurves liveCurves) {
        this.jdbc = training.jdbc();
        this.transactions = training.transactions();
        this.sinkSettings = sinkSettings;
        this.liveCurves = liveCurves;
    }

    /**
     * Writes one batch if the fence holds; false (and nothing written) when the attempt no longer owns the experiment.
     * Points already stored are left as they are.
     */
    public boolean write(WriteFence fence, List<MetricPoint> points) {
        Boolean written = transactions.execute(status -> {
            if (!fenceHolds(fence)) {
                return false;
            }
            if (points.isEmpty()) {
                return true;
            }
            jdbc.execute("create temporary table if not exists metric_staging (metric varchar(40) not null,"
                    + " step bigint not null, value double precision not null) on commit delete rows");
            jdbc.execute((ConnectionCallback<Long>) connection -> {
                try {
                    return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(
                            "copy metric_staging (metric, step, value) from stdin", new StringReader(copyText(points)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            jdbc.update("insert into metric_point (experiment_id, metric, step, value)"
                    + " select ?, metric, step, value from metric_staging on conflict do nothing", fence.experimentId());
            return true;
        });
        return Boolean.TRUE.equals(written);
    }

    /**
     * Removes what an earlier attempt stored after {@code step} (metrics and spectra), so that a run resumed from its
     * checkpoint at {@code step} rewrites them itself. False when the fence does not hold.
     */
    public boolean deleteAfter(WriteFence fence, long step) {
        Boolean deleted = transactions.execute(status -> {
            if (!fenceHolds(fence)) {
                return false;
            }
            jdbc.update("delete from metric_point where experiment_id = ? and step > ?", fence.experimentId(), step);
            jdbc.update("delete from spectrum where experiment_id = ? and step > ?", fence.experimentId(), step);
            return true;
        });
        return Boolean.TRUE.equals(deleted);
    }

    /**
     * A sink for one attempt: the training thread offers points and a background writer stores them in batches.
     * Close it (or at least flush it) before the attempt ends.
     */
    public MetricSink open(WriteFence fence) {
        return new MetricSink(fence, this, sinkSettings, liveCurves);
    }

    /** The last stored step of each metric of a run that has points (one index probe per metric). */
    Map<Metric, Long> lastSteps(long experimentId) {
        Map<Metric, Long> last = new EnumMap<>(Metric.class);
        jdbc.query("""
                select names.metric, last.step from unnest(?::text[]) as names(metric)
                join lateral (select step from metric_point m where m.experiment_id = ? and m.metric = names.metric
                              order by step desc limit 1) as last on true
                """, rs -> {
                    last.put(Metric.fromWireName(rs.getString(1)), rs.getLong(2));
                }, Arrays.stream(Metric.values()).map(Metric::wireName).toArray(String[]::new), experimentId);
        return last;
    }

    private boolean fenceHolds(WriteFence fence) {
        return fence.lock(jdbc);
    }

    /** COPY's text format: tab-separated, one row per line; Java's double syntax (1.0E-5, Infinity) is PostgreSQL's. */
    static String copyText(List<MetricPoint> points) {
        StringBuilder text = new StringBuilder(points.size() * 32);
        for (MetricPoint point : points) {
            text.append(point.metric().wireName()).append('\t').append(point.step()).append('\t')
                    .append(point.value()).append('\n');
        }
        return text.toString();
    }
}
