package grokscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.GrokscopeApplication;
import io.grokscope.experiment.ExperimentSpec;
import io.grokscope.training.BatchedTrainer;
import io.grokscope.training.RunConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A sweep through the service's public API, trained as lanes of one batch and as one run after another, against the
 * same runs trained by {@link BatchedTrainer} alone in the same JVM (issue 18: batched runs in the job pool, and what
 * the service adds around them).
 *
 * <p>Run: {@code mvn -Pbench -q test-compile exec:exec -Dbench.main=grokscope.bench.SweepPoolBenchmark}. Each pass
 * starts the whole service in this JVM on an embedded PostgreSQL in a fresh temporary folder (default settings but
 * {@code grokscope.jobs.max-lanes}), POSTs the sweep, and measures from the POST until every run has ended; then the
 * curves of the two passes are compared run by run (by name) through {@code GET /metrics}.
 */
public final class SweepPoolBenchmark {

    /** 8 weight decays x 2 seeds = 16 runs of a p = 31 MLP, 500 full-batch steps, evaluation every 100. */
    private static final String SWEEP = """
            {"name": "lanes-bench",
             "base": {"task": {"operation": "ADD", "modulus": 31, "trainFraction": 0.5},
                      "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64]},
                      "optimizer": {"learningRate": 0.001},
                      "training": {"steps": %d, "evalEvery": 100, "checkpointEvery": %d},
                      "analysis": {"progressMeasuresEvery": 0, "stopWhenSettled": false}},
             "axes": {"optimizer.weightDecay": [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]},
             "seeds": [0, 1]}""";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often the benchmark reads the sweep's progress, as a dashboard would (and its end is known this late). */
    private static final long POLL_MILLIS = Long.getLong("bench.poll-millis", 1000);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SweepPoolBenchmark() {
    }

    private record Pass(double seconds, Map<String, String> curves, List<RunConfig> configs) {
    }

    public static void main(String[] args) throws Exception {
        int steps = 500; // the lane benchmark's sweep: p = 31, 500 steps, evaluation every 100
        System.out.printf(Locale.ROOT, "Sweep of 16 runs (p = 31 MLP 16/[64], %d steps, evaluation every 100) through"
                + " the API, %d cores, load average %s%n", steps, Runtime.getRuntime().availableProcessors(),
                loadAverage());
        Pass lanes = pass(16, steps, args);
        Pass solo = pass(1, steps, args);
        List<BatchedTrainer.Lane> bare = lanes.configs().stream()
                .map(c -> new BatchedTrainer.Lane(c, null, null, null)).toList();
        new BatchedTrainer().run(bare); // warm, as the service was
        long t0 = System.nanoTime();
        new BatchedTrainer().run(bare);
        double bareSeconds = (System.nanoTime() - t0) / 1e9;
        double[] onThread = new double[1];
        Thread other = new Thread(() -> {
            long t = System.nanoTime();
            new BatchedTrainer().run(bare);
            onThread[0] = (System.nanoTime() - t) / 1e9;
        }, "bench-other-thread");
        other.start();
        other.join();
        System.out.printf(Locale.ROOT, "  BatchedTrainer alone on another thread: %.2f s%n", onThread[0]);
        int equal = 0;
        for (var run : lanes.curves().entrySet()) {
            if (run.getValue().equals(solo.curves().get(run.getKey()))) {
                equal++;
            }
        }
        System.out.printf(Locale.ROOT, "%n  service, lanes (max-lanes 16):  %6.2f s%n", lanes.seconds());
        System.out.printf(Locale.ROOT, "  service, one run at a time:     %6.2f s  -> lanes %.2fx faster%n",
                solo.seconds(), solo.seconds() / lanes.seconds());
        System.out.printf(Locale.ROOT, "  BatchedTrainer alone, same runs: %6.2f s  -> the service adds %.2fx around"
                + " the batch (submission, claims, evaluation writes, analysis headlines)%n", bareSeconds,
                lanes.seconds() / bareSeconds);
        System.out.printf(Locale.ROOT, "  curves equal between the two passes, bit for bit: %d of %d%n", equal,
                lanes.curves().size());
        System.out.printf(Locale.ROOT, "  load average at the end: %s%n", loadAverage());
        System.exit(0);
    }

    private static Pass pass(int maxLanes, int steps, String[] args) throws Exception {
        var data = Files.createTempDirectory("grokscope-lanes");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(GrokscopeApplication.class)
                .properties("server.port=0", "server.address=127.0.0.1",
                        "grokscope.embedded-postgres.data-directory=" + data, "grokscope.jobs.max-lanes=" + maxLanes,
                        "logging.level.root=WARN", "logging.level.io.grokscope.jobs.JobRunner=INFO",
                        "spring.main.banner-mode=off").run(args)) {
            String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
            // The same sweep once untimed, so that both passes are timed with the JIT (C2 compiles for seconds on
            // two cores) and ND4J's buffers warm, as in a service that has been up for a while.
            awaitSweep(base, send(base, "POST", "/api/v1/sweeps", SWEEP.formatted(steps, steps)
                    .replace("lanes-bench", "warm-up")).get("id").asLong());
            long started = System.nanoTime();
            java.time.Instant posted = java.time.Instant.now();
            JsonNode created = send(base, "POST", "/api/v1/sweeps", SWEEP.formatted(steps, steps));
            JsonNode sweep = awaitSweep(base, created.get("id").asLong());
            double seconds = (System.nanoTime() - started) / 1e9;
            if (sweep.at("/progress/succeeded").asInt() != sweep.at("/progress/total").asInt()) {
                throw new IllegalStateException("not every run succeeded: " + sweep.get("progress"));
            }
            Map<String, String> curves = new TreeMap<>();
            List<RunConfig> configs = new ArrayList<>();
            java.time.Instant firstStart = null;
            java.time.Instant lastEnd = null;
            for (JsonNode cell : sweep.get("cells")) {
                for (JsonNode run : cell.get("experiments")) {
                    long runId = run.get("experimentId").asLong();
                    JsonNode experiment = send(base, "GET", "/api/v1/experiments/" + runId, null);
                    curves.put(experiment.get("name").asText(), send(base, "GET", "/api/v1/experiments/" + runId
                            + "/metrics?maxPoints=20000", null).get("series").toString());
                    configs.add(JSON.treeToValue(experiment.get("spec"), ExperimentSpec.class).toRunConfig());
                    java.time.Instant start = java.time.Instant.parse(experiment.get("startedAt").asText());
                    java.time.Instant end = java.time.Instant.parse(experiment.get("finishedAt").asText());
                    firstStart = firstStart == null || start.isBefore(firstStart) ? start : firstStart;
                    lastEnd = lastEnd == null || end.isAfter(lastEnd) ? end : lastEnd;
                }
            }
            System.out.printf(Locale.ROOT, "  pass with grokscope.jobs.max-lanes=%d: %.2f s from the POST to the last"
                    + " run's end (the first claim %.2f s after the POST; first start to last end %.2f s)%n", maxLanes,
                    seconds, java.time.Duration.between(posted, firstStart).toMillis() / 1e3,
                    java.time.Duration.between(firstStart, lastEnd).toMillis() / 1e3);
            return new Pass(seconds, curves, configs);
        }
    }

    /** Polls the sweep every {@link #POLL_MILLIS} until every run has ended; its last view. */
    private static JsonNode awaitSweep(String base, long id) throws Exception {
        JsonNode sweep;
        do {
            Thread.sleep(POLL_MILLIS);
            sweep = send(base, "GET", "/api/v1/sweeps/" + id, null);
        } while (sweep.at("/progress/done").asInt() < sweep.at("/progress/total").asInt());
        return sweep;
    }

    private static JsonNode send(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String loadAverage() {
        try {
            return Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
