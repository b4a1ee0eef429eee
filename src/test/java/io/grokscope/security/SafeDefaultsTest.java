package io.grokscope.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;

/**
 * The default set-up (no API keys, no address configured) is closed to everything but this machine's own clients:
 * it listens on loopback only, refuses writes that browsers say come from another site's page, sends a
 * Content-Security-Policy and nosniff, and keeps health details to itself.
 */
@IntegrationTest
class SafeDefaultsTest {

    private static final String SPEC = """
            {"name": "safe-defaults", "task": {"operation": "ADD", "modulus": 23},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]}, "training": {"steps": 10}}""";

    @LocalServerPort
    int port;

    @Autowired
    Environment environment;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    @Test
    void listensOnLoopbackOnlyUnlessAnAddressIsConfigured() throws IOException {
        assertThat(environment.getProperty("server.address")).isEqualTo("127.0.0.1");
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        }
        // on a machine with another interface, the port is closed there
        external.ifPresent(address -> assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 2_000);
            }
        }).as("port %d on %s", port, address).isInstanceOf(IOException.class));
    }

    @Test
    void aWriteFromAnotherSitesPageIsRefusedAndChangesNothing() {
        long id = api.postJson("/api/v1/experiments", SPEC).json().get("id").asLong();
        try {
            String cancel = "/api/v1/experiments/" + id + "/cancel";
            Api.Response bySite = send("POST", cancel, "Sec-Fetch-Site", "cross-site");
            assertProblem(bySite, 403);
            assertThat(bySite.json().get("detail").asText()).contains("another site");
            assertProblem(send("POST", cancel, "Sec-Fetch-Site", "same-site"), 403);
            assertProblem(send("POST", cancel, "Origin", "http://evil.example"), 403);
            assertProblem(send("POST", cancel, "Origin", "null"), 403);
            assertProblem(send("POST", cancel, "Origin", "http://localhost:" + (port + 1)), 403);
            assertProblem(send("DELETE", "/api/v1/experiments/" + id, "Origin", "https://localhost:" + port), 403);
            assertThat(api.get("/api/v1/experiments/" + id).json().get("status").asText()).isEqualTo("QUEUED");

            // reads from anywhere, and writes from this origin, the user's own navigation or a script, pass
            assertThat(send("GET", "/api/v1/experiments/" + id, "Sec-Fetch-Site", "cross-site").status())
                    .isEqualTo(200);
            assertThat(send("POST", cancel, "Sec-Fetch-Site", "same-origin").status()).isEqualTo(202);
            assertThat(send("POST", cancel, "Origin", "http://localhost:" + port).status()).isEqualTo(202);
            assertThat(send("POST", cancel, "Sec-Fetch-Site", "none").status()).isEqualTo(202);
            assertThat(api.post(cancel).status()).isEqualTo(202);
        } finally {
            api.post("/api/v1/experiments/" + id + "/cancel");
            api.delete("/api/v1/experiments/" + id);
        }
    }

    @Test
    void theDashboardAndTheApiSendAContentSecurityPolicyAndNosniff() {
        for (String path : new String[] {"/", "/index.html", "/js/main.js", "/api/v1/experiments",
                "/api/v1/experiments/987654321"}) {
            Api.Response response = api.get(path);
            assertThat(response.header("Content-Security-Policy")).as(path)
                    .hasValue(SecurityConfiguration.CONTENT_SECURITY_POLICY);
            assertThat(response.header("X-Content-Type-Options")).as(path).hasValue("nosniff");
        }
        // Scripts only from the service itself; inline styles are allowed (uPlot and the charts set them), inline
        // scripts and eval are not.
        String scripts = java.util.Arrays.stream(SecurityConfiguration.CONTENT_SECURITY_POLICY.split(";"))
                .map(String::trim).filter(d -> d.startsWith("script-src")).findFirst().orElseThrow();
        assertThat(scripts).isEqualTo("script-src 'self'");
        assertThat(SecurityConfiguration.CONTENT_SECURITY_POLICY).doesNotContain("unsafe-eval")
                .contains("default-src 'self'").contains("object-src 'none'");
    }

    @Test
    void healthIsReachableButShowsNoDetailsToAnonymousCallers() {
        Api.Response health = api.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        // Components are named with their status (a readiness probe and an operator read them), never with details
        // (database product, disk paths and sizes, pool internals).
        assertThat(health.json().has("details")).as(health.body()).isFalse();
        health.json().path("components").forEach(component ->
                assertThat(component.has("details")).as(health.body()).isFalse());
        assertThat(health.body()).doesNotContain("PostgreSQL").doesNotContain("free").doesNotContain("path");
    }

    private Api.Response send(String method, String path, String header, String value) {
        return api.send(HttpRequest.newBuilder(api.uri(path)).header(header, value)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static void assertProblem(Api.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
    }
}
