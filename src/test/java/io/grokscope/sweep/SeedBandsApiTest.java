package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Seed bands through the API, on a real sweep whose runs get curves inserted directly (so the test knows each band):
 * per cell, per value of x, and over a chosen set of runs for the compare page; bad parameters are 400 naming them.
 */
@IntegrationTest
class SeedBandsApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    /** A 2-cell × 2-seed sweep; test_acc of run k of cell c is (c + 1) · step / 100 + k / 10 at steps 0, 10, ..., 100. */
    private JsonNode sweepWithCurves() {
        Api.Response created = api.postJson("/api/v1/sweeps", """
                {"name": "bands-test", "base": {"task": {"operation": "ADD", "modulus": 11},
                 "model": {"type": "MLP", "embedDim": 4, "hiddenDims": [8]}, "training": {"steps": 100}},
                 "axes": {"optimizer.weightDecay": [0, 1]}, "seeds": [0, 1]}""");
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        JsonNode sweep = created.json();
        for (JsonNode cell : sweep.get("cells")) {
            int c = cell.get("index").asInt();
            int k = 0;
            for (JsonNode run : cell.get("experiments")) {
                long id = run.get("experimentId").asLong();
                jdbc.update("update job set status = 'SUCCEEDED', finished_at = now() where experiment_id = ?", id);
                jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, 'test_acc', s,"
                        + " (? + 1) * s / 100.0 + ? / 10.0 from generate_series(0, 100, 10) as s", id, c, k);
                k++;
            }
        }
        return sweep;
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(n -> values.add(n.isNull() ? null : n.asDouble()));
        return values;
    }

    @Test
    void perCellBandsAreTheMeanSpreadAndRangeOverTheSeeds() {
        JsonNode sweep = sweepWithCurves();
        long id = sweep.get("id").asLong();
        Api.Response response = api.get("/api/v1/sweeps/" + id + "/bands?metric=test_acc");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode bands = response.json();
        assertThat(bands.get("groups")).hasSize(2);
        JsonNode cell1 = bands.get("groups").get(1);
        assertThat(cell1.get("values").get("optimizer.weightDecay").asDouble()).isEqualTo(1.0);
        assertThat(cell1.get("experimentIds")).hasSize(2);
        JsonNode band = cell1.get("band");
        assertThat(band.get("steps")).hasSize(11);
        assertThat(band.get("steps").get(5).asLong()).isEqualTo(50);
        // cell 1 at step 50: seeds 1.0 and 1.1 -> mean 1.05, sample sd sqrt(0.005), min 1.0, max 1.1, n 2
        assertThat(band.get("mean").get(5).asDouble()).isCloseTo(1.05, within(1e-9));
        assertThat(band.get("standardDeviation").get(5).asDouble()).isCloseTo(Math.sqrt(0.005), within(1e-9));
        assertThat(band.get("min").get(5).asDouble()).isCloseTo(1.0, within(1e-9));
        assertThat(band.get("max").get(5).asDouble()).isCloseTo(1.1, within(1e-9));
        assertThat(band.get("n").get(5).asInt()).isEqualTo(2);

        // Pooled over x: one band per weight decay, the same runs as the cells here (one axis).
        JsonNode byX = api.get("/api/v1/sweeps/" + id + "/bands?metric=test_acc&x=optimizer.weightDecay&maxPoints=6")
                .json();
        assertThat(byX.get("x").asText()).isEqualTo("optimizer.weightDecay");
        JsonNode pooled = byX.get("groups").get(0).get("band");
        assertThat(doubles(pooled.get("steps"))).containsExactly(0.0, 20.0, 40.0, 60.0, 80.0, 100.0);
        assertThat(pooled.get("mean").get(5).asDouble()).isCloseTo(1.05, within(1e-9)); // cell 0 at 100: 1.0, 1.1

        // The compare page's band over a chosen set: the two seeds of cell 0 and one of cell 1.
        List<Long> chosen = List.of(sweep.get("cells").get(0).get("experiments").get(0).get("experimentId").asLong(),
                sweep.get("cells").get(0).get("experiments").get(1).get("experimentId").asLong(),
                sweep.get("cells").get(1).get("experiments").get(0).get("experimentId").asLong());
        JsonNode compared = api.get("/api/v1/metrics/bands?metric=test_acc&experiments="
                + chosen.get(0) + "," + chosen.get(1) + "," + chosen.get(2)).json();
        // at step 100: 1.0, 1.1, 2.0
        assertThat(compared.get("band").get("mean").get(10).asDouble()).isCloseTo(4.1 / 3, within(1e-9));
        assertThat(compared.get("band").get("n").get(10).asInt()).isEqualTo(3);
        assertThat(compared.get("experimentIds")).hasSize(3);
    }

    @Test
    void badParametersAre400AndUnknownRunsOrSweeps404() {
        long id = sweepWithCurves().get("id").asLong();
        for (String query : List.of("metric=accuracy", "metric=test_acc&x=nope", "metric=test_acc&maxPoints=1",
                "metric=test_acc&maxPoints=1000000", "metric=test_acc&where=optimizer.weightDecay%3D7", "")) {
            Api.Response response = api.get("/api/v1/sweeps/" + id + "/bands?" + query);
            assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(400);
        }
        assertThat(api.get("/api/v1/sweeps/" + Long.MAX_VALUE + "/bands?metric=test_acc").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/metrics/bands?metric=test_acc&experiments=" + Long.MAX_VALUE).status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/metrics/bands?metric=nope&experiments=1").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/metrics/bands?metric=test_acc").status()).isEqualTo(400);
    }
}
