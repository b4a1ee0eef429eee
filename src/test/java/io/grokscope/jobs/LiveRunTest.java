package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real run followed live: the event stream delivers every evaluated step while the job trains and ends with the
 * final status; a client reconnecting with {@code Last-Event-ID} is sent exactly the steps after it, from the database;
 * and the finished run's analysis is served and summarised on the experiment.
 */
@IntegrationTest
class LiveRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @Autowired
    JobWorker worker;

    @Autowired
    JdbcTemplate jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    record Event(String id, String name, JsonNode data) {
    }

    /** Reads a whole event stream (until the server closes it at the end of the run). */
    private CompletableFuture<List<Event>> stream(long id, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/v1/experiments/" + id + "/events")).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(120));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    List<Event> events = new ArrayList<>();
                    String eventId = null;
                    String name = null;
                    StringBuilder data = new StringBuilder();
                    Iterator<String> lines = response.body().iterator();
                    while (lines.hasNext()) {
                        String line = lines.next();
                        if (line.isEmpty()) {
                            if (name != null) {
                                events.add(new Event(eventId, name, parse(data.toString())));
                            }
                            eventId = null;
                            name = null;
                            data.setLength(0);
                        } else if (line.startsWith("id:")) {
                            eventId = line.substring(3).trim();
                        } else if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5));
                        }
                    }
                    return events;
                });
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("event data is not JSON: " + json, e);
        }
    }

    private static List<Long> metricSteps(List<Event> events) {
        return events.stream().filter(e -> e.name().equals("metrics")).map(e -> e.data().get("step").asLong())
                .toList();
    }

    @Test
    void aClientFollowsARunLiveAndAReconnectMissesNothing() throws Exception {
        String spec = """
                {"name": "live", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": 3},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64]},
                 "optimizer": {"learningRate": 0.003, "weightDecay": 0.5},
                 "training": {"steps": 400, "evalEvery": 20, "checkpointEvery": 100, "seed": 4},
                 "analysis": {"progressMeasuresEvery": 100, "grokkingMinDelay": 100}}
                """;
        long id = api.postJson("/api/v1/experiments", spec).json().get("id").asLong();
        CompletableFuture<List<Event>> live = stream(id, null);

        Thread training = new Thread(() -> worker.runOnce("live/0"));
        training.start();
        List<Event> events = live.get(120, TimeUnit.SECONDS);
        training.join(60_000);

        List<Long> evalSteps = LongStream.rangeClosed(0, 20).map(i -> i * 20).boxed().toList();
        assertThat(metricSteps(events)).containsExactlyElementsOf(evalSteps);
        Event step0 = events.stream().filter(e -> e.name().equals("metrics")).findFirst().orElseThrow();
        assertThat(step0.id()).isEqualTo("0");
        assertThat(step0.data().at("/values/train_loss").isNumber()).isTrue();
        assertThat(events.stream().filter(e -> e.name().equals("status")).map(e -> e.data().get("status").asText()))
                .contains("SUCCEEDED");
        assertThat(events.stream().filter(e -> e.name().equals("progress"))).isNotEmpty();
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("end");
        assertThat(last.data().get("status").asText()).isEqualTo("SUCCEEDED");

        List<Event> replay = stream(id, "200").get(60, TimeUnit.SECONDS);
        assertThat(metricSteps(replay)).containsExactlyElementsOf(evalSteps.stream().filter(s -> s > 200).toList());

        JsonNode analysis = api.get("/api/v1/experiments/" + id + "/analysis").json();
        assertThat(analysis.get("experimentId").asLong()).isEqualTo(id);
        assertThat(analysis.get("verdict").asText()).isNotEqualTo("RUNNING");
        assertThat(analysis.at("/thresholds/grokkingMinDelay").asLong()).isEqualTo(100);
        assertThat(analysis.get("phases").isArray()).isTrue();
        JsonNode view = api.get("/api/v1/experiments/" + id).json();
        assertThat(view.get("verdict").asText()).isEqualTo(analysis.get("verdict").asText());
        if (analysis.get("generalizationStep").isNull()) {
            assertThat(view.get("generalizationStep").isNull()).isTrue();
        } else {
            assertThat(view.get("generalizationStep").asLong()).isEqualTo(analysis.get("generalizationStep").asLong());
        }
    }

    @Test
    void aQueuedRunsAnalysisIsRunningAndAnUnknownOneIs404() {
        long id = api.postJson("/api/v1/experiments", "{\"name\": \"queued\", \"task\": {\"operation\": \"S5_COMPOSE\"},"
                + " \"model\": {\"type\": \"MLP\"}}").json().get("id").asLong();
        JsonNode analysis = api.get("/api/v1/experiments/" + id + "/analysis").json();
        assertThat(analysis.get("verdict").asText()).isEqualTo("RUNNING");
        assertThat(analysis.get("memorizationStep").isNull()).isTrue();
        assertThat(analysis.get("notes").toString()).contains("S5");
        assertThat(api.get("/api/v1/experiments/987654321/analysis").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/experiments/987654321/events").status()).isEqualTo(404);
        Api.Response badId = api.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/v1/experiments/" + id + "/events")).header("Last-Event-ID", "x1").GET());
        assertThat(badId.status()).isEqualTo(400);
    }
}
