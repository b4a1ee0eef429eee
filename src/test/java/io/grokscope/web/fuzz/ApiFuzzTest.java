package io.grokscope.web.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Throws at least 500 generated hostile requests at every operation of {@code openapi/grokscope.yaml} (read from the
 * file, so a new operation is fuzzed too) and checks that none gets a 5xx, that every 4xx is problem+json with its
 * status and a title, and that the stored data is unchanged but for the valid resources the fuzzer itself created,
 * which it deletes at once (the job pool is off in tests, so they never train).
 *
 * <p>Deterministic: {@code -Dgrokscope.fuzz.seed=…} repeats a run, {@code -Dgrokscope.fuzz.requests=…} sets the
 * requests per operation. Operations run in parallel (a few at a time), each operation's requests in order.
 */
@IntegrationTest
class ApiFuzzTest {

    private static final long SEED = Long.getLong("grokscope.fuzz.seed", 20_261_204L);
    private static final int MINIMUM_PER_OPERATION = 500;
    private static final int REQUESTS_PER_OPERATION = Integer.getInteger("grokscope.fuzz.requests", 580);
    /** Every table a request could write to. */
    private static final List<String> TABLES = List.of("experiment", "job", "sweep", "sweep_experiment", "metric_point",
            "checkpoint", "spectrum", "parameter_snapshot");
    /** For DELETE: an id nothing has, so that a hostile id the service reads as a number deletes nothing real. */
    private static final String ABSENT_ID = "4000000000017";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String TINY_SPEC = """
            {"name": "fuzz-fixture", "task": {"operation": "ADD", "modulus": 23},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]}, "training": {"steps": 10}}""";
    private static final String TINY_SWEEP = """
            {"name": "fuzz-fixture", "base": %s,
             "axes": {"optimizer.weightDecay": [0, 1], "task.trainFraction": [0.3, 0.5]}, "seeds": [0]}"""
            .formatted(TINY_SPEC);

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    record Fixtures(long experiment, long sweep) {
    }

    @Test
    void hostileRequestsGetProblemDetailsNeverA5xxAndChangeNothingStored() throws Exception {
        List<ContractOperation> operations = ContractOperation.read(Path.of("openapi/grokscope.yaml"));
        Api api = new Api(port);
        Fixtures fixtures = createFixtures(api);
        try {
            settle(api);
            Map<String, String> before = snapshot();
            FuzzTally tally = new FuzzTally();
            List<String> violations = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger created = new AtomicInteger();
            long start = System.nanoTime();

            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> runs = new ArrayList<>();
            // the slow ones first (a valid creation is validated, stored and deleted), so the others fill in around them
            List<ContractOperation> slowestFirst = operations.stream()
                    .sorted(java.util.Comparator.comparing(ContractOperation::hasBody).reversed()).toList();
            for (ContractOperation operation : slowestFirst) {
                runs.add(pool.submit(() -> fuzz(operation, fixtures, api, tally, violations, created)));
            }
            pool.shutdown();
            for (Future<?> run : runs) {
                run.get(5, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            System.out.println("[ApiFuzzTest] seed " + SEED + ", " + String.format("%.1f", seconds) + " s, "
                    + created.get() + " valid resources created and deleted\n" + tally.table());
            Map<String, Long> byCause = new TreeMap<>();
            violations.forEach(v -> byCause.merge(v.substring(0, v.indexOf('\n') < 0 ? v.length() : v.indexOf('\n'))
                    + " / " + v.replaceAll("(?s).*request: (\\w+) (\\w+) .*answer: (\\d+).*", "$1 $2 → $3"),
                    1L, Long::sum));
            assertThat(violations.subList(0, Math.min(30, violations.size())))
                    .as("requests answered wrongly, %d in all, by cause: %s; the first 30", violations.size(),
                            byCause).isEmpty();
            assertThat(tally.serverErrors()).isZero();
            for (ContractOperation operation : operations) {
                assertThat(tally.requests(operation.key())).as(operation.key())
                        .isGreaterThanOrEqualTo(MINIMUM_PER_OPERATION);
            }
            assertThat(snapshot()).as("stored data after the fuzzing").isEqualTo(before);
        } finally {
            api.delete("/api/v1/experiments/" + fixtures.experiment());
            api.delete("/api/v1/sweeps/" + fixtures.sweep());
        }
    }

    private void fuzz(ContractOperation operation, Fixtures fixtures, Api api, FuzzTally tally,
            List<String> violations, AtomicInteger created) {
        String pathId = operation.method().equals("DELETE") ? ABSENT_ID
                : String.valueOf(operation.path().startsWith("/api/v1/sweeps") ? fixtures.sweep()
                        : fixtures.experiment());
        Map<String, String> validParameters = Map.of("experiments", String.valueOf(fixtures.experiment()),
                "x", "optimizer.weightDecay", "y", "task.trainFraction");
        RequestGenerator generator = new RequestGenerator(operation,
                new HostileValues(new SplittableRandom(SEED ^ operation.key().hashCode())), pathId, validParameters);
        List<Hostility> kinds = java.util.Arrays.stream(Hostility.values()).filter(k -> k.appliesTo(operation))
                .toList();
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS_PER_OPERATION; i++) {
            Hostility kind = kinds.get(i % kinds.size());
            FuzzRequest request;
            try {
                request = generator.next(kind);
            } catch (RuntimeException e) {
                violations.add("the generator failed on " + operation.key() + " " + kind + ": " + e);
                continue;
            }
            try {
                Answer answer = send(request);
                tally.record(request, answer.status());
                String problem = violation(answer);
                if (problem != null) {
                    violations.add(problem + "\n    request: " + request.describe() + "\n    answer: "
                            + answer.status() + " " + answer.contentType() + " " + excerpt(answer.body()));
                } else if (operation.creates() && request.method().equals("POST") && answer.status() == 202
                        && !answer.replayed()) { // a replay (Idempotency-Key) names what was created, and deleted
                    long id = JSON.readTree(answer.body()).path("id").asLong(-1);
                    Api.Response deleted = api.delete(operation.path() + "/" + id);
                    if (deleted.status() != 204) {
                        violations.add("could not delete " + operation.path() + "/" + id + ": " + deleted.body());
                    }
                    created.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                tally.record(request, 0);
                violations.add("no answer (" + e + ")\n    request: " + request.describe());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        tally.took(operation.key(), System.nanoTime() - start);
    }

    record Answer(int status, String contentType, byte[] body, boolean replayed) {
    }

    private Answer send(FuzzRequest request) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + request.target()))
                .timeout(Duration.ofSeconds(30))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        HttpResponse<InputStream> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        try (InputStream body = response.body()) {
            // an event stream stays open while its run could still produce events: its headers are the answer
            byte[] bytes = contentType.startsWith("text/event-stream") ? new byte[0] : body.readNBytes(1 << 20);
            return new Answer(response.statusCode(), contentType, bytes,
                    response.headers().firstValue("Idempotent-Replayed").isPresent());
        }
    }

    /** What is wrong with an answer, or null. */
    private static String violation(Answer answer) {
        if (answer.status() >= 500) {
            return "a server error";
        }
        if (answer.status() < 400) {
            return null;
        }
        if (!answer.contentType().startsWith("application/problem+json")) {
            return "a 4xx that is not application/problem+json";
        }
        try {
            JsonNode problem = JSON.readTree(answer.body());
            if (problem.path("status").asInt() != answer.status()) {
                return "a problem whose status is not the response's";
            }
            if (problem.path("title").asText().isBlank()) {
                return "a problem without a title";
            }
            return null;
        } catch (IOException e) {
            return "a problem that is not JSON";
        }
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 400 ? text.substring(0, 400) + "…" : text;
    }

    private static Fixtures createFixtures(Api api) {
        Api.Response experiment = api.postJson("/api/v1/experiments", TINY_SPEC);
        assertThat(experiment.status()).as(experiment.body()).isEqualTo(202);
        long experimentId = experiment.json().get("id").asLong();
        assertThat(api.post("/api/v1/experiments/" + experimentId + "/cancel").status()).isEqualTo(202);
        Api.Response sweep = api.postJson("/api/v1/sweeps", TINY_SWEEP);
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(202);
        long sweepId = sweep.json().get("id").asLong();
        assertThat(api.post("/api/v1/sweeps/" + sweepId + "/cancel").status()).isEqualTo(202);
        return new Fixtures(experimentId, sweepId);
    }

    /**
     * Waits until no run of the shared database is queued or training (the fixtures' cancellations and other test
     * classes' runs), cancelling what still runs after a while: a heartbeat or a finish during the fuzzing would
     * change the stored rows without any fuzzed request having done it.
     */
    private void settle(Api api) throws InterruptedException {
        String active = "select experiment_id from job where status in ('QUEUED', 'RUNNING')";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean cancelled = false;
        while (System.nanoTime() < deadline) {
            List<Long> ids = jdbc.queryForList(active, Long.class);
            if (ids.isEmpty()) {
                return;
            }
            if (!cancelled && System.nanoTime() > deadline - TimeUnit.SECONDS.toNanos(90)) {
                ids.forEach(id -> api.post("/api/v1/experiments/" + id + "/cancel"));
                cancelled = true;
            }
            Thread.sleep(200);
        }
        assertThat(jdbc.queryForList(active, Long.class)).as("runs still active before the fuzzing").isEmpty();
    }

    /**
     * Per table: its row count and a digest of every row, so any insert, update or delete shows; the runs' rows
     * one by one, so a change names the run and the column.
     */
    private Map<String, String> snapshot() {
        Map<String, String> digests = new TreeMap<>();
        for (String table : TABLES) {
            digests.put(table, jdbc.queryForObject("select count(*) || ' rows, md5 '"
                    + " || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') from " + table + " t",
                    String.class));
        }
        // A run's tags and note are the researcher's annotations: PATCH /experiments/{id} exists to change them, so
        // an accepted fuzzed PATCH is an expected write, and so is the optimistic-lock version it bumps. Every other
        // column must stay as it was.
        jdbc.query("select id, (to_jsonb(e) - 'tags' - 'note' - 'version')::text from experiment e", rs -> {
            digests.put("experiment " + rs.getLong(1), rs.getString(2));
        });
        digests.remove("experiment");
        return digests;
    }
}
