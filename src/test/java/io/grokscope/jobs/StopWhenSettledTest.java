package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code analysis.stopWhenSettled} (issue 18): a run that generalizes early ends once its analysis has held still for
 * the margin, SUCCEEDED, saying why and how many steps it saved, with the same verdict and milestones its analysis had;
 * off by default for a single run, on by default in a sweep, whose progress sums the steps saved.
 */
@IntegrationTest
class StopWhenSettledTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobWorker worker;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    /** The corpus's mlp-p47-f09-wd1 setup (test accuracy holds 0.99 from step ~490), with a budget of 4 000 steps. */
    private static String spec(String name, String stopWhenSettled) {
        return """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 47, "trainFraction": 0.9, "seed": 0},
                 "model": {"type": "MLP", "embedDim": 32, "hiddenDims": [128]},
                 "optimizer": {"learningRate": 0.003, "weightDecay": 1.0},
                 "training": {"steps": 4000, "evalEvery": 10, "checkpointEvery": 1000, "seed": 0},
                 "analysis": {"progressMeasuresEvery": 50%s}}
                """.formatted(name, stopWhenSettled == null ? "" : ", \"stopWhenSettled\": " + stopWhenSettled);
    }

    @Test
    void aRunThatSettlesEndsEarlyAndSaysWhy() {
        Api.Response submitted = api.postJson("/api/v1/experiments", spec("settles", "true"));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        long id = submitted.json().get("id").asLong();

        assertThat(worker.runOnce("settle/0")).isTrue();

        JsonNode run = api.get("/api/v1/experiments/" + id).json();
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        long last = run.at("/progress/step").asLong();
        assertThat(last).as("stopped well before its budget").isBetween(900L, 3000L);
        assertThat(run.get("stepsSaved").asLong()).isEqualTo(4000 - last);
        assertThat(run.get("settledAt").asLong()).isBetween(400L, 700L);
        assertThat(run.get("stopReason").asText()).contains("COMPREHENSION").contains("held still");
        JsonNode analysis = api.get("/api/v1/experiments/" + id + "/analysis").json();
        assertThat(analysis.get("verdict").asText()).isEqualTo(run.get("verdict").asText());
        assertThat(analysis.get("generalizationStep").asLong()).isEqualTo(run.get("generalizationStep").asLong());
        // stopped at a step boundary; its last evaluation is the last multiple of evalEvery (10) before it
        assertThat(jdbc.queryForObject("select max(step) from metric_point where experiment_id = ?", Long.class, id))
                .isBetween(last - 10, last);
    }

    @Test
    void offByDefaultForASingleRunOnByDefaultInASweep() {
        Api.Response single = api.postJson("/api/v1/experiments", spec("single", null));
        assertThat(single.json().at("/spec/analysis/stopWhenSettled").asBoolean()).isFalse();
        api.post("/api/v1/experiments/" + single.json().get("id").asLong() + "/cancel");

        Api.Response sweep = api.postJson("/api/v1/sweeps", """
                {"name": "settle-sweep",
                 "base": {"task": {"operation": "ADD", "modulus": 23},
                          "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [32]},
                          "training": {"steps": 300, "evalEvery": 10}},
                 "axes": {"optimizer.weightDecay": [1, 2]}}""");
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(202);
        long sweepId = sweep.json().get("id").asLong();
        JsonNode view = api.get("/api/v1/sweeps/" + sweepId).json();
        assertThat(view.at("/progress/stepsBudgeted").asLong()).isEqualTo(600);
        assertThat(view.at("/progress/stepsSaved").asLong()).isZero();
        long member = view.at("/cells/0/experiments/0/experimentId").asLong();
        assertThat(api.get("/api/v1/experiments/" + member).json().at("/spec/analysis/stopWhenSettled").asBoolean())
                .isTrue();
        api.post("/api/v1/sweeps/" + sweepId + "/cancel");
    }
}
