package io.grokscope.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.Api;
import io.grokscope.support.SecondInstance;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service with API keys on, end to end. The suite's shared context runs with keys off (as the embedded mode
 * does), so each nested class starts its own instance of the application on a random port against the same test
 * database (jobs off), and closes it afterwards; no shared context is forked or changed.
 */
@ExtendWith(OutputCaptureExtension.class)
class ApiKeySecurityTest {

    /** Unique per run, so finding it in the captured output can only mean this run leaked it. */
    static final String KEY = "gk-" + UUID.randomUUID();
    static final String OTHER_KEY = "gk-" + UUID.randomUUID();
    /** Loggers raised to DEBUG while an instance serves, as an operator chasing a problem might. */
    static final List<String> VERBOSE = List.of("io.grokscope", "org.springframework.security",
            "org.springframework.web");
    static final String SPEC = """
            {"name": "secured", "task": {"operation": "ADD", "modulus": 7},
             "model": {"type": "MLP", "embedDim": 4, "hiddenDims": [8]}, "training": {"steps": 10}}""";

    abstract static class Instance {
        ConfigurableApplicationContext context;
        Api api;

        abstract boolean protectReads();

        @BeforeAll
        void start() {
            context = SecondInstance.start(
                    "grokscope.security.api-keys=" + OTHER_KEY + ", " + KEY,
                    "grokscope.security.protect-reads=" + protectReads());
            api = new Api(SecondInstance.port(context));
            // after the start, which re-applies the test logging configuration
            LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
            VERBOSE.forEach(name -> logging.setLogLevel(name, LogLevel.DEBUG));
        }

        @AfterAll
        void stop() {
            if (context != null) {
                context.close();
            }
            LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
            VERBOSE.forEach(name -> logging.setLogLevel(name, null));
        }

        Api.Response send(String method, String path, String authorization, String body) {
            HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(path)).method(method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return api.send(request);
        }

        static void assertUnauthorized(Api.Response response, String error) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("status").asInt()).isEqualTo(401);
            assertThat(response.json().get("detail").asText()).isNotBlank().doesNotContain(KEY);
            String challenge = response.header("WWW-Authenticate").orElseThrow();
            assertThat(challenge).startsWith("Bearer");
            if (error == null) {
                assertThat(challenge).doesNotContain("error=");
            } else {
                assertThat(challenge).contains("error=\"" + error + "\"");
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ReadsOpen extends Instance {

        @Override
        boolean protectReads() {
            return false;
        }

        @Test
        void aWriteWithoutAKeyIs401() {
            assertUnauthorized(send("POST", "/api/v1/experiments", null, SPEC), null);
            assertUnauthorized(send("POST", "/api/v1/sweeps", null, "{}"), null);
            assertUnauthorized(send("POST", "/api/v1/experiments/1/cancel", null, null), null);
            assertUnauthorized(send("DELETE", "/api/v1/experiments/1", null, null), null);
            assertUnauthorized(send("DELETE", "/api/v1/sweeps/1", null, null), null);
        }

        @Test
        void aWrongKeyIs401InvalidToken() {
            assertUnauthorized(send("POST", "/api/v1/experiments", "Bearer " + KEY + "x", SPEC), "invalid_token");
            assertUnauthorized(send("POST", "/api/v1/experiments", "Bearer " + KEY.substring(1), SPEC),
                    "invalid_token");
            // a wrong key is refused on reads too, although they are open: the client should learn its key is wrong
            assertUnauthorized(send("GET", "/api/v1/experiments", "Bearer not-a-configured-key", null),
                    "invalid_token");
        }

        @Test
        void aMalformedHeaderIs401InvalidRequest() {
            assertUnauthorized(send("POST", "/api/v1/experiments", "Basic " + KEY, SPEC), "invalid_request");
            assertUnauthorized(send("POST", "/api/v1/experiments", "Bearer ", SPEC), "invalid_request");
            assertUnauthorized(send("POST", "/api/v1/experiments", KEY, SPEC), "invalid_request");
        }

        @Test
        void theRightKeyWritesWithEitherConfiguredKey() {
            Api.Response created = send("POST", "/api/v1/experiments", "Bearer " + KEY, SPEC);
            assertThat(created.status()).as(created.body()).isEqualTo(202);
            long id = created.json().get("id").asLong();
            assertThat(send("POST", "/api/v1/experiments/" + id + "/cancel", "bearer " + OTHER_KEY, null).status())
                    .isEqualTo(202);
            assertThat(send("DELETE", "/api/v1/experiments/" + id, "Bearer " + KEY, null).status()).isEqualTo(204);
        }

        @Test
        void readsHealthTheDashboardAndTheContractAreOpen() {
            assertThat(send("GET", "/api/v1/experiments", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/api/v1/sweeps", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/actuator/health", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/js/api.js", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/openapi/grokscope.yaml", null, null).status()).isEqualTo(200);
        }

        @Test
        void noSessionIsCreated() {
            Api.Response response = send("POST", "/api/v1/experiments", "Bearer " + KEY, "{}");
            assertThat(response.status()).isEqualTo(400); // authenticated, then validated
            assertThat(response.header("Set-Cookie")).isEmpty();
        }

        @Test
        void theKeyNeverReachesTheLog(CapturedOutput output) {
            send("POST", "/api/v1/experiments", "Bearer " + KEY + "x", SPEC);
            send("POST", "/api/v1/experiments", "Bearer " + KEY, "{}");
            send("GET", "/api/v1/experiments", "Bearer " + KEY, null);
            assertThat(output.getAll()).contains("Secured POST /api/v1/experiments") // the DEBUG log was captured
                    .doesNotContain(KEY).doesNotContain(KEY.substring(3)).doesNotContain(OTHER_KEY);
            assertThat(context.getBean(ApiKeySettings.class).toString()).doesNotContain(KEY);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ReadsProtected extends Instance {

        @Override
        boolean protectReads() {
            return true;
        }

        @Test
        void readsNeedAKey() {
            assertUnauthorized(send("GET", "/api/v1/experiments", null, null), null);
            assertUnauthorized(send("GET", "/api/v1/metrics?experiments=1", null, null), null);
            assertThat(send("GET", "/api/v1/experiments", "Bearer " + KEY, null).status()).isEqualTo(200);
        }

        @Test
        void healthAndTheDashboardStayOpen() {
            assertThat(send("GET", "/actuator/health", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/", null, null).status()).isEqualTo(200);
            assertThat(send("GET", "/css/dashboard.css", null, null).status()).isEqualTo(200);
        }
    }
}
