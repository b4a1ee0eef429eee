package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away twice while a run trains, and comes back on the same port and data directory; the service is
 * never restarted. The first outage is shorter than the job's lease, the second longer (so an idle worker may claim the
 * job once the database is back, and the run resumes from its checkpoint). Meanwhile the service says it is unhealthy
 * (503, database DOWN) and answers API calls with 503; afterwards it is healthy again by itself, and the run ends
 * SUCCEEDED with every evaluation stored exactly once.
 */
class DatabaseOutageIT {

    private static final int STEPS = 3000;
    private static final int EVAL_EVERY = 20;
    private static final int MEASURE_EVERY = 200;
    private static final Duration LEASE = Duration.ofSeconds(12);
    private static final Duration SHORT_OUTAGE = Duration.ofSeconds(6);
    private static final Duration LONG_OUTAGE = Duration.ofSeconds(16);
    private static final String SPEC = """
            {"name": "outage", "task": {"operation": "ADD", "modulus": 31, "trainFraction": 0.5, "seed": 3},
             "model": {"type": "MLP", "embedDim": 32, "hiddenDims": [128]},
             "training": {"steps": %d, "evalEvery": %d, "checkpointEvery": 400, "seed": 11},
             "analysis": {"progressMeasuresEvery": %d}}
            """.formatted(STEPS, EVAL_EVERY, MEASURE_EVERY);

    @TempDir
    Path work;

    @Test
    void aRunSpansTwoPostgresRestartsWithNoGapAndTheServiceRecoversOnItsOwn() throws Exception {
        int port = freePort();
        Path data = work.resolve("pg");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        EmbeddedPostgres postgres = startPostgres(data, port);
        // Two workers: while one trains, the other polls, so after the long outage it may claim the expired job.
        try (ServiceProcess service = ServiceProcess.start(work, "service", List.of("--spring.datasource.url=" + url,
                "--spring.datasource.username=postgres", "--grokscope.jobs.workers=2",
                "--grokscope.jobs.lease-duration=" + LEASE.toSeconds() + "s",
                "--grokscope.jobs.heartbeat-interval=2s"))) {
            Api api = service.api();
            Api.Response submitted = api.postJson("/api/v1/experiments", SPEC);
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
            long id = submitted.json().get("id").asLong();
            Instant submittedAt = Instant.now();

            CrashRecoveryIT.awaitProgress(api, id, 300);
            postgres = outage(service, postgres, data, port, SHORT_OUTAGE, id);
            assertThat(status(api, id)).as("still running after the short outage").isEqualTo("RUNNING");
            postgres = outage(service, postgres, data, port, LONG_OUTAGE, id);

            JsonNode finished = CrashRecoveryIT.awaitFinished(api, id);
            String log = Files.readString(service.log());
            assertThat(finished.get("status").asText()).as(log).isEqualTo("SUCCEEDED");
            // No attempt failed: the outages were waited out, not turned into errors (each would cost one of the
            // job's three attempts, and a third outage would fail the run).
            assertThat(finished.get("error").isNull()).as(log).isTrue();
            int attempt = finished.get("attempt").asInt();
            // 1: the heartbeat renewed the lease first after the long outage; 2: the idle worker claimed the expired
            // job first and resumed it from its checkpoint (the first attempt, fenced out, stopped without writing).
            assertThat(attempt).as(log).isIn(1, 2);
            System.out.printf("[DatabaseOutageIT] experiment %d SUCCEEDED on attempt %d, %d s after it was submitted%n",
                    id, attempt, Duration.between(submittedAt, Instant.now()).toSeconds());

            Map<String, Map<Long, String>> curves = CrashRecoveryIT.curves(api, id);
            List<Long> evalSteps = LongStream.rangeClosed(0, STEPS / EVAL_EVERY).map(i -> i * EVAL_EVERY).boxed()
                    .toList();
            List<Long> measureSteps = LongStream.rangeClosed(0, STEPS / MEASURE_EVERY).map(i -> i * MEASURE_EVERY)
                    .boxed().toList();
            for (String metric : List.of("train_loss", "train_acc", "test_loss", "test_acc", "weight_norm",
                    "embed_norm")) {
                assertThat(curves.get(metric).keySet()).as(metric).containsExactlyElementsOf(evalSteps);
            }
            assertThat(curves.get("grad_norm").keySet()).containsExactlyElementsOf(evalSteps.subList(1,
                    evalSteps.size()));
            assertThat(curves.get("fourier_gini_embed").keySet()).containsExactlyElementsOf(measureSteps);

            // The same, counted in the database itself: one row per (metric, step), nothing else.
            try (Connection db = DriverManager.getConnection(url, "postgres", "");
                    Statement sql = db.createStatement();
                    ResultSet rows = sql.executeQuery("select metric, count(*), count(distinct step) from metric_point"
                            + " where experiment_id = " + id + " group by metric")) {
                Map<String, Long> counted = new HashMap<>();
                while (rows.next()) {
                    assertThat(rows.getLong(2)).as(rows.getString(1)).isEqualTo(rows.getLong(3));
                    counted.put(rows.getString(1), rows.getLong(2));
                }
                assertThat(counted.get("test_acc")).isEqualTo(evalSteps.size());
                assertThat(counted.get("fourier_gini_embed")).isEqualTo(measureSteps.size());
            }
        } finally {
            postgres.close();
        }
    }

    /**
     * Stops PostgreSQL (fast shutdown: connections are cut, the data stays), checks that the service reports itself
     * unhealthy and answers 503, starts PostgreSQL again after {@code length} and waits until the service is healthy.
     */
    private static EmbeddedPostgres outage(ServiceProcess service, EmbeddedPostgres postgres, Path data, int port,
            Duration length, long id) throws Exception {
        Api api = service.api();
        Instant stopped = Instant.now();
        postgres.close();

        Api.Response health = awaitHealth(api, 503, Duration.ofSeconds(20));
        assertThat(health.json().get("status").asText()).isEqualTo("DOWN");
        assertThat(health.json().at("/components/db/status").asText()).isEqualTo("DOWN");
        Api.Response read = api.get("/api/v1/experiments/" + id, Duration.ofSeconds(20));
        assertThat(read.status()).as(() -> read.body() + "\n" + unhandledErrors(service.log())).isEqualTo(503);
        assertThat(read.contentType()).startsWith("application/problem+json");
        assertThat(read.header("Retry-After")).isPresent();

        Duration left = length.minus(Duration.between(stopped, Instant.now()));
        if (!left.isNegative()) {
            Thread.sleep(left.toMillis());
        }
        EmbeddedPostgres restarted = startPostgres(data, port);
        long away = Duration.between(stopped, Instant.now()).toMillis();
        awaitHealth(api, 200, Duration.ofSeconds(30));
        System.out.printf("[DatabaseOutageIT] database away for %d ms; service healthy again %d ms after the stop%n",
                away, Duration.between(stopped, Instant.now()).toMillis());
        return restarted;
    }

    /** The service log's stack traces of unexpected errors (answered 500), for a failure message. */
    private static String unhandledErrors(Path log) {
        try {
            String text = Files.readString(log);
            int from = text.indexOf("Unhandled error");
            return from < 0 ? "(no unhandled error in the log)" : text.substring(from, Math.min(text.length(),
                    from + 6000));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Api.Response awaitHealth(Api api, int status, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Api.Response last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = api.get("/actuator/health", Duration.ofSeconds(15));
            } catch (java.io.UncheckedIOException slow) {
                continue; // the request timed out: ask again
            }
            if (last.status() == status) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("health never answered " + status + " within " + timeout + "; last: "
                + (last == null ? "none" : last.status() + " " + last.body()));
    }

    private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    private static String status(Api api, long id) {
        return api.get("/api/v1/experiments/" + id).json().get("status").asText();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
