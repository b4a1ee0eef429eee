package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** A POST retried with its Idempotency-Key gets the first answer, never a second run. */
@IntegrationTest
class IdempotencyTest {

    private static final String SPEC = """
            {"name": "%s", "task": {"operation": "ADD", "modulus": 23},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]}, "training": {"steps": 10}}""";
    private static final String SWEEP = """
            {"name": "%s", "base": %s, "axes": {"optimizer.weightDecay": [0, 1]}}""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api api;
    final List<String> cleanup = new ArrayList<>();

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    @org.junit.jupiter.api.AfterEach
    void deleteCreated() {
        for (String path : cleanup) {
            api.post(path + "/cancel");
            api.delete(path);
        }
    }

    @Test
    void aRetryWithTheSameKeyAndBodyGetsTheFirstAnswer() {
        String key = UUID.randomUUID().toString();
        String name = "idem-" + key.substring(0, 8);
        long before = count(name);
        Api.Response first = post("/api/v1/experiments", key, SPEC.formatted(name));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        cleanup.add("/api/v1/experiments/" + first.json().get("id").asLong());
        assertThat(first.header("Idempotent-Replayed")).isEmpty();

        // the same request with other spacing: the same request
        Api.Response retry = post("/api/v1/experiments", key, SPEC.formatted(name).replace(" ", "  "));
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(retry.header("Idempotent-Replayed")).hasValue("true");
        assertThat(count(name)).isEqualTo(before + 1);

        Api.Response other = post("/api/v1/experiments", key, SPEC.formatted(name + "-other"));
        assertThat(other.status()).as(other.body()).isEqualTo(422);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.json().get("detail").asText()).contains("different request");
        assertThat(count(name + "-other")).isZero();

        // a key is per operation: the same key on sweeps is another key
        Api.Response sweep = post("/api/v1/sweeps", key, SWEEP.formatted(name, SPEC.formatted(name)));
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(202);
        cleanup.add("/api/v1/sweeps/" + sweep.json().get("id").asLong());
        Api.Response sweepRetry = post("/api/v1/sweeps", key, SWEEP.formatted(name, SPEC.formatted(name)));
        assertThat(sweepRetry.json().get("id")).isEqualTo(sweep.json().get("id"));
        assertThat(sweepRetry.header("Location")).isEqualTo(sweep.header("Location"));
    }

    @Test
    void concurrentRetriesCreateOneRun() throws Exception {
        String key = UUID.randomUUID().toString();
        String name = "idem-race-" + key.substring(0, 8);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Api.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Api.Response> send = () -> post("/api/v1/experiments", key, SPEC.formatted(name));
                answers.add(pool.submit(send));
            }
            Set<Long> ids = new HashSet<>();
            for (Future<Api.Response> answer : answers) {
                Api.Response response = answer.get();
                assertThat(response.status()).as(response.body()).isEqualTo(202);
                ids.add(response.json().get("id").asLong());
            }
            assertThat(ids).hasSize(1);
            cleanup.add("/api/v1/experiments/" + ids.iterator().next());
            assertThat(count(name)).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anExpiredKeyCanBeUsedAgain() {
        String key = UUID.randomUUID().toString();
        String name = "idem-expired-" + key.substring(0, 8);
        Api.Response first = post("/api/v1/experiments", key, SPEC.formatted(name));
        cleanup.add("/api/v1/experiments/" + first.json().get("id").asLong());
        jdbc.update("update idempotency_key set expires_at = now() - interval '1 second' where key = ?", key);
        Api.Response second = post("/api/v1/experiments", key, SPEC.formatted(name));
        assertThat(second.status()).isEqualTo(202);
        cleanup.add("/api/v1/experiments/" + second.json().get("id").asLong());
        assertThat(second.json().get("id")).isNotEqualTo(first.json().get("id"));
        assertThat(second.header("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void aFailedRequestStoresNoKeyAndKeysAreBounded() {
        String key = UUID.randomUUID().toString();
        Api.Response invalid = post("/api/v1/experiments", key, "{\"name\": \"idem-invalid\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(jdbc.queryForObject("select count(*) from idempotency_key where key = ?", Long.class, key))
                .isZero();

        for (String bad : new String[] {"k".repeat(IdempotentRequests.MAX_KEY_LENGTH + 1), "has space"}) {
            Api.Response refused = post("/api/v1/experiments", bad, SPEC.formatted("idem-bad-key"));
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("Idempotency-Key");
        }
        assertThat(count("idem-bad-key")).isZero();
    }

    private Api.Response post(String path, String key, String body) {
        return api.send(HttpRequest.newBuilder(api.uri(path)).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private long count(String name) {
        return jdbc.queryForObject("select count(*) from experiment where name = ?", Long.class, name);
    }
}
