package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.database.JobStatus;
import io.grokscope.analysis.Metric;
import io.grokscope.database.TrainingDatabase;
import io.grokscope.metrics.MetricPoint;
import io.grokscope.metrics.MetricSink;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.spec.SpecReader;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The failure policy and the fence on a real PostgreSQL: writes under the fence's share lock, back-off, permanent
 * errors, the blame rule for lost leases (suspects run alone), failures forgiven by progress, the watchdog and the
 * pool's health, the metric writer's bounded retries, progress at every heartbeat.
 */
@IntegrationTest
class FailurePolicyTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobRepository repository;

    @Autowired
    JobWorker worker;

    @Autowired
    JobProperties properties;

    @Autowired
    io.grokscope.web.ServiceLimits limits;

    @Autowired
    TrainingDatabase training;

    @Autowired
    MetricStore metrics;

    @Autowired
    SpectrumStore spectra;

    @Autowired
    SpecReader specs;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    ObjectMapper json;

    @Autowired
    RunSummarizer summarizer;

    @BeforeEach
    void drainQueue() {
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status in ('QUEUED',"
                + " 'RUNNING')");
    }

    private long submit(String name, int steps, int evalEvery) {
        String spec = """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": 1},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64]},
                 "training": {"steps": %d, "evalEvery": %d, "checkpointEvery": 50, "seed": 7}}
                """.formatted(name, steps, evalEvery);
        Api.Response response = new Api(port).postJson("/api/v1/experiments", spec);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    private long running(String name, String worker, boolean exclusive, boolean expired) {
        return jdbc.queryForObject("""
                with e as (insert into experiment (name, spec, operation, model_type, total_steps)
                           values (?, '{}'::jsonb, 'ADD', 'MLP', 100) returning id)
                insert into job (experiment_id, status, attempt, worker, exclusive, lease_expires_at)
                select id, 'RUNNING', 1, ?, ?, now() + case when ? then interval '-1 second' else interval '1 hour' end
                from e
                returning experiment_id
                """, Long.class, name, worker, exclusive, expired);
    }

    /** A queued run with this stored spec, inserted as a submission would (its record, then its job). */
    private long queued(String name, String specJson, boolean suspect) {
        return jdbc.queryForObject("""
                with e as (insert into experiment (name, spec, operation, model_type, total_steps)
                           values (?, ?::jsonb, 'ADD', 'MLP', 100) returning id)
                insert into job (experiment_id, status, suspect) select id, 'QUEUED', ? from e
                returning experiment_id
                """, Long.class, name, specJson, suspect);
    }

    private String column(String column, long id) {
        return jdbc.queryForObject("select " + column + "::text from job where experiment_id = ?", String.class, id);
    }

    // --- item 4: every side-effect write under the fence's share lock

    /**
     * Connection 1 settles the stale attempt's expired lease and claims the job anew, and has not committed; the stale
     * attempt's checkpoint (connection 2) must wait for that claim and then store nothing. A plain EXISTS in the
     * insert would read the old row version and commit a stale checkpoint after the new claim.
     */
    @Test
    void aStaleCheckpointOrSpectrumWriteInterleavedWithANewClaimIsRefused() throws Exception {
        long id = submit("fence-interleaved", 100, 10);
        WriteFence stale = repository.claimNext("stale/0", Duration.ofMillis(1), true).orElseThrow().fence();
        jdbc.update("update job set lease_expires_at = now() - interval '1 second' where experiment_id = ?", id);

        List<CompletableFuture<Boolean>> staleWrites = new ArrayList<>();
        WriteFence fresh = training.transactions().execute(claimTransaction -> {
            repository.settleExpired(3, Duration.ZERO);
            WriteFence claimed = repository.claimNext("fresh/0", Duration.ofSeconds(30), true).orElseThrow().fence();
            staleWrites.add(CompletableFuture.supplyAsync(() -> repository.saveCheckpoint(stale, 10, new byte[] { 1 })));
            staleWrites.add(CompletableFuture.supplyAsync(() -> spectra.save(stale, 10, new double[] { 1 },
                    new double[] { 1 }, new int[] { 1 })));
            sleep(700);
            assertThat(staleWrites).as("stale writes wait for the uncommitted claim").noneMatch(f -> f.isDone());
            return claimed;
        });
        for (CompletableFuture<Boolean> write : staleWrites) {
            assertThat(write.get(10, TimeUnit.SECONDS)).isFalse();
        }
        assertThat(fresh.attempt()).isEqualTo(stale.attempt() + 1);
        assertThat(jdbc.queryForObject("select count(*) from checkpoint where experiment_id = ?", Long.class, id))
                .isZero();
        assertThat(jdbc.queryForObject("select count(*) from spectrum where experiment_id = ?", Long.class, id))
                .isZero();
        assertThat(repository.saveCheckpoint(fresh, 10, new byte[] { 2 })).isTrue();
        repository.finish(fresh, JobStatus.CANCELLED, null, 10, null);
    }

    // --- item 3: failure policy

    @Test
    void aFailedAttemptWaitsOutItsBackOffBeforeItIsClaimedAgain() {
        long id = submit("backoff", 100, 10);
        WriteFence first = repository.claimNext("backoff/0", Duration.ofSeconds(30), true).orElseThrow().fence();
        assertThat(repository.fail(first, "boom", 3, Duration.ofHours(1), false)).contains(JobStatus.QUEUED);

        assertThat(repository.claimNext("backoff/0", Duration.ofSeconds(30), true)).isEmpty();
        jdbc.update("update job set not_before = now() - interval '1 second' where experiment_id = ?", id);
        assertThat(repository.claimNext("backoff/0", Duration.ofSeconds(30), true)).hasValueSatisfying(
                claim -> assertThat(claim.experimentId()).isEqualTo(id));
        jdbc.update("update job set status = 'CANCELLED' where experiment_id = ?", id);
    }

    @Test
    void anUnreadableSpecFailsAtOnceWithoutRetries() {
        long id = queued("permanent", "{\"model\": {\"type\": \"NO_SUCH_MODEL\"}}", false);
        assertThat(worker.runOnce("permanent/0")).isTrue();

        assertThat(column("status", id)).isEqualTo("FAILED");
        assertThat(column("attempt", id)).isEqualTo("1");
        assertThat(column("error", id)).contains("not retried");
    }

    @Test
    void aLeaseThatExpiredOnASharedInstanceMakesSuspectsNotFailures() {
        long a = running("shared-a", "dead:1/0", false, true);
        long b = running("shared-b", "dead:1/1", false, false); // its lease expires a moment later
        long alone = running("alone", "dead:2/0", true, true);

        repository.settleExpired(3, Duration.ZERO);

        assertThat(column("status", a)).isEqualTo("QUEUED");
        assertThat(column("failures", a)).isEqualTo("0");
        assertThat(column("suspect", a)).isEqualTo("true");
        assertThat(column("suspect", b)).as("its instance-mate, still RUNNING").isEqualTo("true");
        assertThat(column("status", alone)).isEqualTo("QUEUED");
        assertThat(column("failures", alone)).as("it ran alone: blamed").isEqualTo("1");
        assertThat(column("suspect", alone)).isEqualTo("false");

        jdbc.update("update job set lease_expires_at = now() - interval '1 second' where experiment_id = ?", b);
        repository.settleExpired(3, Duration.ZERO);
        assertThat(column("failures", b)).as("not taken for having run alone").isEqualTo("0");
        jdbc.update("update job set status = 'CANCELLED' where experiment_id in (?, ?, ?)", a, b, alone);
    }

    @Test
    void aSuspectRunsAloneOnItsInstanceAndIsBlamedIfItDiesThere() {
        long suspect = queued("suspect", "{}", true);
        long busy = running("busy", "host:9/0", false, false);

        assertThat(repository.claimNext("host:9/1", Duration.ofSeconds(30), false))
                .as("the instance runs another job").isEmpty();
        jdbc.update("update job set status = 'SUCCEEDED' where experiment_id = ?", busy);
        Claim claim = repository.claimNext("host:9/1", Duration.ofSeconds(30), false).orElseThrow();
        assertThat(claim.experimentId()).isEqualTo(suspect);
        assertThat(column("exclusive", suspect)).isEqualTo("true");

        long other = queued("other", "{}", false);
        assertThat(repository.claimNext("host:9/0", Duration.ofSeconds(30), false))
                .as("nothing joins an exclusive run").isEmpty();
        assertThat(repository.claimNext("elsewhere/0", Duration.ofSeconds(30), false)).hasValueSatisfying(
                c -> assertThat(c.experimentId()).isEqualTo(other));

        jdbc.update("update job set lease_expires_at = now() - interval '1 second' where experiment_id = ?", suspect);
        repository.settleExpired(3, Duration.ZERO);
        assertThat(column("failures", suspect)).as("it died alone").isEqualTo("1");
        jdbc.update("update job set status = 'CANCELLED' where experiment_id in (?, ?)", suspect, other);
    }

    @Test
    void aCheckpointForgivesEarlierFailuresAndSuspicion() {
        long id = submit("forgiven", 120, 10);
        jdbc.update("update job set failures = 2, suspect = true where experiment_id = ?", id);
        assertThat(worker.runOnce("forgiving/0")).isTrue();

        assertThat(column("status", id)).isEqualTo("SUCCEEDED");
        assertThat(column("failures", id)).isEqualTo("0");
        assertThat(column("suspect", id)).isEqualTo("false");
        assertThat(column("verdict", id)).as("written with the final status").isNotNull();
    }

    @Test
    void theWatchdogFailsAHungRunAndHealthGoesDownWhileNoWorkerCanTrain() throws Exception {
        long id = submit("hung", 1000, 100);
        System.setProperty(TestFaults.HANG_PROPERTY, Long.toString(id));
        JobProperties watched = new JobProperties(1, 1000, properties.leaseDuration(), properties.heartbeatInterval(),
                properties.pollInterval(), 3, "watched", true, properties.outageTolerance(), Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
        JobWorker pool = new JobWorker(repository, watched, metrics, spectra, specs, events, json, summarizer, null,
                null, new JobMetrics(), limits);
        JobPoolHealthIndicator health = new JobPoolHealthIndicator(pool);
        pool.start();
        try {
            assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
            Instant deadline = Instant.now().plusSeconds(60);
            while (!"1".equals(column("failures", id)) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            assertThat(column("status", id)).isEqualTo("QUEUED");
            assertThat(column("failures", id)).isEqualTo("1");
            assertThat(column("error", id)).contains("no training step for PT1S");
            assertThat(health.health().getStatus().getCode()).isEqualTo("DOWN");
            assertThat(health.health().getDetails()).containsEntry("stalled", 1);
        } finally {
            pool.stop();
            System.clearProperty(TestFaults.HANG_PROPERTY);
            jdbc.update("update job set status = 'CANCELLED' where experiment_id = ?", id);
        }
    }

    // --- item 5: the metric writer

    @Test
    void aPermanentWriteErrorFailsTheSinkPromptlyInsteadOfRetryingForever() throws Exception {
        long id = running("disk-full", "sink/0", true, false);
        WriteFence fence = new WriteFence(id, 1, "sink/0");
        jdbc.execute("""
                create or replace function grokscope_test_disk_full() returns trigger language plpgsql as $$
                begin raise exception 'no space left on device' using errcode = 'disk_full'; end $$""");
        jdbc.execute("create trigger grokscope_test_disk_full before insert on metric_point for each row when"
                + " (new.experiment_id = " + id + ") execute function grokscope_test_disk_full()");
        try {
            MetricSink sink = metrics.open(fence);
            Instant started = Instant.now();
            sink.offer(List.of(new MetricPoint(Metric.TRAIN_LOSS, 1, 1.0)));
            assertThatThrownBy(sink::flush).hasMessageContaining("could not be written")
                    .hasMessageContaining("no space left on device");
            assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(() -> sink.offer(List.of(new MetricPoint(Metric.TRAIN_LOSS, 2, 1.0))))
                    .hasMessageContaining("could not be written");
            Thread.sleep(200);
            assertThat(Thread.getAllStackTraces().keySet()).as("the writer thread ended")
                    .noneMatch(t -> t.getName().equals("grokscope-metrics-" + id) && t.isAlive());
        } finally {
            jdbc.execute("drop trigger grokscope_test_disk_full on metric_point");
            jdbc.update("update job set status = 'CANCELLED' where experiment_id = ?", id);
        }
    }

    // --- item 6: progress at every heartbeat

    @Test
    void progressFollowsTheTrainerBetweenEvaluations() throws Exception {
        long id = submit("progress", 4000, 4000);
        Thread run = new Thread(() -> worker.runOnce("progress/0"));
        run.start();
        List<Long> seen = new ArrayList<>();
        try {
            Instant deadline = Instant.now().plusSeconds(120);
            while (run.isAlive() && Instant.now().isBefore(deadline)) {
                long step = Long.parseLong(column("progress_step", id));
                if (step > 0 && step < 4000 && (seen.isEmpty() || seen.get(seen.size() - 1) != step)) {
                    seen.add(step);
                }
                Thread.sleep(100);
            }
        } finally {
            run.join(120_000);
        }
        // With one evaluation at 0 and one at 4000, an evaluation-driven progress would show nothing in between.
        assertThat(seen).as("progress steps seen while running").hasSizeGreaterThanOrEqualTo(2);
        assertThat(column("status", id)).isEqualTo("SUCCEEDED");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
