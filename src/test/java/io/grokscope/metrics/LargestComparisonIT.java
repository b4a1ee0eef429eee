package io.grokscope.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.grokscope.analysis.Metric;
import io.grokscope.support.Api;
import io.grokscope.support.ServiceProcess;
import io.grokscope.support.TestDatabase;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The largest comparison the default limits admit (50 runs x every metric x 20 000 points each) answered by a service
 * whose heap is 256 MB: it used to be built whole (boxed) before a byte was written, several times the heap.
 */
class LargestComparisonIT {

    private static final int RUNS = 50;
    private static final int POINTS = 20_000;
    private static final String SPEC = """
            {"name": "largest-comparison-%d", "task": {"operation": "ADD", "modulus": 23},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]}, "training": {"steps": 20000}}""";

    @TempDir
    Path work;

    @Test
    void theLargestAllowedComparisonIsServedUnderA256MbHeap() throws Exception {
        TestDatabase.Coordinates database = TestDatabase.get();
        List<String> settings = List.of("--spring.datasource.url=" + database.url(),
                "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password(), "--grokscope.jobs.enabled=false");
        try (ServiceProcess service = ServiceProcess.start(work, "small-heap",
                List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), settings)) {
            Api api = service.api();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Api.Response created = api.postJson("/api/v1/experiments", SPEC.formatted(i));
                assertThat(created.status()).as(created.body()).isEqualTo(202);
                ids.add(created.json().get("id").asLong());
            }
            String[] metrics = Arrays.stream(Metric.values()).map(Metric::wireName).toArray(String[]::new);
            try (Connection connection = DriverManager.getConnection(database.url(), database.user(),
                    database.password());
                    PreparedStatement insert = connection.prepareStatement("insert into metric_point"
                            + " (experiment_id, metric, step, value) select e, m, s, sin(s * 0.001)"
                            + " from unnest(?::bigint[]) e, unnest(?::text[]) m, generate_series(1, ?) s")) {
                insert.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                insert.setArray(2, connection.createArrayOf("text", metrics));
                insert.setInt(3, POINTS);
                insert.executeUpdate();
            }

            String query = "/api/v1/metrics?maxPoints=" + POINTS + "&experiments="
                    + ids.stream().map(String::valueOf).collect(Collectors.joining(","));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            long started = System.nanoTime();
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(api.uri(query))
                    .timeout(Duration.ofMinutes(5)).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            long experiments = 0;
            long points = 0;
            try (JsonParser parser = new JsonFactory().createParser(response.body())) {
                for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                    if (token == JsonToken.FIELD_NAME && "experimentId".equals(parser.currentName())) {
                        experiments++;
                    } else if (token == JsonToken.FIELD_NAME && "steps".equals(parser.currentName())) {
                        parser.nextToken();
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            points++;
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("[LargestComparisonIT] %d runs, %d points in %.1f s under -Xmx256m%n", experiments,
                    points, seconds);
            assertThat(experiments).isEqualTo(RUNS);
            assertThat(points).isEqualTo((long) RUNS * metrics.length * POINTS);
            assertThat(Files.readString(service.log())).doesNotContain("OutOfMemoryError");
            assertThat(api.get("/actuator/health").status()).isEqualTo(200);
        }
    }
}
