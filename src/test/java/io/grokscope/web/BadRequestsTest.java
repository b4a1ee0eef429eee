package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.http.HttpRequest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Bad input of every kind: each answer is a 4xx {@code application/problem+json} that names what is wrong, and none
 * stores anything.
 */
@IntegrationTest
class BadRequestsTest {

    private static final String VALID_MODEL = "\"model\": {\"type\": \"MLP\"}";
    private static final String VALID_TASK = "\"task\": {\"operation\": \"ADD\", \"modulus\": 23}";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    /** A spec body with one thing wrong, and the JSON pointer the answer must name. */
    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                spec("{" + VALID_TASK + ", " + VALID_MODEL + "}", "/name"),
                spec("{\"name\": \"  \", " + VALID_TASK + ", " + VALID_MODEL + "}", "/name"),
                spec("{\"name\": \"" + "x".repeat(101) + "\", " + VALID_TASK + ", " + VALID_MODEL + "}", "/name"),
                spec("{\"name\": \"<script>\", " + VALID_TASK + ", " + VALID_MODEL + "}", "/name"),
                spec("{\"name\": \"n\", " + VALID_MODEL + "}", "/task"),
                spec("{\"name\": \"n\", \"task\": {}, " + VALID_MODEL + "}", "/task/operation"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"POWER\"}, " + VALID_MODEL + "}", "/task/operation"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulus\": 1}, " + VALID_MODEL + "}",
                        "/task/modulus"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulus\": 100000}, " + VALID_MODEL
                        + "}", "/task/modulus"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulus\": \"big\"}, " + VALID_MODEL
                        + "}", "/task/modulus"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulus\": 1.5}, " + VALID_MODEL + "}",
                        "/task/modulus"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"DIVIDE\", \"modulus\": 100}, " + VALID_MODEL
                        + "}", "/task/modulus"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"trainFraction\": 1.0}, " + VALID_MODEL
                        + "}", "/task/trainFraction"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"trainFraction\": -0.1}, " + VALID_MODEL
                        + "}", "/task/trainFraction"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"EXPRESSION\"}, " + VALID_MODEL + "}",
                        "/task/expression"),
                // regressions (found by ApiFuzzTest): blank strings were read as null, so the default applied
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"trainFraction\": \" \"}, " + VALID_MODEL
                        + "}", "/task/trainFraction"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulus\": \"\\u0000\"}, " + VALID_MODEL
                        + "}", "/task/modulus"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"loss\": \"\"}}",
                        "/training/loss"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"expression\": \"a+b\"}, " + VALID_MODEL
                        + "}", "/task/expression"),
                spec("{\"name\": \"n\", " + VALID_TASK + "}", "/model"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {}}", "/model/type"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"CNN\"}}", "/model/type"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"TRANSFORMER\", \"heads\": 3}}",
                        "/model/heads"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"TRANSFORMER\", \"dModel\": 0}}",
                        "/model/dModel"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"TRANSFORMER\", "
                        + "\"activation\": \"QUADRATIC\"}}", "/model/activation"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"MLP\", \"hiddenDims\": []}}",
                        "/model/hiddenDims"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"MLP\", \"hiddenDims\": [512, 0]}}",
                        "/model/hiddenDims/1"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"MLP\", \"hiddenDims\": 512}}",
                        "/model/hiddenDims"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"MLP\", \"hiddenDims\": "
                        + "[4096, 4096, 4096, 4096]}}", "/model"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"MLP\", \"initScale\": 0}}",
                        "/model/initScale"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", \"model\": {\"type\": \"TRANSFORMER\", \"init\": "
                        + "\"XAVIER\"}}", "/model/init"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"optimizer\": {\"learningRate\": 0}}",
                        "/optimizer/learningRate"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"optimizer\": {\"type\": \"LBFGS\"}}",
                        "/optimizer/type"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"optimizer\": {\"beta2\": 1}}",
                        "/optimizer/beta2"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"optimizer\": {\"gradientFilter\": {\"type\": \"EMA\", \"alpha\": 1.5}}}",
                        "/optimizer/gradientFilter/alpha"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"optimizer\": {\"gradientFilter\": {\"type\": \"KALMAN\"}}}",
                        "/optimizer/gradientFilter/type"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"optimizer\": {\"gradientFilter\": {\"type\": \"MA\", \"window\": 100000}}}",
                        "/optimizer/gradientFilter/window"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"steps\": -5}}",
                        "/training/steps"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"steps\": 1e12}}",
                        "/training/steps"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"batchSize\": 0}}",
                        "/training/batchSize"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"training\": {\"steps\": 1000000, \"evalEvery\": 1}}", "/training/evalEvery"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"loss\": \"HINGE\"}}",
                        "/training/loss"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"analysis\": {\"memorizationThreshold\": 2}}", "/analysis/memorizationThreshold"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"priority\": 1000}", "/priority"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"learningrate\": 0.1}",
                        "/learningrate"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"ADD\", \"modulos\": 7}, " + VALID_MODEL + "}",
                        "/task/modulos"),
                spec("{\"name\": 42, " + VALID_TASK + ", " + VALID_MODEL + "}", "/name"),
                spec("{\"name\": \"n\", \"task\": [1, 2], " + VALID_MODEL + "}", "/task"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL + ", \"training\": {\"steps\": NaN}}",
                        "/training"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"EXPRESSION\", \"expression\": \"a + c\"}, "
                        + VALID_MODEL + "}", "/task/expression"),
                spec("{\"name\": \"n\", \"task\": {\"operation\": \"EXPRESSION\", \"expression\": \"a / b\", "
                        + "\"modulus\": 12}, " + VALID_MODEL + "}", "/task/modulus"),
                spec("{\"name\": \"n\", " + VALID_TASK + ", " + VALID_MODEL, ""),
                spec("[]", ""),
                spec("", ""),
                spec("{\"name\": \"n\"} {\"name\": \"m\"}", ""));
    }

    private static Arguments spec(String body, String pointer) {
        return Arguments.of(body, pointer);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidSpecs")
    void invalidSpecsAreRefusedNamingTheField(String body, String pointer) {
        long before = experimentCount();

        Api.Response response = api.postJson("/api/v1/experiments", body);

        assertProblem(response, 400);
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as(response.body()).isNotEmpty();
        assertThat(errors.findValuesAsText("pointer")).as(response.body()).contains(pointer);
        errors.forEach(error -> assertThat(error.get("detail").asText()).isNotBlank());
        assertThat(experimentCount()).isEqualTo(before);
    }

    static Stream<Arguments> invalidParameters() {
        return Stream.of(
                Arguments.of("/api/v1/experiments?size=0", "size"),
                Arguments.of("/api/v1/experiments?size=100000", "size"),
                Arguments.of("/api/v1/experiments?page=-1", "page"),
                Arguments.of("/api/v1/experiments?page=first", "page"),
                Arguments.of("/api/v1/experiments?status=DONE", "status"),
                Arguments.of("/api/v1/experiments/abc", "id"),
                Arguments.of("/api/v1/experiments/99999999999999999999", "id"),
                Arguments.of("/api/v1/experiments/..%2F..%2Fetc%2Fpasswd", "id"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidParameters")
    void invalidParametersAreRefusedNamingTheParameter(String path, String parameter) {
        Api.Response response = api.get(path);

        assertThat(response.status()).as(response.body()).isBetween(400, 404);
        assertThat(response.contentType()).startsWith("application/problem+json");
        if (response.json().has("errors")) {
            assertThat(response.json().get("errors").findValuesAsText("parameter")).contains(parameter);
        }
    }

    @Test
    void unknownIdIsNotFound() {
        assertProblem(api.get("/api/v1/experiments/987654321"), 404);
        assertProblem(api.post("/api/v1/experiments/987654321/cancel"), 404);
        assertProblem(api.delete("/api/v1/experiments/987654321"), 404);
    }

    @Test
    void unknownPathIsNotFound() {
        assertProblem(api.get("/api/v1/nothing-here"), 404);
    }

    @Test
    void wrongMethodIsNotAllowed() {
        assertProblem(api.method("PUT", "/api/v1/experiments"), 405);
    }

    @Test
    void wrongMediaTypeIsUnsupported() {
        assertProblem(api.post("/api/v1/experiments", "text/plain", "name=x"), 415);
        assertProblem(api.post("/api/v1/experiments", null, "{}"), 415);
    }

    @Test
    void unacceptableResponseTypeIsRefused() {
        Api.Response response = api.get("/api/v1/experiments", "image/png");
        assertThat(response.status()).isEqualTo(406);
    }

    /** Regression (found by ApiFuzzTest): a NUL axis value passed as "no value" and then broke the jsonb insert. */
    @Test
    void aBlankOrNulAxisValueForANumberIsRefusedNotStored() {
        long sweeps = jdbc.queryForObject("select count(*) from sweep", Long.class);
        String sweep = "{\"name\": \"nul\", \"base\": {" + VALID_TASK + ", " + VALID_MODEL + "}, "
                + "\"axes\": {\"task.trainFraction\": [0.3, \"\\u0000\", \" \"]}}";

        Api.Response response = api.postJson("/api/v1/sweeps", sweep);

        assertProblem(response, 400);
        assertThat(response.json().get("errors").findValuesAsText("pointer"))
                .anySatisfy(pointer -> assertThat(pointer).startsWith("/axes/task.trainFraction"));
        assertThat(jdbc.queryForObject("select count(*) from sweep", Long.class)).isEqualTo(sweeps);
    }

    /** Regression (found by ApiFuzzTest): Tomcat answered TRACE with a bodiless 405. */
    @Test
    void traceIsNotAllowedAndNotEchoed() {
        Api.Response response = api.method("TRACE", "/api/v1/experiments");

        assertProblem(response, 405);
        assertThat(response.header("Allow")).isPresent();
        assertThat(response.body()).doesNotContain("TRACE /api");
    }

    /**
     * Regression (found by ApiFuzzTest once Spring Security came in): its firewall refused methods outside the usual
     * ones, and encoded path tricks, with an empty 400.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "PROPFIND", "FOO" })
    void anUnknownMethodIsRefusedWithProblemDetails(String method) {
        assertProblem(api.method(method, "/api/v1/experiments"), 405);
    }

    @Test
    void aPathTheFirewallRefusesGetsProblemDetails() {
        assertProblem(api.get("/api/v1/experiments/1%2F..%2F2"), 400);
    }

    /** Regression (found by ApiFuzzTest): a 406 for an Accept header that does not parse went out empty. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "x/y/z", ";;;", "application/",
            "application/json;q=abc", "application/json; charset=ebcdic" })
    void malformedAcceptIsRefusedWithProblemDetails(String accept) {
        assertProblem(api.get("/api/v1/experiments", accept), 406);
        assertProblem(api.get("/api/v1/experiments/1", accept), 406);
    }

    @Test
    void oversizedBodyIsRefusedWhetherDeclaredOrStreamed() {
        String huge = "{\"name\": \"" + "x".repeat(300_000) + "\"}";
        long before = experimentCount();

        assertProblem(api.postJson("/api/v1/experiments", huge), 413);
        Api.Response chunked = api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(huge.getBytes())))); // no length: chunked
        assertProblem(chunked, 413);
        assertThat(experimentCount()).isEqualTo(before);
    }

    /**
     * Regressions from a hostile-request corpus: headers that Spring's multipart resolver, its form filter or its
     * header reader acted on before any handler, each answered 500 before. Now a 415 problem, nothing stored.
     */
    static Stream<Arguments> unreadableContentTypes() {
        String multipart = "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb";
        return Stream.of(
                Arguments.of("POST", "/api/v1/experiments", "multipart/form-data", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "multipart/form-data; boundary=", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "multipart/form-data; boundary=\"\"", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "multipart/mixed", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "multipart/form-data; boundary=xyz", multipart),
                Arguments.of("POST", "/api/v1/sweeps", "multipart/form-data; charset=utf-8", "{}"),
                Arguments.of("GET", "/api/v1/experiments", "multipart/form-data", "{}"),
                Arguments.of("GET", "/actuator/health", "*/*", "{}"),
                Arguments.of("POST", "/actuator/health", "application/*", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "application/json; charset=bogus", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "application/json; charset=utf-8; charset=latin1", "{}"),
                Arguments.of("POST", "/api/v1/experiments", "text/plain;charset=", "x"),
                Arguments.of("POST", "/api/v1/experiments", "application/x-www-form-urlencoded; charset=bogus",
                        "a=b"));
    }

    @ParameterizedTest
    @MethodSource("unreadableContentTypes")
    void unreadableOrUnsupportedContentTypesAre415ProblemsNeverA500(String method, String path, String contentType,
            String body) {
        long before = experimentCount();
        Api.Response response = api.send(HttpRequest.newBuilder(api.uri(path)).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
        assertProblem(response, 415);
        assertThat(experimentCount()).isEqualTo(before);
    }

    /** Spring's form filter parsed these bodies (DELETE, PUT, PATCH) and failed with a 500 on a bad escape. */
    @Test
    void aFormBodyWithBadEscapesOnADeleteIsIgnored() {
        Api.Response response = api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments/4000000000017"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("a=%zz&%=1")));
        assertProblem(response, 404);
    }

    /** Regression (ApiFuzzTest): PostgreSQL refused a NUL in the LIKE pattern, a 500. No stored name has one. */
    @Test
    void aNameFilterWithNulMatchesNothing() {
        for (String path : new String[] {"/api/v1/experiments?name=a%00b", "/api/v1/sweeps?name=%00"}) {
            Api.Response response = api.get(path);
            assertThat(response.status()).as(path + " " + response.body()).isEqualTo(200);
            assertThat(response.json().get("totalItems").asLong()).isZero();
        }
    }

    @Test
    void aQuotedUtf8CharsetIsStillAccepted() {
        Api.Response response = api.post("/api/v1/experiments", "application/json; charset=\"UTF-8\"",
                "{\"name\": \"quoted-charset\", " + VALID_TASK + ", " + VALID_MODEL
                        + ", \"training\": {\"steps\": 10}}");
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        long id = response.json().get("id").asLong();
        api.post("/api/v1/experiments/" + id + "/cancel");
        api.delete("/api/v1/experiments/" + id);
    }

    @Test
    void theErrorPageIsAProblemToo() {
        assertProblem(api.get("/error"), 500);
    }

    private static void assertProblem(Api.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("title").asText()).isNotBlank();
        assertThat(response.json().has("detail")).isTrue();
        assertThat(response.json().get("instance").asText()).startsWith("/");
    }

    private long experimentCount() {
        return jdbc.queryForObject("select count(*) from experiment", Long.class);
    }
}
