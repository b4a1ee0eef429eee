package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.database.EmbeddedCredentials;
import io.grokscope.support.ServiceProcess;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances (two JVMs) share one database: the first runs the embedded PostgreSQL, the second points
 * {@code spring.datasource.url} at it. Twenty short jobs submitted to one instance are each run exactly once, and
 * both instances take part.
 */
class ClusterIT {

    @TempDir
    Path work;

    @Test
    void twoInstancesRunEveryJobExactlyOnce() throws Exception {
        int pgPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            pgPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres";
        try (ServiceProcess a = ServiceProcess.start(work, "a", List.of(
                "--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"),
                "--grokscope.embedded-postgres.port=" + pgPort, "--grokscope.jobs.instance-id=a"));
                ServiceProcess b = ServiceProcess.start(work, "b", List.of("--spring.datasource.url=" + url,
                        "--spring.datasource.username=" + EmbeddedCredentials.SERVICE_ROLE,
                        "--spring.datasource.password=" + password(), "--grokscope.jobs.instance-id=b"))) {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                var response = a.api().postJson("/api/v1/experiments", """
                        {"name": "cluster-%d", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5},
                         "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [32]},
                         "training": {"steps": 300, "evalEvery": 50, "checkpointEvery": 100, "seed": %d}}
                        """.formatted(i, i));
                assertThat(response.status()).isEqualTo(202);
                ids.add(response.json().get("id").asLong());
            }

            try (Connection db = DriverManager.getConnection(url, EmbeddedCredentials.SERVICE_ROLE,
                    password());
                    Statement sql = db.createStatement()) {
                Instant deadline = Instant.now().plusSeconds(300);
                while (Instant.now().isBefore(deadline) && count(sql, "status = 'SUCCEEDED'") < 20) {
                    Thread.sleep(500);
                }
                // Each job ran exactly once: one attempt, no failure, its 7 evaluations stored once each.
                assertThat(count(sql, "status = 'SUCCEEDED' and attempt = 1 and failures = 0")).isEqualTo(20);
                try (ResultSet rows = sql.executeQuery("select count(*) from metric_point where metric = 'train_loss'")) {
                    rows.next();
                    assertThat(rows.getLong(1)).isEqualTo(20 * 7);
                }
                try (ResultSet rows = sql.executeQuery(
                        "select count(distinct split_part(provenance ->> 'worker', '/', 1)) from job")) {
                    rows.next();
                    assertThat(rows.getLong(1)).as("instances that ran jobs").isEqualTo(2);
                }
            }
        }
    }

    /** The service role's password, which instance a's embedded PostgreSQL generated into its data folder. */
    private String password() {
        return EmbeddedCredentials.read(work.resolve("pg")).orElseThrow().servicePassword();
    }

    private static long count(Statement sql, String condition) throws Exception {
        try (ResultSet rows = sql.executeQuery("select count(*) from job where " + condition)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
