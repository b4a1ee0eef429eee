package io.grokscope.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Finding and grouping runs: the list's filters on operation, model type, verdict, tags and any scalar spec field
 * (each case on runs whose true answer the test knows, isolated from other tests' rows by a tag of its own), and
 * tags and notes written with PATCH, with their limits.
 */
@IntegrationTest
class ExperimentFindTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api api;
    String group;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        group = "g" + UUID.randomUUID().toString().substring(0, 8);
    }

    private long submit(String operation, String model, double weightDecay, String filter) {
        String body = "{\"name\": \"find-test\", \"task\": {\"operation\": \"" + operation + "\", \"modulus\": 13},"
                + " \"model\": " + model + ", \"optimizer\": {\"weightDecay\": " + weightDecay
                + (filter == null ? "" : ", \"gradientFilter\": {\"type\": \"" + filter + "\"}") + "}}";
        Api.Response response = api.postJson("/api/v1/experiments", body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    private Api.Response patch(long id, String json) {
        return api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments/" + id))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    private List<Long> find(String... filters) {
        StringBuilder query = new StringBuilder("/api/v1/experiments?size=50&tag=" + group);
        for (String filter : filters) {
            int equals = filter.indexOf('=');
            query.append('&').append(filter, 0, equals + 1)
                    .append(URLEncoder.encode(filter.substring(equals + 1), StandardCharsets.UTF_8));
        }
        Api.Response response = api.get(query.toString());
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        response.json().get("items").forEach(item -> ids.add(item.get("id").asLong()));
        assertThat(response.json().get("totalItems").asLong()).isEqualTo(ids.size());
        return ids;
    }

    @Test
    void filtersOnOperationModelVerdictTagsAndSpecFields() {
        String mlp = "{\"type\": \"MLP\", \"embedDim\": 4, \"hiddenDims\": [8]}";
        long a = submit("ADD", mlp, 1, null);
        long b = submit("MULTIPLY", mlp, 0.3, "EMA");
        long c = submit("ADD", "{\"type\": \"TRANSFORMER\", \"dModel\": 16, \"heads\": 2, \"dMlp\": 32}", 1, null);
        assertThat(patch(a, "{\"tags\": [\"" + group + "\", \"wd1\"]}").status()).isEqualTo(200);
        assertThat(patch(b, "{\"tags\": [\"" + group + "\"]}").status()).isEqualTo(200);
        assertThat(patch(c, "{\"tags\": [\"wd1\", \"" + group + "\", \"wd1\"]}").status()).isEqualTo(200);
        jdbc.update("update job set status = 'SUCCEEDED', verdict = 'GROKKING' where experiment_id = ?", a);

        assertThat(find()).containsExactly(c, b, a); // newest first
        assertThat(find("tag=wd1")).containsExactly(c, a);
        assertThat(find("operation=MULTIPLY")).containsExactly(b);
        assertThat(find("modelType=TRANSFORMER")).containsExactly(c);
        assertThat(find("verdict=GROKKING")).containsExactly(a);
        assertThat(find("status=SUCCEEDED", "operation=ADD")).containsExactly(a);
        assertThat(find("spec=optimizer.weightDecay=1")).containsExactly(c, a);
        assertThat(find("spec=optimizer.weightDecay=1.0")).as("numbers by value").containsExactly(c, a);
        assertThat(find("spec=optimizer.weightDecay=0.3")).containsExactly(b);
        assertThat(find("spec=optimizer.gradientFilter.type=EMA")).containsExactly(b);
        assertThat(find("spec=optimizer.gradientFilter.type=null")).containsExactly(c, a);
        assertThat(find("spec=model.type=MLP", "spec=optimizer.weightDecay=1")).containsExactly(a);
        assertThat(find("spec=model.heads=2")).containsExactly(c);
        assertThat(find("spec=task.modulus=13", "spec=model.type=TRANSFORMER")).containsExactly(c);
        assertThat(find("spec=task.modulus=17")).isEmpty();
    }

    @Test
    void badFiltersAre400NamingTheParameterAndChangeNothing() {
        long before = jdbc.queryForObject("select count(*) from experiment", Long.class);
        for (String query : List.of("spec=nope.field%3D1", "spec=optimizer.weightDecay%3Dabc",
                "spec=model.type%3DCNN", "spec=task.modulus%3D1.5", "spec=optimizer.weightDecay",
                "spec=optimizer.weightDecay%3D1'%3B%20drop%20table%20experiment%3B--", "spec=model%3DMLP",
                "modelType=CNN", "verdict=BOGUS", "operation=POWER", "spec=name%3Da%00b",
                "tag=1&tag=2&tag=3&tag=4&tag=5&tag=6&tag=7&tag=8&tag=9&tag=10&tag=11")) {
            Api.Response response = api.get("/api/v1/experiments?" + query);
            assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        // No stored name or tag can hold NUL (PostgreSQL text): such a filter is valid and matches nothing.
        for (String query : List.of("name=a%00b", "tag=a%00b")) {
            Api.Response response = api.get("/api/v1/experiments?" + query);
            assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(200);
            assertThat(response.json().get("totalItems").asLong()).isZero();
        }
        JsonNode unknown = api.get("/api/v1/experiments?spec=nope%3D1").json();
        assertThat(unknown.get("errors").get(0).get("parameter").asText()).isEqualTo("spec");
        assertThat(unknown.get("errors").get(0).get("detail").asText()).contains("optimizer.weightDecay");
        assertThat(jdbc.queryForObject("select count(*) from experiment", Long.class)).isEqualTo(before);
    }

    @Test
    void tagsAndNotesAreSetKeptAndClearedWithinTheirLimits() {
        long id = submit("ADD", "{\"type\": \"MLP\", \"embedDim\": 4, \"hiddenDims\": [8]}", 1, null);
        Api.Response set = patch(id, "{\"tags\": [\"b\", \"a\", \"b\"], \"note\": \"first try\"}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(set.json().get("note").asText()).isEqualTo("first try");
        // A field left out keeps its value.
        assertThat(patch(id, "{\"note\": \"second\"}").json().get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(patch(id, "{\"tags\": []}").json().get("note").asText()).isEqualTo("second");
        JsonNode cleared = patch(id, "{\"note\": \"\"}").json();
        assertThat(cleared.get("note").isNull()).isTrue();
        assertThat(cleared.get("tags").size()).isZero();
        assertThat(api.get("/api/v1/experiments/" + id).json().get("tags").size()).isZero();

        String tooMany = "[" + String.join(",", java.util.stream.IntStream.range(0, 21).mapToObj(i -> "\"t" + i + "\"")
                .toList()) + "]";
        for (String bad : List.of("{\"tags\": " + tooMany + "}", "{\"tags\": [\"has space\"]}",
                "{\"tags\": [\"" + "x".repeat(41) + "\"]}", "{\"tags\": [\"\"]}", "{\"tags\": [null]}",
                "{\"note\": \"" + "n".repeat(4001) + "\"}", "{\"note\": \"a\\u0000b\"}", "{\"tags\": \"a\"}", "{\"colour\": \"red\"}")) {
            Api.Response response = patch(id, bad);
            assertThat(response.status()).as(bad + ": " + response.body()).isEqualTo(400);
            assertThat(response.json().get("errors")).as(response.body()).isNotEmpty();
        }
        assertThat(patch(Long.MAX_VALUE, "{\"note\": \"x\"}").status()).isEqualTo(404);
    }
}
