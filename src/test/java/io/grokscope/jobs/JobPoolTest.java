package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.database.JobStatus;
import io.grokscope.metrics.MetricPoint;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.analysis.Metric;
import io.grokscope.spec.SpecReader;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The job pool on a real PostgreSQL: runs to completion, cancellation, recovery of a dead worker's job from its
 * checkpoint, fencing of a stale worker, the bound on concurrency and on the queue. Jobs are small MLPs that train in
 * well under a second per hundred steps.
 */
@IntegrationTest
class JobPoolTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobWorker worker;

    @Autowired
    JobRepository repository;

    @Autowired
    JobProperties properties;

    @Autowired
    io.grokscope.web.ServiceLimits limits;

    @Autowired
    MetricStore metrics;

    @Autowired
    SpectrumStore spectra;

    @Autowired
    io.grokscope.history.ParameterHistory history;

    @Autowired
    io.grokscope.history.WholeRunMeasures wholeRun;

    @Autowired
    SpecReader specs;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    RunSummarizer summarizer;

    @Autowired
    ObjectMapper json;

    Api api;
    StoredRuns runs;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        runs = new StoredRuns(jdbc);
        drainQueue();
    }

    /** Other tests leave queued experiments behind (no worker runs them); cancel them so this test's polls see ours. */
    private void drainQueue() {
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    private long submit(String name, int steps) {
        String spec = """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": 1},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64]},
                 "optimizer": {"learningRate": 0.003, "weightDecay": 0.5},
                 "training": {"steps": %d, "evalEvery": 10, "checkpointEvery": 50, "seed": 7},
                 "analysis": {"progressMeasuresEvery": 50}}
                """.formatted(name, steps);
        Api.Response response = api.postJson("/api/v1/experiments", spec);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    @Test
    void runsAQueuedExperimentToCompletionRecordingEverything() {
        long id = submit("job-complete", 200);

        assertThat(worker.runOnce("test/0")).isTrue();

        assertThat(runs.status(id)).isEqualTo("SUCCEEDED");
        Map<String, NavigableMap<Long, Double>> curves = runs.curves(id);
        assertThat(curves.get("train_acc").keySet()).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(0, 20).map(i -> i * 10).boxed().toList());
        assertThat(curves.get("train_acc").get(200L)).isGreaterThan(0.5);
        assertThat(curves).containsKeys("train_loss", "test_loss", "test_acc", "weight_norm", "embed_norm",
                "grad_norm", "learning_rate", "fourier_gini_embed", "fourier_gini_unembed");
        assertThat(curves.get("grad_norm")).doesNotContainKey(0L); // undefined before the first update
        assertThat(jdbc.queryForObject("select step from checkpoint where experiment_id = ?", Long.class, id))
                .isEqualTo(200L);
        assertThat(jdbc.queryForObject("select count(*) from spectrum where experiment_id = ?", Long.class, id))
                .isEqualTo(5L);
        assertThat(jdbc.queryForObject("select provenance ->> 'nd4jThreads' from job where experiment_id = ?",
                String.class, id)).isNotBlank();
        var view = api.get("/api/v1/experiments/" + id).json();
        assertThat(view.at("/progress/step").asLong()).isEqualTo(200);
        assertThat(view.get("attempt").asInt()).isEqualTo(1);
        assertThat(view.get("finishedAt").isNull()).isFalse();
    }

    @Test
    void aCancelledQueuedExperimentNeverStarts() {
        long id = submit("job-cancel-queued", 100);
        api.post("/api/v1/experiments/" + id + "/cancel");

        assertThat(worker.runOnce("test/0")).isFalse();
        assertThat(runs.status(id)).isEqualTo("CANCELLED");
        assertThat(runs.curves(id)).isEmpty();
    }

    @Test
    void aRunningExperimentStopsSoonAfterCancelAndKeepsItsMetrics() throws Exception {
        long id = submit("job-cancel-running", 1_000_000);
        Thread running = new Thread(() -> worker.runOnce("test/0"));
        running.start();
        runs.awaitStep(id, 20);
        // Heartbeats (every 200 ms here) outnumber evaluations; the speed between evaluations is kept, not blanked.
        Instant until = Instant.now().plusSeconds(10);
        List<Double> speeds = new java.util.ArrayList<>();
        while (Instant.now().isBefore(until) && speeds.size() < 20) {
            var progress = api.get("/api/v1/experiments/" + id).json().get("progress");
            if (!progress.get("stepsPerSecond").isNull()) {
                speeds.add(progress.get("stepsPerSecond").asDouble());
            } else if (!speeds.isEmpty()) {
                throw new AssertionError("stepsPerSecond went back to null after " + speeds);
            }
            Thread.sleep(50);
        }
        assertThat(speeds).isNotEmpty().allSatisfy(speed -> assertThat(speed).isPositive());

        Instant asked = Instant.now();
        assertThat(api.post("/api/v1/experiments/" + id + "/cancel").status()).isEqualTo(202);
        running.join(Duration.ofSeconds(20).toMillis());

        assertThat(running.isAlive()).isFalse();
        assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(runs.status(id)).isEqualTo("CANCELLED");
        assertThat(runs.curves(id).get("train_loss")).isNotEmpty();
    }

    @Test
    void aDeadWorkersJobIsReclaimedAfterItsLeaseAndResumesFromItsCheckpoint() throws Exception {
        long reference = submit("job-reference", 3000);
        assertThat(worker.runOnce("test/0")).isTrue();

        long id = submit("job-resumed", 3000);
        // First attempt: trains past a checkpoint, then its instance "dies" (released without a trace of grace:
        // we stop it and then expire its lease by hand, as a kill -9 would leave it).
        Thread first = new Thread(() -> worker.runOnce("dying/0"));
        first.start();
        awaitCheckpoint(id, 50);
        worker.releaseAll();
        first.join(20_000);
        jdbc.update("update job set status = 'RUNNING', worker = 'dying/0', lease_expires_at = now() - "
                + "interval '1 second' where experiment_id = ?", id);
        long checkpoint = jdbc.queryForObject("select step from checkpoint where experiment_id = ?", Long.class, id);
        assertThat(checkpoint).isLessThan(3000);
        // A row the dead attempt wrote after its checkpoint must not survive the resume.
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) values (?, 'train_loss', ?, 42)",
                id, checkpoint + 1);

        assertThat(worker.runOnce("test/0")).isTrue();

        assertThat(runs.status(id)).isEqualTo("SUCCEEDED");
        // The expired lease counted as a failure (a single-worker instance: the attempt ran alone), and the resumed
        // attempt's first checkpoint forgave it.
        assertThat(jdbc.queryForObject("select error from job where experiment_id = ?", String.class, id))
                .contains("lease of attempt 1 on dying/0 expired");
        assertThat(jdbc.queryForObject("select failures from job where experiment_id = ?", Integer.class, id)).isZero();
        assertThat(runs.curves(id)).isEqualTo(runs.curves(reference)); // every row exactly once, equal to an uninterrupted run
    }

    @Test
    void aStaleWorkerWritesNothingOnceItsJobMovedOn() {
        long id = submit("job-fenced", 100);
        WriteFence stale = repository.claimNext("stale/0", Duration.ofMillis(1), true).orElseThrow().fence();
        assertThat(stale.experimentId()).isEqualTo(id);
        jdbc.update("update job set lease_expires_at = now() - interval '1 second' where experiment_id = ?", id);
        repository.settleExpired(3, Duration.ZERO);
        WriteFence current = repository.claimNext("fresh/0", Duration.ofSeconds(30), true).orElseThrow().fence();

        assertThat(current.attempt()).isEqualTo(stale.attempt() + 1);
        assertThat(metrics.write(stale, List.of(new MetricPoint(Metric.TRAIN_LOSS, 1, 1.0)))).isFalse();
        assertThat(repository.saveCheckpoint(stale, 1, new byte[] { 1 })).isFalse();
        assertThat(repository.heartbeat(stale, Duration.ofSeconds(30), 1, null)).isEmpty();
        assertThat(repository.finish(stale, JobStatus.SUCCEEDED, null, 1, null)).isFalse();
        assertThat(metrics.write(current, List.of(new MetricPoint(Metric.TRAIN_LOSS, 1, 1.0)))).isTrue();
        assertThat(runs.status(id)).isEqualTo("RUNNING");
        repository.finish(current, JobStatus.CANCELLED, null, 1, null);
    }

    @Test
    void runsAtMostItsWorkerCountAtOnceAndFinishesEveryJob() throws Exception {
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit("job-bounded-" + i, 100));
        }
        JobProperties two = new JobProperties(2, 1000, properties.leaseDuration(), properties.heartbeatInterval(),
                properties.pollInterval(), 3, "bounded", true,
                properties.outageTolerance(), Duration.ZERO, properties.stopTimeout(), properties.stallTimeout(), 1);
        JobWorker pool = new JobWorker(repository, two, metrics, spectra, specs, events, json, summarizer, history,
                wholeRun, new JobMetrics(), limits);
        AtomicInteger maxRunning = new AtomicInteger();
        pool.start();
        try {
            Instant deadline = Instant.now().plusSeconds(120);
            while (Instant.now().isBefore(deadline)) {
                int runningNow = jdbc.queryForObject("select count(*) from job where status = 'RUNNING'"
                        + " and worker like 'bounded/%'", Integer.class);
                maxRunning.accumulateAndGet(runningNow, Math::max);
                long done = jdbc.queryForObject("select count(*) from job where status = 'SUCCEEDED'"
                        + " and experiment_id = any(?)", Long.class, (Object) ids.toArray(new Long[0]));
                if (done == ids.size()) {
                    break;
                }
                Thread.sleep(20);
            }
        } finally {
            pool.stop();
        }
        assertThat(maxRunning.get()).isBetween(1, 2);
        for (long id : ids) {
            assertThat(runs.status(id)).isEqualTo("SUCCEEDED");
            assertThat(jdbc.queryForObject("select attempt from job where experiment_id = ?", Integer.class, id))
                    .isOne();
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndStoresNothing() {
        long queued = jdbc.queryForObject("select count(*) from job where status = 'QUEUED'", Long.class);
        jdbc.update("with filler as (insert into experiment (name, spec, operation, model_type, total_steps) select"
                + " 'filler', '{}'::jsonb, 'ADD', 'MLP', 1 from generate_series(1, ?) returning id)"
                + " insert into job (experiment_id, status) select id, 'QUEUED' from filler",
                properties.maxQueued() - queued);
        try {
            long before = jdbc.queryForObject("select count(*) from experiment", Long.class);
            Api.Response response = api.postJson("/api/v1/experiments",
                    "{\"name\": \"too-many\", \"task\": {\"operation\": \"ADD\"}, \"model\": {\"type\": \"MLP\"}}");

            assertThat(response.status()).isEqualTo(429);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.header("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v))
                    .isPositive());
            assertThat(jdbc.queryForObject("select count(*) from experiment", Long.class)).isEqualTo(before);
        } finally {
            jdbc.update("delete from experiment where name = 'filler'");
        }
    }

    private void awaitCheckpoint(long id, long step) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            List<Long> steps = jdbc.queryForList("select step from checkpoint where experiment_id = ?", Long.class,
                    id);
            if (!steps.isEmpty() && steps.get(0) >= step) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("experiment " + id + " never checkpointed at step " + step);
    }
}
