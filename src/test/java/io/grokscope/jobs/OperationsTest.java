package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What an operator reads: the liveness and readiness groups, build and git info, the job pool's meters in Prometheus's
 * format (with a real run moving them), and the run's id on every log line the run causes, on each of its threads.
 */
@IntegrationTest
class OperationsTest {

    @LocalServerPort
    int port;

    @Autowired
    JobWorker worker;

    @Autowired
    JobMetrics jobMetrics;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    @Test
    void livenessAndReadinessAreSeparateGroupsAndReadinessIncludesTheDatabase() {
        Api.Response liveness = api.get("/actuator/health/liveness");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.json().get("status").asText()).isEqualTo("UP");
        Api.Response readiness = api.get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().get("components").has("db")).as(readiness.body()).isTrue();
        assertThat(readiness.json().get("components").has("readinessState")).isTrue();
        // A database outage, which the job pool waits out, must not get the process restarted.
        assertThat(liveness.json().path("components").has("db")).as(liveness.body()).isFalse();
    }

    @Test
    void infoShowsTheBuildAndTheCommit() {
        Api.Response info = api.get("/actuator/info");
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json().at("/build/artifact").asText()).isEqualTo("grokscope");
        assertThat(info.json().at("/build/version").asText()).isNotBlank();
        // git.properties is written by the build wherever it runs in a git checkout (not from a source archive).
        if (getClass().getResource("/git.properties") != null) {
            assertThat(info.json().at("/git/commit/id").asText()).as(info.body()).matches("[0-9a-f]{7,40}");
        }
    }

    @Test
    void aRunMovesTheMetersAndNamesItselfOnEveryLogLineItCauses() {
        Logger runner = (Logger) LoggerFactory.getLogger(JobRunner.class);
        Level before = runner.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        runner.addAppender(captured);
        runner.setLevel(Level.INFO);
        long stepsBefore = jobMetrics.stepsTrained();
        long id;
        try {
            // Long enough (a few heartbeats of 200 ms) that the heartbeat measures the speed and counts the steps.
            id = api.postJson("/api/v1/experiments", """
                    {"name": "operations-test", "task": {"operation": "ADD", "modulus": 11},
                     "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]},
                     "training": {"steps": 3000, "evalEvery": 50}}""").json().get("id").asLong();
            // Claims in queue order: jobs other tests left queued run first.
            while (worker.runOnce("operations-test/0")) {
                if (api.get("/api/v1/experiments/" + id).json().get("status").asText().equals("SUCCEEDED")) {
                    break;
                }
            }
        } finally {
            runner.detachAppender(captured);
            runner.setLevel(before);
        }
        assertThat(api.get("/api/v1/experiments/" + id).json().get("status").asText()).isEqualTo("SUCCEEDED");
        List<ILoggingEvent> ofThisRun = captured.list.stream()
                .filter(e -> e.getFormattedMessage().contains("experiment " + id + " ")).toList();
        assertThat(ofThisRun).as("JobRunner's lines about experiment " + id).isNotEmpty();
        assertThat(ofThisRun).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("experiment",
                Long.toString(id)));
        assertThat(jobMetrics.stepsTrained()).as("steps counted by the heartbeats").isGreaterThan(stepsBefore);

        String scrape = api.get("/actuator/prometheus", "text/plain").body();
        for (String meter : List.of("grokscope_jobs_queued_experiments", "grokscope_jobs_running_experiments",
                "grokscope_training_steps_total", "grokscope_training_steps_per_second",
                "grokscope_metrics_sink_backlog_points", "grokscope_events_streams",
                "grokscope_jobs_leases_lost_total", "jvm_memory_used_bytes", "hikaricp_connections_active")) {
            assertThat(scrape).as("/actuator/prometheus has " + meter).containsPattern("(?m)^" + meter + "(\\{| )");
        }
        Matcher steps = Pattern.compile("(?m)^grokscope_training_steps_total(?:\\{[^}]*})? (\\S+)").matcher(scrape);
        assertThat(steps.find()).isTrue();
        assertThat(Double.parseDouble(steps.group(1))).isGreaterThan(0);
    }
}
