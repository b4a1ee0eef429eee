package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.database.EmbeddedCredentials;
import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that kills its JVM (Runtime.halt, as a native crash would: {@link TestFaults}) beside an innocent run on a
 * two-worker instance, restarted after every death as a supervisor would. The first death cannot be blamed on either
 * (both become suspects, no failure counted); each then runs alone; the innocent one succeeds with no failure
 * counted, and the killer, dying alone, is blamed each time and ends FAILED after max-failures deaths.
 */
class JvmKillerIT {

    @TempDir
    Path work;

    @Test
    void theKillerEndsFailedAndTheInnocentRunSucceedsWithNoFailureCounted() throws Exception {
        int pgPort = GracefulStopIT.freePort();
        // Experiment ids in a fresh database: 1 the innocent run, 2 the killer.
        List<String> jvm = List.of("-Xmx1g", "-D" + TestFaults.EXPERIMENT_PROPERTY + "=2",
                "-D" + TestFaults.STEP_PROPERTY + "=20");
        List<String> settings = List.of("--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"),
                "--grokscope.embedded-postgres.port=" + pgPort, "--grokscope.jobs.workers=2",
                "--grokscope.jobs.lease-duration=6s", "--grokscope.jobs.heartbeat-interval=1s",
                "--grokscope.jobs.retry-backoff=1s");
        List<String> lives = new ArrayList<>();
        int deaths = 0;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
        while (Instant.now().isBefore(deadline)) {
            ServiceProcess started;
            try {
                started = ServiceProcess.start(work, "life-" + lives.size(), jvm, settings);
            } catch (IllegalStateException diedWhileStarting) {
                // The killer, claimed at the first poll, can halt the JVM before it answered a health check.
                assertThat(diedWhileStarting).hasMessageContaining("exited");
                lives.add("life-" + lives.size() + " (died starting)");
                deaths++;
                continue;
            }
            try (ServiceProcess service = started) {
                lives.add(service.log().toString());
                Api api = service.api();
                if (lives.size() == 1) {
                    assertThat(CrashRecoveryIT.submit(api, "innocent")).isEqualTo(1);
                    CrashRecoveryIT.awaitProgress(api, 1, 50);
                    assertThat(submitKiller(api)).isEqualTo(2);
                }
                while (service.isAlive() && !(finished(api, 1) && finished(api, 2))) {
                    service.awaitExit(Duration.ofMillis(500));
                }
                if (!service.isAlive()) {
                    deaths++;
                    continue;
                }
                assertThat(status(api, 1)).as(String.join(", ", lives)).isEqualTo("SUCCEEDED");
                assertThat(status(api, 2)).isEqualTo("FAILED");
                try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort
                        + "/postgres", EmbeddedCredentials.SERVICE_ROLE,
                        EmbeddedCredentials.read(work.resolve("pg")).orElseThrow().servicePassword());
                        Statement sql = db.createStatement();
                        ResultSet rows = sql.executeQuery(
                                "select experiment_id, failures, attempt, error from job order by experiment_id")) {
                    rows.next();
                    System.out.println("[JvmKillerIT] innocent: failures " + rows.getInt(2) + ", attempts "
                            + rows.getInt(3) + ", error " + rows.getString(4));
                    assertThat(rows.getInt(2)).as("failures of the innocent run").isZero();
                    rows.next();
                    System.out.println("[JvmKillerIT] killer: failures " + rows.getInt(2) + ", attempts "
                            + rows.getInt(3) + ", deaths " + deaths + ", error " + rows.getString(4));
                    assertThat(rows.getInt(2)).as("failures of the killer").isEqualTo(3);
                    assertThat(rows.getString(4)).contains("while running it alone")
                            .contains("while running other jobs too");
                }
                assertThat(deaths).as("one shared death, then three alone").isEqualTo(4);
                return;
            }
        }
        throw new AssertionError("not settled in 15 minutes after " + deaths + " deaths; logs " + lives);
    }

    private static long submitKiller(Api api) {
        Api.Response response = api.postJson("/api/v1/experiments", """
                {"name": "killer", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": 1},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [32]},
                 "training": {"steps": 1000, "evalEvery": 10, "checkpointEvery": 100, "seed": 5}}
                """);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    private static String status(Api api, long id) {
        return api.get("/api/v1/experiments/" + id).json().get("status").asText();
    }

    private static boolean finished(Api api, long id) {
        try {
            return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status(api, id));
        } catch (RuntimeException dying) {
            return false;
        }
    }
}
