package io.grokscope.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.analysis.Metric;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Incremental polls of a run that trains here are answered from memory: the answers and the ETags must be exactly the
 * database's, for a resumed attempt (rows of an earlier attempt past the checkpoint removed, the checkpoint's own step
 * offered again), for a metric that appears late, and across the switch back to the database when the run ends.
 */
@IntegrationTest
class LiveCurvesStoreTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MetricStore store;

    @Autowired
    MetricQueries queries;

    @Autowired
    LiveCurves live;

    private static final List<List<Metric>> QUERIED = List.of(List.of(Metric.TRAIN_LOSS),
            List.of(Metric.TEST_ACC, Metric.TRAIN_LOSS, Metric.WEIGHT_NORM), List.of(Metric.WEIGHT_NORM),
            List.of(Metric.values()));

    private long runningExperiment(String worker) {
        // RUNNING under attempt 2 with a live lease, so no worker of the shared context claims it.
        return jdbc.queryForObject("""
                with e as (insert into experiment (name, spec, operation, model_type, total_steps)
                           values ('live-curves', '{}'::jsonb, 'ADD', 'MLP', 1000) returning id)
                insert into job (experiment_id, status, attempt, worker, lease_expires_at)
                select id, 'RUNNING', 2, ?, now() + interval '1 hour' from e
                returning experiment_id
                """, Long.class, worker);
    }

    private static List<MetricPoint> points(Metric metric, long from, long to, double offset) {
        return LongStream.iterate(from, s -> s <= to, s -> s + 10)
                .mapToObj(s -> new MetricPoint(metric, s, offset + s / 7.0)).toList();
    }

    @Test
    void aResumedAttemptsPollsFromMemoryEqualTheDatabasesAnswersAndTags() {
        long id = runningExperiment("live/0");
        WriteFence fence = new WriteFence(id, 2, "live/0");
        // The first attempt stored steps 0..150 of two metrics, then died; its checkpoint was at step 100.
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, m, s, s * 0.5"
                + " from generate_series(0, 150, 10) as s, unnest(array['train_loss', 'test_acc']) as m", id);
        try (MetricSink sink = store.open(fence)) {
            assertThat(store.deleteAfter(fence, 100)).isTrue();
            sink.goLive();
            assertThat(live.holds(id)).isTrue();
            List<MetricPoint> resumed = new ArrayList<>();
            resumed.addAll(points(Metric.TRAIN_LOSS, 100, 400, 1)); // step 100 again: the store keeps its row
            resumed.addAll(points(Metric.TEST_ACC, 100, 400, 2));
            resumed.addAll(points(Metric.WEIGHT_NORM, 200, 400, 3)); // a metric that starts late
            sink.offer(resumed);
            sink.flush();

            int fromMemory = 0;
            for (List<Metric> metrics : QUERIED) {
                assertThat(live.stateToken(id, metrics)).contains(queries.stateToken(id, metrics));
                for (long since : new long[] {0, 99, 100, 101, 200, 255, 400, 500}) {
                    for (int max : new int[] {2, 1000}) {
                        MetricQueries.Range range = new MetricQueries.Range(null, null, since, max);
                        var memory = live.incremental(id, metrics, range);
                        var database = queries.series(List.of(id), metrics, range).get(id);
                        if (memory.isPresent()) {
                            fromMemory++;
                            assertThat(describe(memory.get())).as("since %d, max %d, %s", since, max, metrics)
                                    .isEqualTo(describe(database));
                        } else {
                            assertThat(since).as("only reads from before the checkpoint need the database")
                                    .isLessThan(100);
                        }
                    }
                }
            }
            // Every read but those from before the checkpoint of a metric the first attempt stored (steps 0 and 99
            // for the three lists naming train_loss or test_acc, at both sizes); weight_norm alone is new, so whole.
            assertThat(fromMemory).isEqualTo(QUERIED.size() * 8 * 2 - 3 * 2 * 2);

            // Through the API: the ETag a poll got from memory is honoured once the run is read from the database.
            Api api = new Api(port);
            String path = "/api/v1/experiments/" + id + "/metrics?names=train_loss,test_acc&sinceStep=300";
            Api.Response polled = api.get(path);
            assertThat(polled.status()).isEqualTo(200);
            assertThat(polled.json().at("/series/0/steps").size()).isEqualTo(10);
            String etag = polled.header("ETag").orElseThrow();
            assertThat(api.get(path, Map.of("If-None-Match", etag)).status()).isEqualTo(304);
            sink.endLive();
            assertThat(live.holds(id)).isFalse();
            Api.Response fromDatabase = api.get(path, Map.of("If-None-Match", etag));
            assertThat(fromDatabase.status()).as("the same state, read from the database").isEqualTo(304);
        } finally {
            jdbc.update("update job set status = 'CANCELLED', worker = null, lease_expires_at = null"
                    + " where experiment_id = ?", id);
        }
    }

    @Test
    void anAttemptThatLostItsFenceStopsAnsweringFromMemory() {
        long id = runningExperiment("live/1");
        WriteFence fence = new WriteFence(id, 2, "live/1");
        try (MetricSink sink = store.open(fence)) {
            sink.goLive();
            sink.offer(points(Metric.TRAIN_LOSS, 0, 50, 0));
            sink.flush();
            assertThat(live.holds(id)).isTrue();
            // Another worker claims the run (attempt 3): this attempt's next batch finds the fence broken.
            jdbc.update("update job set attempt = 3, worker = 'live/other' where experiment_id = ?", id);
            sink.offer(points(Metric.TRAIN_LOSS, 60, 70, 0));
            sink.flush();
            assertThat(sink.fenceLost()).isTrue();
            assertThat(live.holds(id)).isFalse();
        } finally {
            jdbc.update("update job set status = 'CANCELLED', worker = null, lease_expires_at = null"
                    + " where experiment_id = ?", id);
        }
    }

    private static List<String> describe(List<MetricQueries.Series> series) {
        return series.stream().map(s -> s.name() + " " + java.util.Arrays.toString(s.steps()) + " "
                + java.util.Arrays.toString(s.values()) + " " + s.downsampled()).toList();
    }
}
