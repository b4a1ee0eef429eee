package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.database.EmbeddedCredentials;
import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a run on the packaged service (default set-up, embedded PostgreSQL): the JVM exits within
 * 20 s, the run is back in the queue with no failure counted and a checkpoint at the step it stopped at, and the next
 * start resumes it to SUCCEEDED with the same curves as an uninterrupted run.
 */
class GracefulStopIT {

    private static final int STEPS = 3000;
    private static final Duration EXIT_BUDGET = Duration.ofSeconds(20);

    @TempDir
    Path work;

    @Test
    void sigtermReleasesTheRunWithoutAFailureAndTheNextStartResumesIt() throws Exception {
        int pgPort = freePort();
        List<String> settings = List.of("--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"),
                "--grokscope.embedded-postgres.port=" + pgPort, "--grokscope.jobs.lease-duration=6s",
                "--grokscope.jobs.heartbeat-interval=1s");
        long id;
        Duration exit;
        try (ServiceProcess first = ServiceProcess.start(work, "first", settings)) {
            id = CrashRecoveryIT.submit(first.api(), "stopped");
            CrashRecoveryIT.awaitProgress(first.api(), id, 700);
            exit = first.terminate();
            System.out.println("[GracefulStopIT] SIGTERM mid-run (MLP p=31): exited in " + exit.toMillis() + " ms");
            assertThat(exit).as(Files.readString(first.log())).isLessThan(EXIT_BUDGET);
            assertThat(Files.readString(first.log())).contains("released at step");
        }

        List<String> apiOnly = new java.util.ArrayList<>(settings);
        apiOnly.add("--grokscope.jobs.enabled=false");
        try (ServiceProcess idle = ServiceProcess.start(work, "idle", apiOnly)) {
            JsonNode stopped = idle.api().get("/api/v1/experiments/" + id).json();
            assertThat(stopped.get("status").asText()).isEqualTo("QUEUED");
            assertThat(stopped.get("attempt").asInt()).isEqualTo(1);
            Map<String, String> row = row(pgPort, id);
            assertThat(row).containsEntry("failures", "0").containsEntry("error", null);
            assertThat(Long.parseLong(row.get("checkpoint"))).as("checkpoint written at the stop")
                    .isEqualTo(Long.parseLong(row.get("progress_step"))).isGreaterThanOrEqualTo(700);
            Duration idleExit = idle.terminate();
            System.out.println("[GracefulStopIT] SIGTERM idle: exited in " + idleExit.toMillis() + " ms");
            assertThat(idleExit).isLessThan(EXIT_BUDGET);
        }

        try (ServiceProcess second = ServiceProcess.start(work, "second", settings)) {
            Api api = second.api();
            JsonNode resumed = CrashRecoveryIT.awaitFinished(api, id);
            assertThat(resumed.get("status").asText()).as(Files.readString(second.log())).isEqualTo("SUCCEEDED");
            assertThat(resumed.get("attempt").asInt()).isEqualTo(2);
            assertThat(row(pgPort, id)).containsEntry("failures", "0");
            long reference = CrashRecoveryIT.submit(api, "reference");
            CrashRecoveryIT.awaitFinished(api, reference);
            assertThat(CrashRecoveryIT.curves(api, id)).isEqualTo(CrashRecoveryIT.curves(api, reference));
        }
    }

    /** The job-pool columns of one experiment, read as the service role with the generated password. */
    private Map<String, String> row(int pgPort, long id) throws Exception {
        String password = EmbeddedCredentials.read(work.resolve("pg")).orElseThrow().servicePassword();
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres",
                EmbeddedCredentials.SERVICE_ROLE, password);
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("select e.failures, e.error, e.progress_step, c.step from job e"
                        + " left join checkpoint c on c.experiment_id = e.experiment_id"
                        + " where e.experiment_id = " + id)) {
            rs.next();
            Map<String, String> row = new java.util.HashMap<>();
            row.put("failures", rs.getString(1));
            row.put("error", rs.getString(2));
            row.put("progress_step", rs.getString(3));
            row.put("checkpoint", rs.getString(4));
            return row;
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
