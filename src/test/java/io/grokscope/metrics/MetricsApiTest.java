package io.grokscope.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.analysis.Metric;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The curves API on a real PostgreSQL, on rows inserted directly (so each case knows its true answer): every query
 * form, downsampling in the database, CSV, ETag/304, comparison, spectra, deletion, and bad parameters.
 */
@IntegrationTest
class MetricsApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MetricQueries queries;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    /**
     * A finished experiment: submitted through the API (so its stored spec is a real one, as every other reader of the
     * shared database expects), then marked SUCCEEDED without running; only the rows each test inserts matter here.
     */
    private long experiment() {
        long id = api.postJson("/api/v1/experiments", "{\"name\": \"metrics-test\", \"task\": {\"operation\": \"ADD\","
                + " \"modulus\": 11}, \"model\": {\"type\": \"MLP\", \"embedDim\": 4, \"hiddenDims\": [8]}}")
                .json().get("id").asLong();
        jdbc.update("update job set status = 'SUCCEEDED', finished_at = now() where experiment_id = ?", id);
        return id;
    }

    /** test_acc: a step function from 0.01 to 1.0 at step 6 173; train_loss: 1.0 with one spike of 57 at 2 222. */
    private long stepFunctionAndSpike(int points) {
        long id = experiment();
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, 'test_acc', s,"
                + " case when s < 6173 then 0.01 else 1.0 end from generate_series(0, ? - 1) as s", id, points);
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, 'train_loss', s,"
                + " case when s = 2222 then 57 else 1.0 / (1 + s) end from generate_series(0, ? - 1) as s", id, points);
        return id;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asLong()));
        return values;
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(n -> values.add(n.isNull() ? null : n.asDouble()));
        return values;
    }

    private static JsonNode series(JsonNode body, String name) {
        for (JsonNode s : body.get("series")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no series " + name + " in " + body);
    }

    @Test
    void downsamplingKeepsAJumpWithinOneBucketAndASpikesExactValue() {
        long id = stepFunctionAndSpike(10_000);

        Api.Response response = api.get("/api/v1/experiments/" + id + "/metrics?names=test_acc,train_loss&maxPoints=100");

        assertThat(response.status()).isEqualTo(200);
        JsonNode acc = series(response.json(), "test_acc");
        assertThat(acc.at("/downsampled/method").asText()).isEqualTo("MIN_MAX");
        assertThat(acc.at("/downsampled/buckets").asInt()).isEqualTo(50);
        List<Long> steps = longs(acc.get("steps"));
        List<Double> values = doubles(acc.get("values"));
        assertThat(steps).hasSizeLessThanOrEqualTo(100).isSorted();
        int firstHigh = values.indexOf(1.0);
        long bucketWidth = 10_000 / 50;
        assertThat(steps.get(firstHigh)).isBetween(6173L, 6173L + bucketWidth);
        assertThat(steps.get(firstHigh - 1)).isBetween(6173L - bucketWidth, 6172L);

        JsonNode loss = series(response.json(), "train_loss");
        assertThat(doubles(loss.get("values"))).contains(57.0);
        assertThat(longs(loss.get("steps"))).contains(2222L);
    }

    @Test
    void theDatabaseReturnsAtMostMaxPointsRowsPerSeries() {
        long id = stepFunctionAndSpike(20_000);
        for (int maxPoints : new int[] { 2, 3, 10, 999, 1000 }) {
            var found = queries.series(List.of(id), List.of(Metric.TEST_ACC, Metric.TRAIN_LOSS),
                    new MetricQueries.Range(null, null, null, maxPoints)).get(id);
            assertThat(found).hasSize(2);
            found.forEach(s -> assertThat(s.steps().length).as(s.name() + " at " + maxPoints)
                    .isLessThanOrEqualTo(maxPoints).isGreaterThanOrEqualTo(Math.min(maxPoints, 2) / 2));
        }
    }

    @Test
    void aSeriesWithinMaxPointsComesWholeAndARangeSelectsSteps() {
        long id = stepFunctionAndSpike(300);

        JsonNode all = api.get("/api/v1/experiments/" + id + "/metrics?names=train_loss&maxPoints=300").json();
        assertThat(series(all, "train_loss").get("downsampled").isNull()).isTrue();
        assertThat(series(all, "train_loss").get("steps")).hasSize(300);

        JsonNode range = api.get("/api/v1/experiments/" + id + "/metrics?names=train_loss&fromStep=10&toStep=19").json();
        assertThat(longs(series(range, "train_loss").get("steps"))).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L,
                17L, 18L, 19L);
        assertThat(range.get("experimentId").asLong()).isEqualTo(id);
    }

    @Test
    void withoutNamesEveryRecordedMetricIsReturnedInVocabularyOrder() {
        long id = stepFunctionAndSpike(10);
        JsonNode body = api.get("/api/v1/experiments/" + id + "/metrics").json();
        List<String> names = new ArrayList<>();
        body.get("series").forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).containsExactly("train_loss", "test_acc");
    }

    @Test
    void sinceStepReadsOnIncrementallyAndIsNeverDownsampled() {
        long id = stepFunctionAndSpike(1000);

        JsonNode first = api.get("/api/v1/experiments/" + id + "/metrics?names=train_loss&sinceStep=100&maxPoints=50")
                .json();
        JsonNode s = series(first, "train_loss");
        assertThat(s.get("downsampled").isNull()).isTrue();
        assertThat(longs(s.get("steps"))).hasSize(50).startsWith(101L).endsWith(150L);

        JsonNode tail = api.get("/api/v1/experiments/" + id + "/metrics?names=train_loss&sinceStep=990").json();
        assertThat(longs(series(tail, "train_loss").get("steps"))).containsExactly(991L, 992L, 993L, 994L, 995L,
                996L, 997L, 998L, 999L);
        JsonNode none = api.get("/api/v1/experiments/" + id + "/metrics?names=train_loss&sinceStep=999").json();
        assertThat(none.get("series")).isEmpty();
    }

    @Test
    void csvIsLongFormat() {
        long id = stepFunctionAndSpike(3);
        Api.Response csv = api.get("/api/v1/experiments/" + id + "/metrics?names=test_acc", "text/csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.body()).isEqualTo("experiment_id,metric,step,value\n" + id + ",test_acc,0,0.01\n" + id
                + ",test_acc,1,0.01\n" + id + ",test_acc,2,0.01\n");
    }

    @Test
    void anUnchangedCurveAnswers304AndANewPointChangesTheTag() {
        long id = stepFunctionAndSpike(100);
        String path = "/api/v1/experiments/" + id + "/metrics?names=test_acc";
        Api.Response first = api.get(path);
        String etag = first.header("ETag").orElseThrow();

        Api.Response again = api.send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                .header("If-None-Match", etag).GET());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();

        jdbc.update("insert into metric_point (experiment_id, metric, step, value) values (?, 'test_acc', 100, 1)", id);
        Api.Response changed = api.send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                .header("If-None-Match", etag).GET());
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.header("ETag").orElseThrow()).isNotEqualTo(etag);
        assertThat(series(changed.json(), "test_acc").get("steps")).hasSize(101);
        // A point of a metric not asked for leaves the tag alone.
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) values (?, 'grad_norm', 5, 1)", id);
        assertThat(api.get(path).header("ETag").orElseThrow()).isEqualTo(changed.header("ETag").orElseThrow());
    }

    @Test
    void severalExperimentsComeInTheOrderAsked() {
        long a = stepFunctionAndSpike(50);
        long b = stepFunctionAndSpike(20);
        JsonNode body = api.get("/api/v1/metrics?experiments=" + b + "," + a + "&names=test_acc&maxPoints=10").json();
        assertThat(body.get("experiments")).hasSize(2);
        assertThat(body.at("/experiments/0/experimentId").asLong()).isEqualTo(b);
        assertThat(body.at("/experiments/1/experimentId").asLong()).isEqualTo(a);
        assertThat(body.at("/experiments/1/series/0/steps").size()).isLessThanOrEqualTo(10);
        assertThat(body.at("/experiments/1/series/0/downsampled/method").asText()).isEqualTo("MIN_MAX");

        Api.Response missing = api.get("/api/v1/metrics?experiments=" + a + ",987654321");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
    }

    @Test
    void badParametersAreNamed() {
        long id = stepFunctionAndSpike(5);
        String base = "/api/v1/experiments/" + id + "/metrics";
        Map<String, String> cases = Map.of(
                base + "?names=train_los", "names",
                base + "?maxPoints=1", "maxPoints",
                base + "?maxPoints=1000000", "maxPoints",
                base + "?fromStep=10&toStep=5", "toStep",
                base + "?fromStep=-1", "fromStep",
                base + "?sinceStep=abc", "sinceStep",
                "/api/v1/metrics?experiments=x", "experiments",
                "/api/v1/metrics?experiments=" + java.util.stream.LongStream.rangeClosed(1, 60)
                        .mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(",")), "experiments");
        cases.forEach((path, parameter) -> {
            Api.Response response = api.get(path);
            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.contentType()).as(path).startsWith("application/problem+json");
            assertThat(response.body()).as(path).contains("\"parameter\":\"" + parameter + "\"");
        });
        assertThat(api.get("/api/v1/experiments/987654321/metrics").status()).isEqualTo(404);
    }

    @Test
    void nonFiniteValuesAreNullInJson() {
        long id = experiment();
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) values (?, 'train_loss', 0, 1),"
                + " (?, 'train_loss', 1, 'Infinity')", id, id);
        JsonNode s = series(api.get("/api/v1/experiments/" + id + "/metrics").json(), "train_loss");
        assertThat(doubles(s.get("values"))).containsExactly(1.0, null);
    }

    @Test
    void spectraAreServedLatestOrAtAMeasuredStep() {
        long id = experiment();
        jdbc.update("insert into spectrum (experiment_id, step, embed_norms, unembed_norms, key_frequencies) values"
                + " (?, 100, '{1,2,3}', '{4,5,6}', '{}'), (?, 200, '{0.5,0,3}', '{0,0,9}', '{3}')", id, id);

        JsonNode latest = api.get("/api/v1/experiments/" + id + "/spectrum").json();
        assertThat(latest.get("step").asLong()).isEqualTo(200);
        assertThat(longs(latest.get("frequencies"))).containsExactly(1L, 2L, 3L);
        assertThat(doubles(latest.get("unembedNorms"))).containsExactly(0.0, 0.0, 9.0);
        assertThat(longs(latest.get("keyFrequencies"))).containsExactly(3L);
        assertThat(longs(latest.get("measuredSteps"))).containsExactly(100L, 200L);

        JsonNode earlier = api.get("/api/v1/experiments/" + id + "/spectrum?step=100").json();
        assertThat(doubles(earlier.get("embedNorms"))).containsExactly(1.0, 2.0, 3.0);
        assertThat(api.get("/api/v1/experiments/" + id + "/spectrum?step=150").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/experiments/" + experiment() + "/spectrum").status()).isEqualTo(404);
    }

    @Test
    void deletingAnExperimentDeletesItsMetricsSpectraAndCheckpoint() {
        long id = stepFunctionAndSpike(100);
        jdbc.update("insert into spectrum (experiment_id, step, embed_norms, unembed_norms, key_frequencies) values"
                + " (?, 1, '{1}', '{1}', '{}')", id);
        jdbc.update("insert into checkpoint (experiment_id, step, attempt, payload) values (?, 1, 1, '\\x00')", id);

        assertThat(api.delete("/api/v1/experiments/" + id).status()).isEqualTo(204);

        for (String table : List.of("metric_point", "spectrum", "checkpoint")) {
            assertThat(jdbc.queryForObject("select count(*) from " + table + " where experiment_id = ?", Long.class,
                    id)).as(table).isZero();
        }
    }
}
