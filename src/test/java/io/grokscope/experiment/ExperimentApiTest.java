package io.grokscope.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class ExperimentApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    private JsonNode submit(String name) {
        Api.Response response = api.postJson("/api/v1/experiments", """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 23}, "model": {"type": "MLP"}}
                """.formatted(name));
        assertThat(response.status()).isEqualTo(202);
        return response.json();
    }

    @Nested
    class Submitting {

        @Test
        void answersAcceptedWithLocationAndTheCompleteSpec() {
            Api.Response response = api.postJson("/api/v1/experiments", """
                    {"name": "nanda-p113", "task": {"operation": "ADD"}, "model": {"type": "TRANSFORMER"},
                     "optimizer": {"gradientFilter": {"type": "EMA"}}}
                    """);

            assertThat(response.status()).isEqualTo(202);
            long id = response.json().get("id").asLong();
            assertThat(response.header("Location")).hasValueSatisfying(
                    location -> assertThat(location).endsWith("/api/v1/experiments/" + id));
            JsonNode body = response.json();
            assertThat(body.get("status").asText()).isEqualTo("QUEUED");
            JsonNode spec = body.get("spec");
            assertThat(spec.at("/task/modulus").asInt()).isEqualTo(113);
            assertThat(spec.at("/task/trainFraction").asDouble()).isEqualTo(0.3);
            assertThat(spec.at("/model/dModel").asInt()).isEqualTo(128);
            assertThat(spec.at("/model/heads").asInt()).isEqualTo(4);
            assertThat(spec.at("/model/dMlp").asInt()).isEqualTo(512);
            assertThat(spec.at("/model/layerNorm").asText()).isEqualTo("NONE");
            assertThat(spec.at("/model/init").asText()).isEqualTo("NANDA");
            assertThat(spec.at("/optimizer/type").asText()).isEqualTo("ADAMW");
            assertThat(spec.at("/optimizer/weightDecay").asDouble()).isEqualTo(1.0);
            assertThat(spec.at("/optimizer/beta2").asDouble()).isEqualTo(0.98);
            assertThat(spec.at("/optimizer/gradientFilter/alpha").asDouble()).isEqualTo(0.98);
            assertThat(spec.at("/optimizer/gradientFilter/lambda").asDouble()).isEqualTo(2.0);
            assertThat(spec.at("/training/batchSize").isNull()).isTrue();
            assertThat(spec.at("/analysis/memorizationThreshold").asDouble()).isEqualTo(0.99);
            assertThat(body.at("/progress/totalSteps").asLong()).isEqualTo(spec.at("/training/steps").asLong());
        }

        @Test
        void acceptsTheGrokfastReferenceBlockAndInitialisation() {
            Api.Response response = api.postJson("/api/v1/experiments", """
                    {"name": "grokfast-model", "task": {"operation": "MULTIPLY", "modulus": 97, "trainFraction": 0.5},
                     "model": {"type": "TRANSFORMER", "layers": 2, "activation": "GELU",
                               "layerNorm": "PRE_NORMALISED_STREAM", "sequence": "A_OP_B_EQ", "init": "TORCH_DEFAULT"},
                     "optimizer": {"type": "ADAM", "weightDecay": 0.005}, "training": {"steps": 10, "batchSize": 512}}
                    """);

            assertThat(response.status()).isEqualTo(202);
            JsonNode spec = response.json().get("spec");
            assertThat(spec.at("/model/layerNorm").asText()).isEqualTo("PRE_NORMALISED_STREAM");
            assertThat(spec.at("/model/init").asText()).isEqualTo("TORCH_DEFAULT");
        }

        @Test
        void theStoredSpecIsReturnedAsIsAndResubmitsToTheSameSpec() {
            JsonNode first = submit("roundtrip");
            Api.Response again = api.postJson("/api/v1/experiments", first.get("spec").toString());

            assertThat(again.status()).isEqualTo(202);
            assertThat(again.json().get("spec")).isEqualTo(first.get("spec"));
            assertThat(api.get("/api/v1/experiments/" + first.get("id").asLong()).json().get("spec"))
                    .isEqualTo(first.get("spec"));
        }
    }

    @Nested
    class Listing {

        @Test
        void filtersByStatusAndNameAndPages() {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < 3; i++) {
                submit("list-" + tag + "-" + i);
            }
            long cancelled = submit("list-" + tag + "-cancelled").get("id").asLong();
            api.post("/api/v1/experiments/" + cancelled + "/cancel");

            JsonNode page = api.get("/api/v1/experiments?name=" + tag.toUpperCase() + "&size=2&page=0").json();
            assertThat(page.get("totalItems").asLong()).isEqualTo(4);
            assertThat(page.get("totalPages").asInt()).isEqualTo(2);
            assertThat(page.get("size").asInt()).isEqualTo(2);
            assertThat(page.get("items")).hasSize(2);
            assertThat(page.at("/items/0/name").asText()).isEqualTo("list-" + tag + "-cancelled"); // newest first

            JsonNode queued = api.get("/api/v1/experiments?status=QUEUED&name=" + tag).json();
            assertThat(queued.get("totalItems").asLong()).isEqualTo(3);
            JsonNode onlyCancelled = api.get("/api/v1/experiments?status=CANCELLED&name=" + tag).json();
            assertThat(onlyCancelled.get("totalItems").asLong()).isEqualTo(1);
        }

        @Test
        void nameFilterMatchesWildcardsLiterally() {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            submit("pct-" + tag + "-a");
            assertThat(api.get("/api/v1/experiments?name=%25" + tag + "%25").json().get("totalItems").asLong())
                    .isZero();
        }
    }

    @Nested
    class Cancelling {

        @Test
        void cancelsAQueuedExperimentAtOnceAndIsIdempotent() {
            long id = submit("cancel-me").get("id").asLong();

            Api.Response first = api.post("/api/v1/experiments/" + id + "/cancel");
            Api.Response second = api.post("/api/v1/experiments/" + id + "/cancel");

            assertThat(first.status()).isEqualTo(202);
            assertThat(first.json().get("status").asText()).isEqualTo("CANCELLED");
            assertThat(first.json().get("finishedAt").isNull()).isFalse();
            assertThat(second.status()).isEqualTo(202);
        }

        @Test
        void flagsARunningExperimentForItsWorker() {
            long id = submit("cancel-running").get("id").asLong();
            jdbc.update("update job set status = 'RUNNING' where experiment_id = ?", id);

            Api.Response response = api.post("/api/v1/experiments/" + id + "/cancel");

            assertThat(response.status()).isEqualTo(202);
            assertThat(response.json().get("status").asText()).isEqualTo("RUNNING");
            assertThat(jdbc.queryForObject("select cancel_requested from job where experiment_id = ?", Boolean.class,
                    id)).isTrue();
        }

        @Test
        void waitsForTheJobPoolsConcurrentUpdateOfTheRowInsteadOfFailing() throws Exception {
            long id = submit("cancel-race").get("id").asLong();

            Api.Response response = whileTheRowIsBeingUpdated(id,
                    () -> api.post("/api/v1/experiments/" + id + "/cancel"));

            assertThat(response.status()).isEqualTo(202);
            assertThat(jdbc.queryForObject("select status in ('CANCELLED', 'RUNNING') from job"
                    + " where experiment_id = ?", Boolean.class, id)).isTrue();
        }

        @Test
        void refusesAFinishedExperiment() {
            long id = submit("cancel-finished").get("id").asLong();
            jdbc.update("update job set status = 'SUCCEEDED' where experiment_id = ?", id);

            Api.Response response = api.post("/api/v1/experiments/" + id + "/cancel");

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }

    @Nested
    class Deleting {

        @Test
        void deletesAndThenAnswersNotFound() {
            long id = submit("delete-me").get("id").asLong();

            assertThat(api.delete("/api/v1/experiments/" + id).status()).isEqualTo(204);
            Api.Response gone = api.get("/api/v1/experiments/" + id);

            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.json().get("detail").asText()).contains(String.valueOf(id));
        }

        /** Regression: a client generated from the contract accepts only problem+json here (204 has no body). */
        @Test
        void deletesForAClientThatAcceptsOnlyProblemDetails() {
            long id = submit("delete-problem-accepting").get("id").asLong();

            Api.Response deleted = api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments/" + id))
                    .header("Accept", "application/problem+json").DELETE());
            Api.Response again = api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments/" + id))
                    .header("Accept", "application/problem+json").DELETE());

            assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
            assertThat(again.status()).isEqualTo(404);
            assertThat(again.contentType()).startsWith("application/problem+json");
        }

        @Test
        void waitsForTheJobPoolsConcurrentUpdateOfTheRowInsteadOfFailing() throws Exception {
            long id = submit("delete-race").get("id").asLong();
            jdbc.update("update job set status = 'SUCCEEDED' where experiment_id = ?", id);

            Api.Response response = whileTheRowIsBeingUpdated(id, () -> api.delete("/api/v1/experiments/" + id));

            assertThat(response.status()).isEqualTo(204);
            assertThat(jdbc.queryForObject("select count(*) from experiment where id = ?", Long.class, id)).isZero();
        }

        @Test
        void refusesWhileRunningAndKeepsTheData() {
            long id = submit("delete-running").get("id").asLong();
            jdbc.update("update job set status = 'RUNNING' where experiment_id = ?", id);

            Api.Response response = api.delete("/api/v1/experiments/" + id);

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.json().get("detail").asText()).contains("cancel");
            assertThat(api.get("/api/v1/experiments/" + id).status()).isEqualTo(200);
        }
    }

    /**
     * Sends {@code request} while another transaction holds the run's job row after updating it, as a job pool
     * heartbeat does, and commits that transaction once the request has had time to reach the row. The request must
     * wait for it (it locks the job row before it decides anything) and then succeed, not fail on a changed row.
     */
    private Api.Response whileTheRowIsBeingUpdated(long id, Supplier<Api.Response> request) throws Exception {
        try (Connection heartbeat = dataSource.getConnection()) {
            heartbeat.setAutoCommit(false);
            try (PreparedStatement update = heartbeat.prepareStatement(
                    "update job set progress_step = progress_step + 1 where experiment_id = ?")) {
                update.setLong(1, id);
                update.executeUpdate();
            }
            CompletableFuture<Api.Response> pending = CompletableFuture.supplyAsync(request);
            Thread.sleep(500);
            assertThat(pending).as("the request waits for the row").isNotDone();
            heartbeat.commit();
            return pending.get(30, TimeUnit.SECONDS);
        }
    }
}
