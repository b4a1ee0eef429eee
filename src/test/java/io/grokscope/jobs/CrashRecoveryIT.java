package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: the packaged service (embedded PostgreSQL, default configuration but for short leases) is killed with
 * SIGKILL mid-training, leaving its PostgreSQL orphaned, and started again on the same data directory. The run must
 * resume from its checkpoint on the next attempt and end with every metric row present exactly once, equal to an
 * uninterrupted run of the same seed.
 */
class CrashRecoveryIT {

    private static final int STEPS = 3000;
    private static final String SPEC = """
            {"name": "%s", "task": {"operation": "ADD", "modulus": 31, "trainFraction": 0.5, "seed": 3},
             "model": {"type": "MLP", "embedDim": 32, "hiddenDims": [128]},
             "training": {"steps": %d, "evalEvery": 10, "checkpointEvery": 200, "seed": 11},
             "analysis": {"progressMeasuresEvery": 100}}
            """;

    @TempDir
    Path work;

    @Test
    void aKilledInstancesRunResumesFromItsCheckpointWithNoGapAndNoDuplicate() throws Exception {
        List<String> settings = List.of("--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"),
                "--grokscope.jobs.lease-duration=6s", "--grokscope.jobs.heartbeat-interval=1s");
        long id;
        try (ServiceProcess first = ServiceProcess.start(work, "first", settings)) {
            id = submit(first.api(), "crash-me");
            awaitProgress(first.api(), id, 800);
            first.kill();
        }

        try (ServiceProcess second = ServiceProcess.start(work, "second", settings)) {
            Api api = second.api();
            JsonNode crashed = awaitFinished(api, id);
            long reference = submit(api, "reference");
            awaitFinished(api, reference);

            assertThat(crashed.get("status").asText()).as(Files.readString(second.log())).isEqualTo("SUCCEEDED");
            assertThat(crashed.get("attempt").asInt()).isEqualTo(2);
            Map<String, Map<Long, String>> resumed = curves(api, id);
            assertThat(resumed.get("train_loss").keySet()).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(0, STEPS / 10).map(i -> i * 10).boxed().toList());
            assertThat(resumed).isEqualTo(curves(api, reference));
        }
    }

    static long submit(Api api, String name) {
        Api.Response response = api.postJson("/api/v1/experiments", SPEC.formatted(name, STEPS));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    static void awaitProgress(Api api, long id, long step) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            JsonNode experiment = api.get("/api/v1/experiments/" + id).json();
            if (experiment.at("/progress/step").asLong() >= step) {
                return;
            }
            assertThat(experiment.get("status").asText()).isIn("QUEUED", "RUNNING");
            Thread.sleep(100);
        }
        throw new AssertionError("experiment " + id + " never reached step " + step);
    }

    static JsonNode awaitFinished(Api api, long id) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(240);
        while (Instant.now().isBefore(deadline)) {
            JsonNode experiment = api.get("/api/v1/experiments/" + id).json();
            if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(experiment.get("status").asText())) {
                return experiment;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("experiment " + id + " did not finish");
    }

    /** metric → step → value (as the exact text the service wrote), from the CSV endpoint. */
    static Map<String, Map<Long, String>> curves(Api api, long id) {
        Api.Response csv = api.get("/api/v1/experiments/" + id + "/metrics?maxPoints=20000", "text/csv");
        assertThat(csv.status()).as(csv.body()).isEqualTo(200);
        Map<String, Map<Long, String>> curves = new TreeMap<>();
        csv.body().lines().skip(1).forEach(line -> {
            String[] cells = line.split(",");
            String previous = curves.computeIfAbsent(cells[1], m -> new TreeMap<>()).put(Long.parseLong(cells[2]),
                    cells[3]);
            assertThat(previous).as("duplicate row " + line).isNull();
        });
        return curves;
    }
}
