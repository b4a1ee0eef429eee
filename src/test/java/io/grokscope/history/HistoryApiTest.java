package io.grokscope.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.jobs.TestJobs;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import io.grokscope.training.Checkpoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real run through the job pool: its parameter history, the export of one stored step (read back with NumPy), the
 * whole-run restricted/excluded loss written when it ended, the per-frequency excluded losses with the spectrum, the
 * recomputation on request (on a finished run, on a run still training, while another recomputation holds the
 * instance's slot, and on a run without history), and deletion with the experiment.
 */
@IntegrationTest
class HistoryApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApplicationContext context;

    @Autowired
    ParameterHistory history;

    @Autowired
    DataSource dataSource;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    private long finishedRun() {
        return finishedRun(300, 20);
    }

    /** A small MLP on (a + b) mod 23 trained to its end, measured (and snapshotted) every {@code measureEvery}. */
    private long finishedRun(int steps, int measureEvery) {
        long id = submit(steps, measureEvery);
        trainToItsEnd(id);
        assertThat(status(id)).isEqualTo("SUCCEEDED");
        return id;
    }

    private long submit(int steps, int measureEvery) {
        Api.Response created = api.postJson("/api/v1/experiments", """
                {"name": "history-test", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5},
                 "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [32]},
                 "training": {"steps": %d, "evalEvery": 20, "checkpointEvery": 100},
                 "analysis": {"progressMeasuresEvery": %d}}""".formatted(steps, measureEvery));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        return created.json().get("id").asLong();
    }

    /** Trains queued jobs (others' left in the queue first, if any) until this one has ended. */
    private void trainToItsEnd(long id) {
        for (int i = 0; i < 20 && !ended(id); i++) {
            TestJobs.runNext(context, "history-test/0");
        }
    }

    private boolean ended(long id) {
        return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status(id));
    }

    private String status(long id) {
        return jdbc.queryForObject("select status from job where experiment_id = ?", String.class, id);
    }

    @Test
    void aFinishedRunHasItsHistoryAndWholeRunMeasuresFromStepZero() {
        long id = finishedRun();

        JsonNode listed = api.get("/api/v1/experiments/" + id + "/checkpoints").json();
        List<Long> steps = new ArrayList<>();
        long total = 0;
        for (JsonNode step : listed.get("steps")) {
            steps.add(step.get("step").asLong());
            total += step.get("bytes").asLong();
        }
        // 16 measurements of a small MLP fit the default budget: all kept
        List<Long> measured = new ArrayList<>();
        for (long s = 0; s <= 300; s += 20) {
            measured.add(s);
        }
        assertThat(steps).isEqualTo(measured);
        assertThat(listed.get("totalBytes").asLong()).isEqualTo(total);
        assertThat(listed.get("budgetBytes").asLong()).isEqualTo(history.budgetBytes());

        // the whole-run series: one key set, every stored step from 0, no longer provisional
        JsonNode metrics = api.get("/api/v1/experiments/" + id
                + "/metrics?names=restricted_loss,excluded_loss,excluded_loss_max,weight_norm,weight_norm_sq").json();
        assertThat(metrics.get("provisional")).isEmpty();
        assertThat(longs(series(metrics, "restricted_loss").get("steps"))).isEqualTo(measured);
        assertThat(longs(series(metrics, "excluded_loss").get("steps"))).isEqualTo(measured);
        assertThat(longs(series(metrics, "excluded_loss_max").get("steps"))).isEqualTo(measured);
        JsonNode norm = series(metrics, "weight_norm").get("values");
        JsonNode normSq = series(metrics, "weight_norm_sq").get("values");
        for (int i = 0; i < norm.size(); i++) {
            assertThat(normSq.get(i).asDouble()).isCloseTo(Math.pow(norm.get(i).asDouble(), 2),
                    within(1e-9 * normSq.get(i).asDouble()));
        }
        List<Integer> keys = jdbc.queryForList("select unnest(key_frequencies) from whole_run_measures"
                + " where experiment_id = ?", Integer.class, id);
        assertThat(keys).isNotEmpty();

        // the spectrum carries the single-frequency excluded losses; their maximum is excluded_loss_max
        JsonNode spectrum = api.get("/api/v1/experiments/" + id + "/spectrum?step=300").json();
        assertThat(spectrum.get("excludedLosses")).hasSize(11);
        double max = 0;
        for (JsonNode loss : spectrum.get("excludedLosses")) {
            max = Math.max(max, loss.asDouble());
        }
        JsonNode maxSeries = series(metrics, "excluded_loss_max").get("values");
        assertThat(maxSeries.get(maxSeries.size() - 1).asDouble()).isEqualTo(max);

        // recomputing a finished run stores the same values again
        JsonNode recomputed = api.post("/api/v1/experiments/" + id + "/progress-measures/recompute").json();
        assertThat(recomputed.get("stored").asBoolean()).isTrue();
        assertThat(recomputed.get("provisional").asBoolean()).isFalse();
        assertThat(recomputed.get("keyStep").asLong()).isEqualTo(300);
        JsonNode excluded = series(metrics, "excluded_loss").get("values");
        for (int i = 0; i < measured.size(); i++) {
            JsonNode point = recomputed.get("points").get(i);
            assertThat(point.get("step").asLong()).isEqualTo(measured.get(i));
            assertThat(point.get("excludedLoss").asDouble()).isEqualTo(excluded.get(i).asDouble());
        }

        // deleted with the experiment
        assertThat(api.delete("/api/v1/experiments/" + id).status()).isEqualTo(204);
        assertThat(jdbc.queryForObject("select count(*) from parameter_snapshot where experiment_id = ?",
                Integer.class, id)).isZero();
        assertThat(api.get("/api/v1/experiments/" + id + "/checkpoints").status()).isEqualTo(404);
    }

    @Test
    void aRecomputationWhileTheRunTrainsIsProvisionalAndLeavesTheRunWhole() throws Exception {
        int steps = 4000;
        long id = submit(steps, 20);
        Thread training = new Thread(() -> trainToItsEnd(id), "history-running-run");
        training.start();
        JsonNode recomputed;
        List<Long> storedThen;
        try {
            // a few snapshots, and the online (provisional) restricted loss written by the metric sink
            waitUntil(() -> history.steps(id).size() >= 3 && jdbc.queryForObject("select count(*) from metric_point"
                    + " where experiment_id = ? and metric = 'restricted_loss'", Integer.class, id) > 0);
            // The run is held at its next fenced write (snapshot, spectrum, heartbeat) while the request runs, so that
            // it is certainly still RUNNING; the recomputation itself only reads.
            try (RowLock held = RowLock.on(dataSource, id)) {
                assertThat(status(id)).isEqualTo("RUNNING");
                storedThen = history.steps(id).stream().map(ParameterHistory.StoredStep::step).toList();

                Api.Response response = recompute(id);
                assertThat(response.status()).as(response.body()).isEqualTo(200);
                recomputed = response.json();

                // Nothing stored: the online series stay, listed as provisional, until the run ends.
                assertThat(jdbc.queryForObject("select count(*) from whole_run_measures where experiment_id = ?",
                        Integer.class, id)).isZero();
                JsonNode online = api.get("/api/v1/experiments/" + id + "/metrics?names=restricted_loss,excluded_loss")
                        .json();
                assertThat(online.get("provisional")).extracting(JsonNode::asText)
                        .containsExactly("restricted_loss", "excluded_loss");
            }
        } finally {
            training.join(120_000);
        }
        assertThat(recomputed.get("status").asText()).isEqualTo("RUNNING");
        assertThat(recomputed.get("provisional").asBoolean()).isTrue();
        assertThat(recomputed.get("stored").asBoolean()).isFalse();
        assertThat(recomputed.get("keyStep").asLong()).isEqualTo(storedThen.get(storedThen.size() - 1)).isLessThan(steps);
        assertThat(recomputed.get("keyFrequencies")).isNotEmpty();
        List<Long> recomputedSteps = new ArrayList<>();
        for (JsonNode point : recomputed.get("points")) {
            recomputedSteps.add(point.get("step").asLong());
            assertThat(point.get("restrictedLoss").asDouble()).isFinite().isNotNegative();
            assertThat(point.get("excludedLoss").asDouble()).isFinite().isNotNegative();
        }
        assertThat(recomputedSteps).isEqualTo(storedThen);

        // The run went on undisturbed: it succeeded, every series is whole, and its own end-of-run recomputation
        // replaced the provisional values with the final model's key set at every stored step.
        assertThat(status(id)).isEqualTo("SUCCEEDED");
        List<Long> measured = new ArrayList<>();
        for (long s = 0; s <= steps; s += 20) {
            measured.add(s);
        }
        assertThat(history.steps(id).stream().map(ParameterHistory.StoredStep::step).toList()).isEqualTo(measured);
        JsonNode metrics = api.get("/api/v1/experiments/" + id + "/metrics?names=train_acc,test_loss,restricted_loss,"
                + "excluded_loss,excluded_loss_max,weight_norm_sq").json();
        assertThat(metrics.get("provisional")).isEmpty();
        for (String name : List.of("train_acc", "test_loss", "restricted_loss", "excluded_loss", "excluded_loss_max",
                "weight_norm_sq")) {
            assertThat(longs(series(metrics, name).get("steps"))).as(name).isEqualTo(measured);
        }
        assertThat(jdbc.queryForObject("select key_step from whole_run_measures where experiment_id = ?", Long.class,
                id)).isEqualTo(steps);
        JsonNode finalOnes = api.post("/api/v1/experiments/" + id + "/progress-measures/recompute").json();
        assertThat(finalOnes.get("stored").asBoolean()).isTrue();
        JsonNode excluded = series(metrics, "excluded_loss").get("values");
        for (int i = 0; i < measured.size(); i++) {
            assertThat(finalOnes.get("points").get(i).get("excludedLoss").asDouble()).isEqualTo(excluded.get(i).asDouble());
        }
    }

    @Test
    void aSecondRecomputationWhileOneRunsGets429WithRetryAfter() throws Exception {
        long id = finishedRun();
        String path = "/api/v1/experiments/" + id + "/progress-measures/recompute";
        CompletableFuture<HttpResponse<String>> first;
        try (RowLock held = RowLock.on(dataSource, id)) {
            // The first request computes, then waits to store behind the held row: it keeps the instance's one slot.
            first = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(api.uri(path))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            waitUntil(() -> held.blocksAnother(jdbc) || first.isDone());
            assertThat(first).isNotDone();

            Api.Response second = recompute(id);
            assertThat(second.status()).as(second.body()).isEqualTo(429);
            assertThat(second.contentType()).startsWith("application/problem+json");
            assertThat(second.json().get("detail").asText())
                    .isEqualTo("another whole-run recomputation is in progress on this instance");
            assertThat(second.header("Retry-After")).hasValueSatisfying(seconds ->
                    assertThat(Integer.parseInt(seconds)).isPositive());
        }
        HttpResponse<String> answered = first.get(60, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(answered.body()).get("stored").asBoolean())
                .isTrue();
        // The slot is free again.
        assertThat(api.post(path).status()).isEqualTo(200);
    }

    @Test
    void aRecomputationWithoutHistorySaysWhy() {
        long unmeasured = finishedRun(100, 0);
        Api.Response never = api.post("/api/v1/experiments/" + unmeasured + "/progress-measures/recompute");
        assertThat(never.status()).as(never.body()).isEqualTo(409);
        assertThat(never.contentType()).startsWith("application/problem+json");
        assertThat(never.json().get("detail").asText()).isEqualTo("experiment " + unmeasured + " has no parameter"
                + " history: its spec sets analysis.progressMeasuresEvery to 0, so no snapshot is taken");

        long queued = submit(300, 20);
        try {
            Api.Response notYet = api.post("/api/v1/experiments/" + queued + "/progress-measures/recompute");
            assertThat(notYet.status()).as(notYet.body()).isEqualTo(409);
            assertThat(notYet.contentType()).startsWith("application/problem+json");
            assertThat(notYet.json().get("detail").asText()).isEqualTo("experiment " + queued + " has no parameter"
                    + " history: nothing measured yet (a snapshot is taken every 20 steps); try again once the run has"
                    + " trained");
        } finally {
            api.post("/api/v1/experiments/" + queued + "/cancel");
        }
        assertThat(api.post("/api/v1/experiments/999999999/progress-measures/recompute").status()).isEqualTo(404);
    }

    @Test
    void aStoredStepDownloadsAsNpyFilesThatNumpyReadsBack() throws Exception {
        long id = finishedRun();
        byte[] zip = download("/api/v1/experiments/" + id + "/checkpoints/140");
        Map<String, byte[]> files = unzip(zip);
        assertThat(files).containsKey("manifest.json");
        JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(files.get("manifest.json"));
        assertThat(manifest.get("step").asLong()).isEqualTo(140);
        Checkpoint stored = history.load(id, 140).orElseThrow();

        // the latest checkpoint's export and the history's last step are the same weights in the same format
        assertThat(unzip(download("/api/v1/experiments/" + id + "/checkpoints/300")).keySet())
                .isEqualTo(unzip(download("/api/v1/experiments/" + id + "/checkpoint")).keySet());

        Path dir = Files.createTempDirectory("history-npy");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(dir.resolve(file.getKey()), file.getValue());
        }
        // NumPy prints, per file: name, dtype, shape, and the sum of squares in float64
        Process python = new ProcessBuilder(io.grokscope.support.PythonInterpreter.command(), "-c", """
                import json, sys, numpy as np
                d = sys.argv[1]
                for p in json.load(open(d + '/manifest.json'))['parameters']:
                    a = np.load(d + '/' + p['file'])
                    print(p['name'], a.dtype, ','.join(map(str, a.shape)), repr(float((a.astype(np.float64) ** 2).sum())),
                          repr(float(a.ravel()[0])), a.flags['C_CONTIGUOUS'])
                """, dir.toString()).redirectErrorStream(true).start();
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(stored.parameters().size());
        int i = 0;
        for (Map.Entry<String, Checkpoint.Tensor> parameter : stored.parameters().entrySet()) {
            String[] fields = lines.get(i++).split(" ");
            assertThat(fields[0]).isEqualTo(parameter.getKey());
            assertThat(fields[1]).isEqualTo("float32");
            String shape = java.util.Arrays.stream(parameter.getValue().shape()).mapToObj(Long::toString)
                    .collect(java.util.stream.Collectors.joining(","));
            assertThat(fields[2]).isEqualTo(shape);
            double sumSq = 0;
            for (float v : parameter.getValue().values()) {
                sumSq += (double) v * v;
            }
            assertThat(Double.parseDouble(fields[3])).isCloseTo(sumSq, within(1e-9 * Math.max(1, sumSq)));
            assertThat(Double.parseDouble(fields[4])).isEqualTo((double) parameter.getValue().values()[0]);
            assertThat(fields[5]).isEqualTo("True");
        }

        assertThat(status("/api/v1/experiments/" + id + "/checkpoints/141")).isEqualTo(404);
        assertThat(status("/api/v1/experiments/999999999/checkpoints/0")).isEqualTo(404);
        assertThat(status("/api/v1/experiments/" + id + "/checkpoints/x")).isEqualTo(400);
    }

    /**
     * POST …/progress-measures/recompute, given up after 30 s: a request that waited for the held row instead of being
     * answered fails the test rather than hanging it.
     */
    private Api.Response recompute(long id) {
        return api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments/" + id + "/progress-measures/recompute"))
                .timeout(java.time.Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 60 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /**
     * A run's job row held FOR UPDATE in an open transaction: every fenced write of its run (FOR SHARE) and the
     * storing of a recomputation wait until it is closed (rolled back); plain reads go on.
     */
    private static final class RowLock implements AutoCloseable {
        private final Connection connection;
        private final int pid;

        private RowLock(Connection connection, int pid) {
            this.connection = connection;
            this.pid = pid;
        }

        static RowLock on(DataSource dataSource, long experimentId) throws SQLException {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement(
                    "select pg_backend_pid() from job where experiment_id = ? for update")) {
                lock.setLong(1, experimentId);
                try (ResultSet rows = lock.executeQuery()) {
                    assertThat(rows.next()).as("experiment %d exists", experimentId).isTrue();
                    return new RowLock(connection, rows.getInt(1));
                }
            }
        }

        /** Whether another session waits for this lock. */
        boolean blocksAnother(JdbcTemplate jdbc) {
            return jdbc.queryForObject("select count(*) from pg_stat_activity where ? = any(pg_blocking_pids(pid))",
                    Integer.class, pid) > 0;
        }

        @Override
        public void close() throws SQLException {
            try {
                connection.rollback();
            } finally {
                connection.close();
            }
        }
    }

    private int status(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private byte[] download(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.uri(path)).GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/zip");
        return response.body();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                files.put(entry.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asLong()));
        return values;
    }

    private static JsonNode series(JsonNode body, String name) {
        for (JsonNode s : body.get("series")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no series " + name + " in " + body);
    }
}
