package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM exit times of the packaged service (-Xmx1g, so the default memory limits follow from that heap) while it
 * trains Nanda et al.'s transformer, and while it trains the largest transformer those limits admit, whose first
 * evaluation alone (a million table rows through a ~40M-parameter model on two cores) lasts far longer than the stop
 * budget: the stop then releases the run from its last stored checkpoint at the deadline. Each must exit within 20 s.
 */
class ShutdownTimingIT {

    private static final Duration EXIT_BUDGET = Duration.ofSeconds(20);

    /** Largest first; the first one the service admits is measured. */
    private static final List<String> LARGE = List.of(
            "\"modulus\": 1000}, \"model\": {\"type\": \"TRANSFORMER\", \"layers\": 3, \"dModel\": 1024, \"dMlp\": 4096,"
                    + " \"heads\": 16}, \"training\": {\"batchSize\": 512",
            "\"modulus\": 1000}, \"model\": {\"type\": \"TRANSFORMER\", \"layers\": 2, \"dModel\": 1024, \"dMlp\": 4096,"
                    + " \"heads\": 16}, \"training\": {\"batchSize\": 512",
            "\"modulus\": 1000}, \"model\": {\"type\": \"TRANSFORMER\", \"layers\": 4, \"dModel\": 512, \"dMlp\": 2048,"
                    + " \"heads\": 8}, \"training\": {\"batchSize\": 512",
            "\"modulus\": 1000}, \"model\": {\"type\": \"TRANSFORMER\", \"layers\": 2, \"dModel\": 512, \"dMlp\": 2048,"
                    + " \"heads\": 8}, \"training\": {\"batchSize\": 256");

    @TempDir
    Path work;

    @Test
    void exitsWithinTwentySecondsTrainingNandasTransformer() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(work, "nanda", settings())) {
            long id = submit(service.api(), """
                    {"name": "nanda", "task": {"operation": "ADD", "modulus": 113}, "model": {"type": "TRANSFORMER"}}
                    """);
            CrashRecoveryIT.awaitProgress(service.api(), id, 120);
            Duration exit = service.terminate();
            System.out.println("[ShutdownTimingIT] SIGTERM training Nanda's transformer (p=113): exited in "
                    + exit.toMillis() + " ms");
            assertThat(exit).as(Files.readString(service.log())).isLessThan(EXIT_BUDGET);
            assertThat(Files.readString(service.log())).contains("released at step");
        }
    }

    @Test
    void exitsWithinTwentySecondsTrainingTheLargestAdmittedTransformer() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(work, "largest", settings())) {
            Api api = service.api();
            String admitted = null;
            long id = -1;
            for (String candidate : LARGE) {
                Api.Response response = api.postJson("/api/v1/experiments",
                        "{\"name\": \"large\", \"task\": {\"operation\": \"ADD\", " + candidate + "}}");
                if (response.status() == 202) {
                    admitted = candidate;
                    id = response.json().get("id").asLong();
                    break;
                }
                System.out.println("[ShutdownTimingIT] refused: " + candidate + " -> " + response.body());
            }
            assertThat(admitted).as("some candidate is admitted").isNotNull();
            Instant deadline = Instant.now().plusSeconds(120);
            while (!"RUNNING".equals(api.get("/api/v1/experiments/" + id).json().get("status").asText())
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            Thread.sleep(5000); // well into its first evaluation
            Duration exit = service.terminate();
            String log = Files.readString(service.log());
            System.out.println("[ShutdownTimingIT] SIGTERM training the largest admitted transformer (" + admitted
                    + "): exited in " + exit.toMillis() + " ms; "
                    + (log.contains("did not reach a step boundary") ? "released at the stop deadline"
                            : "stopped at a step boundary"));
            assertThat(exit).as(log).isLessThan(EXIT_BUDGET);
        }
    }

    private List<String> settings() {
        return List.of("--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"));
    }

    private static long submit(Api api, String spec) {
        Api.Response response = api.postJson("/api/v1/experiments", spec);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }
}
