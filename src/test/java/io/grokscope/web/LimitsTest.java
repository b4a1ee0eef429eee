package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every configurable limit ({@code grokscope.limits.*}, at its default here) is enforced with a 400 problem that
 * names the field or parameter, the limit and the property that sets it; just under a limit is accepted.
 */
@IntegrationTest
class LimitsTest {

    @LocalServerPort
    int port;

    @Autowired
    ServiceLimits limits;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    private static String spec(String task, String model, String rest) {
        return "{\"name\": \"limits\", \"task\": " + task + ", \"model\": " + model
                + (rest.isEmpty() ? "" : ", " + rest) + "}";
    }

    private static final String ADD_23 = "{\"operation\": \"ADD\", \"modulus\": 23}";
    private static final String SMALL_MLP = "{\"type\": \"MLP\", \"embedDim\": 8, \"hiddenDims\": [16]}";

    /** A spec over one limit, the pointer the answer must name, and the words its detail must hold. */
    static Stream<Arguments> specsOverALimit() {
        return Stream.of(
                Arguments.of(spec("{\"operation\": \"ADD\", \"modulus\": 1009}", SMALL_MLP, ""), "/task/modulus",
                        new String[] {"1009", "limit of 1000", "grokscope.limits.modulus"}),
                Arguments.of(spec(ADD_23, SMALL_MLP, "\"training\": {\"steps\": 1000001}"), "/training/steps",
                        new String[] {"limit of 1000000", "grokscope.limits.steps"}),
                Arguments.of(spec(ADD_23, SMALL_MLP, "\"training\": {\"steps\": 1000000, \"evalEvery\": 1}"),
                        "/training/evalEvery",
                        new String[] {"8000008 for evaluations", "grokscope.limits.metric-rows"}),
                Arguments.of(spec(ADD_23, SMALL_MLP, "\"training\": {\"steps\": 1000000, \"evalEvery\": 1000},"
                        + " \"analysis\": {\"progressMeasuresEvery\": 2}"), "/analysis/progressMeasuresEvery",
                        new String[] {"metric rows", "for progress measures", "grokscope.limits.metric-rows"}),
                Arguments.of(spec(ADD_23, "{\"type\": \"MLP\", \"embedDim\": 4096, \"hiddenDims\": [4096, 4096, 4096,"
                        + " 4096]}", ""), "/model", new String[] {"parameters", "limit of 50000000",
                                "grokscope.limits.parameters"}),
                // 12.7M parameters with a 1000-gradient Grokfast-MA window: 51 GB of filter state, checkpoints as big
                Arguments.of(spec(ADD_23, "{\"type\": \"MLP\", \"embedDim\": 2048, \"hiddenDims\": [2048, 2048]}",
                        "\"optimizer\": {\"gradientFilter\": {\"type\": \"MA\", \"window\": 1000}}"), "/model",
                        new String[] {"needs an estimated", "gradient filter state 50.8 GB",
                                "grokscope.limits.worker-memory", "PostgreSQL"}),
                // (a + b) mod 997 with progress measures: the logits of all 997² pairs, 4 GB off-heap and 8 GB of heap
                Arguments.of(spec("{\"operation\": \"ADD\", \"modulus\": 997}", SMALL_MLP, ""), "/model",
                        new String[] {"of Java heap", "grokscope.limits.worker-heap"}),
                Arguments.of(spec("{\"operation\": \"EXPRESSION\", \"expression\": \"" + "a+".repeat(100) + "b\"}",
                        SMALL_MLP, ""), "/task/expression", new String[] {"201 characters", "limit of 200",
                                "grokscope.limits.expression-length"}),
                Arguments.of(spec("{\"operation\": \"EXPRESSION\", \"expression\": \"" + "(".repeat(33) + "a"
                        + ")".repeat(33) + "\"}", SMALL_MLP, ""), "/task/expression",
                        new String[] {"deeper than the 32 levels"}));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("specsOverALimit")
    void aSpecOverALimitIsRefusedNamingFieldAndLimit(String body, String pointer, String[] words) {
        Api.Response response = api.postJson("/api/v1/experiments", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        StringBuilder details = new StringBuilder();
        for (JsonNode error : response.json().get("errors")) {
            if (error.path("pointer").asText().equals(pointer)) {
                details.append(error.get("detail").asText()).append('\n');
            }
        }
        assertThat(details.toString()).as(response.body()).contains(words);
    }

    @Test
    void justUnderTheLimitsIsAccepted() {
        String body = spec("{\"operation\": \"EXPRESSION\", \"modulus\": 31, \"expression\": \""
                + "(".repeat(31) + "a" + ")".repeat(31) + "+b\"}", SMALL_MLP,
                "\"training\": {\"steps\": 1000000, \"evalEvery\": 10}, \"analysis\": {\"progressMeasuresEvery\": 0}");
        Api.Response response = api.postJson("/api/v1/experiments", body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(api.delete("/api/v1/experiments/" + response.json().get("id").asLong()).status()).isEqualTo(204);
    }

    static Stream<Arguments> parametersOverALimit() {
        return Stream.of(
                Arguments.of("/api/v1/experiments?size=201", "size", "grokscope.limits.page-size"),
                Arguments.of("/api/v1/sweeps?size=201", "size", "grokscope.limits.page-size"),
                Arguments.of("/api/v1/experiments/1/metrics?maxPoints=20001", "maxPoints",
                        "grokscope.limits.max-points"),
                Arguments.of("/api/v1/metrics?maxPoints=20001&experiments=1", "maxPoints",
                        "grokscope.limits.max-points"),
                Arguments.of("/api/v1/metrics?experiments=" + IntStream.rangeClosed(1, 51).mapToObj(String::valueOf)
                        .collect(Collectors.joining(",")), "experiments",
                        "grokscope.limits.compare-experiments"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("parametersOverALimit")
    void aParameterOverALimitIsRefusedNamingIt(String path, String parameter, String property) {
        Api.Response response = api.get(path);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        JsonNode errors = response.json().get("errors");
        assertThat(errors.findValuesAsText("parameter")).as(response.body()).contains(parameter);
        assertThat(errors.findValuesAsText("detail")).as(response.body())
                .anySatisfy(detail -> assertThat(detail).contains(property));
    }

    @Test
    void theBodyLimitIsNamedInThe413() {
        Api.Response response = api.postJson("/api/v1/experiments", "{\"name\": \"" + "x".repeat(300_000) + "\"}");
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().get("detail").asText()).contains(String.valueOf(limits.bodySize().toBytes()),
                "grokscope.limits.body-size");
    }
}
