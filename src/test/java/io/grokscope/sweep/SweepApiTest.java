package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.jobs.JobPoolDriver;
import io.grokscope.jobs.JobProperties;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The sweep resource over HTTP on the shared context: expansion into queued experiments, validation with pointers,
 * the grid cap, all-or-nothing admission (429), listing, cancellation and deletion. Nothing here trains to the end;
 * {@link SweepRunTest} does.
 */
@IntegrationTest
class SweepApiTest {

    /** A small base; experiments of these tests are cancelled or never claimed. */
    private static final String BASE = """
            {"task": {"operation": "ADD", "modulus": 11},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [32]},
             "training": {"steps": 100, "evalEvery": 10}, "analysis": {"progressMeasuresEvery": 0}}""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobProperties jobs;

    @Autowired
    ApplicationContext context;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Api.Response post(String name, String base, String axes, String seeds) {
        return api.postJson("/api/v1/sweeps", """
                {"name": "%s", "base": %s, "axes": %s, "seeds": %s}""".formatted(name, base, axes, seeds));
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }

    private static List<String> pointers(Api.Response response) {
        List<String> pointers = new ArrayList<>();
        response.json().get("errors").forEach(e -> pointers.add(e.path("pointer").asText(null)));
        return pointers;
    }

    @Test
    void expandsIntoTheCartesianProductTimesSeedsEachAQueuedExperiment() {
        String name = unique("expand");
        Api.Response response = post(name, BASE, """
                {"optimizer.weightDecay": [0, 0.1, 1], "task.trainFraction": [0.3, 0.5],
                 "optimizer.gradientFilter.type": [null, "EMA"]}""", "[0, 1]");

        assertThat(response.status()).as(response.body()).isEqualTo(202);
        JsonNode sweep = response.json();
        long id = sweep.get("id").asLong();
        assertThat(response.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/v1/sweeps/" + id));
        assertThat(sweep.at("/progress/total").asInt()).isEqualTo(24);
        assertThat(sweep.at("/progress/queued").asInt()).isEqualTo(24);
        assertThat(sweep.at("/progress/done").asInt()).isZero();
        assertThat(sweep.get("cells")).hasSize(12);
        assertThat(sweep.get("seeds")).hasSize(2);
        assertThat(sweep.at("/axes/2/values/0").isNull()).isTrue();

        Set<String> combinations = new HashSet<>();
        Set<Long> experimentIds = new HashSet<>();
        for (JsonNode cell : sweep.get("cells")) {
            JsonNode values = cell.get("values");
            assertThat(cell.get("experiments")).hasSize(2);
            assertThat(cell.get("pending").asInt()).isEqualTo(2);
            assertThat(cell.get("verdict").isNull()).isTrue();
            for (JsonNode run : cell.get("experiments")) {
                experimentIds.add(run.get("experimentId").asLong());
                JsonNode experiment = api.get("/api/v1/experiments/" + run.get("experimentId").asLong()).json();
                JsonNode spec = experiment.get("spec");
                assertThat(experiment.get("status").asText()).isEqualTo("QUEUED");
                assertThat(experiment.get("name").asText())
                        .isEqualTo(name + "/" + cell.get("index").asInt() + "/s" + run.get("seed").asLong());
                assertThat(spec.at("/optimizer/weightDecay").asDouble())
                        .isEqualTo(values.get("optimizer.weightDecay").asDouble());
                assertThat(spec.at("/task/trainFraction").asDouble())
                        .isEqualTo(values.get("task.trainFraction").asDouble());
                if (values.get("optimizer.gradientFilter.type").isNull()) {
                    assertThat(spec.at("/optimizer/gradientFilter").isNull()).isTrue();
                } else {
                    assertThat(spec.at("/optimizer/gradientFilter/type").asText()).isEqualTo("EMA");
                }
                assertThat(spec.at("/task/seed").asLong()).isEqualTo(run.get("seed").asLong());
                assertThat(spec.at("/training/seed").asLong()).isEqualTo(run.get("seed").asLong());
                assertThat(spec.at("/task/modulus").asInt()).isEqualTo(11);
                combinations.add(values.toString() + run.get("seed"));
            }
        }
        assertThat(combinations).hasSize(24);
        assertThat(experimentIds).hasSize(24);
        assertThat(api.get("/api/v1/sweeps/" + id).json()).isEqualTo(sweep);

        assertThat(api.post("/api/v1/sweeps/" + id + "/cancel").status()).isEqualTo(202);
        assertThat(api.delete("/api/v1/sweeps/" + id).status()).isEqualTo(204);
    }

    @Test
    void invalidExpandedSpecsAreRefusedWithPointersToTheirCauseAndStoreNothing() {
        long sweeps = count("sweep");
        long experiments = count("experiment");

        Api.Response response = post(unique("invalid"), """
                {"task": {"operation": "ADD", "modulus": 11}, "model": {"type": "MLP", "embedDim": 0}}""", """
                {"optimizer.weightDecay": [0, -0.1, 1], "task.trainFraction": [0.5, 1.5], "model.wdith": [1]}""",
                "null");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(pointers(response)).containsExactly("/axes/model.wdith");

        response = post(unique("invalid"), """
                {"task": {"operation": "ADD", "modulus": 11}, "model": {"type": "MLP", "embedDim": 0}}""", """
                {"optimizer.weightDecay": [0, -0.1, 1], "task.trainFraction": [0.5, 1.5]}""", "[0, 0]");
        assertThat(response.status()).isEqualTo(400);
        assertThat(pointers(response)).containsExactly("/seeds/1");

        response = post(unique("invalid"), """
                {"task": {"operation": "ADD", "modulus": 11}, "model": {"type": "MLP", "embedDim": 0}}""", """
                {"optimizer.weightDecay": [0, -0.1, 1], "task.trainFraction": [0.5, 1.5]}""", "[0, -3]");
        assertThat(response.status()).isEqualTo(400);
        assertThat(pointers(response)).containsExactly("/seeds/1");

        response = post(unique("invalid"), """
                {"task": {"operation": "ADD", "modulus": 11}, "model": {"type": "MLP", "embedDim": 0}}""", """
                {"optimizer.weightDecay": [0, -0.1, 1], "task.trainFraction": [0.5, 1.5]}""", "[0, 1]");
        assertThat(response.status()).isEqualTo(400);
        assertThat(pointers(response)).containsExactly("/axes/optimizer.weightDecay/1", "/axes/task.trainFraction/1",
                "/base/model/embedDim");
        assertThat(response.json().at("/errors/0/detail").asText()).contains("greater than or equal to 0");

        assertThat(count("sweep")).isEqualTo(sweeps);
        assertThat(count("experiment")).isEqualTo(experiments);
    }

    @Test
    void malformedSweepsAreProblemsNeverServerErrors() {
        String[] bodies = {
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"optimizer.weightDecay\": [[1]]}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"optimizer.weightDecay\": null}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"optimizer.weightDecay\": [1e400]}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"training.steps\": [1.5, \"ten\", true]}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"model.type\": [\"CNN\"]}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": {\"" + "a".repeat(500) + "\": [1]}}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"axes\": [1, 2]}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"seeds\": []}",
                "{\"name\": \"x\", \"base\": null}",
                "{\"name\": \"" + "n".repeat(61) + "\", \"base\": " + BASE + "}",
                "{\"name\": \"x\", \"base\": " + BASE + ", \"colour\": 1}",
                "[]",
        };
        for (String body : bodies) {
            Api.Response response = api.postJson("/api/v1/sweeps", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).as(body).startsWith("application/problem+json");
            assertThat(response.json().get("errors")).as(body).isNotEmpty();
        }
    }

    @Test
    void aGridOverTheCapIsRefusedNamingItsSize() {
        StringBuilder hundred = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            hundred.append(i == 0 ? "" : ", ").append(i * 0.01);
        }
        hundred.append(']');

        Api.Response response = post(unique("capped"), BASE, """
                {"optimizer.weightDecay": %s, "task.trainFraction": [0.3, 0.5, 0.7]}""".formatted(hundred), "null");

        assertThat(response.status()).isEqualTo(400);
        assertThat(pointers(response)).containsExactly("/axes");
        assertThat(response.json().at("/errors/0/detail").asText()).contains("100 × 3 = 300 cells", "300 experiments",
                "limit of 200", "grokscope.limits.sweep-experiments");
    }

    @Test
    void aSweepTheQueueCannotTakeWholeIsRefused429AndStoresNothing() {
        long queued = jdbc.queryForObject("select count(*) from job where status = 'QUEUED'", Long.class);
        // room for exactly 3 more: a sweep of 4 must not be admitted in part
        jdbc.update("with filler as (insert into experiment (name, spec, operation, model_type, total_steps) select"
                + " 'sweep-filler', '{}'::jsonb, 'ADD', 'MLP', 1 from generate_series(1, ?) returning id)"
                + " insert into job (experiment_id, status) select id, 'QUEUED' from filler",
                jobs.maxQueued() - queued - 3);
        try {
            long sweeps = count("sweep");
            long experiments = count("experiment");
            long members = count("sweep_experiment");

            Api.Response response = post(unique("busy"), BASE, "{\"optimizer.weightDecay\": [0, 1]}", "[0, 1]");

            assertThat(response.status()).isEqualTo(429);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.header("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v))
                    .isPositive());
            assertThat(count("sweep")).isEqualTo(sweeps);
            assertThat(count("experiment")).isEqualTo(experiments);
            assertThat(count("sweep_experiment")).isEqualTo(members);

            Api.Response fits = post(unique("fits"), BASE, "{\"optimizer.weightDecay\": [0, 1, 2]}", "null");
            assertThat(fits.status()).as(fits.body()).isEqualTo(202);
            api.post("/api/v1/sweeps/" + fits.json().get("id").asLong() + "/cancel");
        } finally {
            jdbc.update("delete from experiment where name = 'sweep-filler'");
        }
    }

    @Test
    void listsSweepsNewestFirstFilteredByName() {
        String prefix = unique("listed");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Api.Response created = post(prefix + "-" + i, BASE, "{}", "null");
            assertThat(created.status()).isEqualTo(202);
            ids.add(created.json().get("id").asLong());
            api.post("/api/v1/sweeps/" + ids.get(i) + "/cancel");
        }

        JsonNode page = api.get("/api/v1/sweeps?name=" + prefix.toUpperCase() + "&size=2").json();

        assertThat(page.get("totalItems").asLong()).isEqualTo(3);
        assertThat(page.get("totalPages").asInt()).isEqualTo(2);
        assertThat(page.get("items")).extracting(item -> item.get("id").asLong()).containsExactly(ids.get(2),
                ids.get(1));
        assertThat(page.at("/items/0/progress/cancelled").asInt()).isEqualTo(1);
        assertThat(page.at("/items/0/seeds").isNull()).isTrue();
        assertThat(api.get("/api/v1/sweeps?name=" + prefix + "&page=1&size=2").json().get("items"))
                .extracting(item -> item.get("id").asLong()).containsExactly(ids.get(0));
        assertThat(api.get("/api/v1/sweeps?size=0").status()).isEqualTo(400);
        // LIKE wildcards in the filter are matched literally
        assertThat(api.get("/api/v1/sweeps?name=" + prefix.replace('-', '_')).json().get("totalItems").asLong())
                .isZero();
    }

    @Test
    void cancellingStopsQueuedAndRunningExperimentsAndDeletingWaitsForThem() throws Exception {
        // drain: this test's worker must claim this sweep's experiment, not another test's leftover
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
        Api.Response created = post(unique("cancel"), BASE.replace("\"steps\": 100", "\"steps\": 1000000"),
                "{\"optimizer.weightDecay\": [0.5, 1]}", "null");
        assertThat(created.status()).isEqualTo(202);
        long id = created.json().get("id").asLong();
        long first = created.json().at("/cells/0/experiments/0/experimentId").asLong();
        long second = created.json().at("/cells/1/experiments/0/experimentId").asLong();
        Thread worker = new Thread(() -> JobPoolDriver.runOnce(context, "sweep-test/0"));
        worker.start();
        awaitRunning(first);

        assertThat(api.delete("/api/v1/sweeps/" + id).status()).isEqualTo(409);
        assertThat(api.get("/api/v1/experiments/" + second).json().get("status").asText()).isEqualTo("QUEUED");

        Api.Response cancelled = api.post("/api/v1/sweeps/" + id + "/cancel");
        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.json().at("/cells/1/experiments/0/status").asText()).isEqualTo("CANCELLED");
        worker.join(Duration.ofSeconds(30).toMillis());
        assertThat(worker.isAlive()).isFalse();

        JsonNode sweep = api.get("/api/v1/sweeps/" + id).json();
        assertThat(sweep.at("/progress/cancelled").asInt()).isEqualTo(2);
        assertThat(sweep.at("/progress/done").asInt()).isEqualTo(2);
        assertThat(sweep.at("/cells/0/excluded").asInt()).isEqualTo(1);
        assertThat(sweep.at("/cells/0/verdict").isNull()).isTrue(); // a cancelled run's partial verdict never counts
        assertThat(api.post("/api/v1/sweeps/" + id + "/cancel").status()).isEqualTo(202); // idempotent

        assertThat(api.delete("/api/v1/sweeps/" + id).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/sweeps/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/experiments/" + first).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from metric_point where experiment_id = ?", Long.class,
                first)).isZero();
        assertThat(api.post("/api/v1/sweeps/" + id + "/cancel").status()).isEqualTo(404);
        assertThat(api.delete("/api/v1/sweeps/" + id).status()).isEqualTo(404);
    }

    @Test
    void anExperimentDeletedOnItsOwnLeavesItsSweep() {
        Api.Response created = post(unique("shrinks"), BASE, "{\"optimizer.weightDecay\": [0, 1]}", "null");
        long id = created.json().get("id").asLong();
        long gone = created.json().at("/cells/0/experiments/0/experimentId").asLong();

        assertThat(api.delete("/api/v1/experiments/" + gone).status()).isEqualTo(204);

        JsonNode sweep = api.get("/api/v1/sweeps/" + id).json();
        assertThat(sweep.at("/progress/total").asInt()).isEqualTo(1);
        assertThat(sweep.at("/cells/0/experiments")).isEmpty();
        assertThat(sweep.at("/cells/1/experiments")).hasSize(1);
        api.post("/api/v1/sweeps/" + id + "/cancel");
    }

    private void awaitRunning(long experimentId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            Long step = jdbc.queryForObject("select max(step) from metric_point where experiment_id = ?", Long.class,
                    experimentId);
            if (step != null && step >= 10) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("experiment " + experimentId + " never started training");
    }
}
