package io.grokscope.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code POST /api/v1/analyses}: curves from anywhere get exactly the analysis of a stored run. */
@IntegrationTest
class CurveAnalysisApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    Api api;
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    /**
     * The committed Nanda reproduction stored as a finished run (submitted through the API with the reproduction's
     * thresholds, marked SUCCEEDED, its recorded rows inserted): the stored run's analysis is what a POST must equal.
     */
    private long storedNandaRun() throws Exception {
        long id = api.postJson("/api/v1/experiments", specWithAnalysis("\"memorizationThreshold\": 0.99,"
                + " \"generalizationThreshold\": 0.99, \"grokkingMinDelay\": 1000")).json().get("id").asLong();
        jdbc.update("update job set status = 'SUCCEEDED', finished_at = now() where experiment_id = ?", id);
        jdbc.update("delete from metric_point where experiment_id = ?", id);
        List<Object[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("docs/reproductions/nanda/metrics.csv")).subList(1,
                Files.readAllLines(Path.of("docs/reproductions/nanda/metrics.csv")).size())) {
            String[] cells = line.split(",");
            rows.add(new Object[] {id, cells[1], Long.parseLong(cells[2]), Double.parseDouble(cells[3])});
        }
        jdbc.batchUpdate("insert into metric_point (experiment_id, metric, step, value) values (?, ?, ?, ?)", rows);
        return id;
    }

    /** A small run's spec (never meant to train) with these analysis settings. */
    private static String specWithAnalysis(String analysisSettings) {
        return "{\"name\": \"curve-analysis-test\", \"task\": {\"operation\": \"ADD\", \"modulus\": 11}, \"model\":"
                + " {\"type\": \"MLP\", \"embedDim\": 4, \"hiddenDims\": [8]}, \"training\": {\"steps\": 1000000},"
                + " \"analysis\": {" + analysisSettings + "}}";
    }

    private JsonNode withoutId(JsonNode analysis) {
        ObjectNode copy = analysis.deepCopy();
        copy.remove("experimentId");
        return copy;
    }

    @Test
    void theNandaCsvGetsTheSameAnalysisAsTheStoredRun() throws Exception {
        long id = storedNandaRun();
        JsonNode stored = api.get("/api/v1/experiments/" + id + "/analysis").json();
        assertThat(stored.get("verdict").asText()).isEqualTo("GROKKING");

        // the service's own CSV export of the run, posted back
        String export = api.get("/api/v1/experiments/" + id + "/metrics?maxPoints=20000", "text/csv").body();
        Api.Response posted = api.post("/api/v1/analyses?grokkingMinDelay=1000", "text/csv", export);
        assertThat(posted.status()).as(posted.body()).isEqualTo(200);
        assertThat(posted.json().get("experimentId").isNull()).isTrue();
        assertThat(withoutId(posted.json())).isEqualTo(withoutId(stored));

        // the committed reproduction file, and the same curves as JSON series
        String committed = Files.readString(Path.of("docs/reproductions/nanda/metrics.csv"));
        assertThat(withoutId(api.post("/api/v1/analyses?grokkingMinDelay=1000", "text/csv", committed).json()))
                .isEqualTo(withoutId(stored));
        JsonNode series = api.get("/api/v1/experiments/" + id + "/metrics?maxPoints=20000").json().get("series");
        ObjectNode body = json.createObjectNode();
        body.set("series", series);
        body.putObject("thresholds").put("grokkingMinDelay", 1000);
        Api.Response fromJson = api.postJson("/api/v1/analyses", body.toString());
        assertThat(fromJson.status()).as(fromJson.body()).isEqualTo(200);
        assertThat(withoutId(fromJson.json())).isEqualTo(withoutId(stored));
    }

    @Test
    void accuraciesAloneGiveMilestonesAndVerdictAndNotesSayWhatIsMissing() {
        Api.Response r = api.postJson("/api/v1/analyses", "{\"series\": ["
                + "{\"name\": \"train_acc\", \"steps\": [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],"
                + " \"values\": [0.01, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]},"
                + "{\"name\": \"test_acc\", \"steps\": [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],"
                + " \"values\": [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.5, 1, 1, 1]},"
                + "{\"name\": \"val_perplexity\", \"steps\": [0], \"values\": [3]}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("verdict").asText()).isEqualTo("GROKKING");
        assertThat(r.json().get("memorizationStep").asLong()).isEqualTo(100);
        assertThat(r.json().get("generalizationStep").asLong()).isEqualTo(800);
        assertThat(r.json().get("notes").toString()).contains("train_loss was not recorded")
                .contains("not a metric name, so not analysed: val_perplexity");
    }

    @Test
    void theMinimumPhaseDurationIsAThresholdOfJsonAndCsvRequests() {
        String series = "{\"name\": \"train_acc\", \"steps\": [0, 100, 200], \"values\": [0.01, 1, 1]}";
        Api.Response defaults = api.postJson("/api/v1/analyses", "{\"series\": [" + series + "]}");
        assertThat(defaults.status()).as(defaults.body()).isEqualTo(200);
        assertThat(defaults.json().at("/thresholds/minPhaseShare").asDouble()).isEqualTo(0.02);
        assertThat(defaults.json().at("/thresholds/minPhaseSteps").asLong()).isZero();

        Api.Response sent = api.postJson("/api/v1/analyses", "{\"series\": [" + series + "], \"thresholds\":"
                + " {\"minPhaseShare\": 0.05, \"minPhaseSteps\": 300}}");
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(sent.json().at("/thresholds/minPhaseShare").asDouble()).isEqualTo(0.05);
        assertThat(sent.json().at("/thresholds/minPhaseSteps").asLong()).isEqualTo(300);

        Api.Response csv = api.post("/api/v1/analyses?minPhaseShare=0&minPhaseSteps=50", "text/csv",
                "step,train_acc\n0,0.01\n100,1\n200,1\n");
        assertThat(csv.status()).as(csv.body()).isEqualTo(200);
        assertThat(csv.json().at("/thresholds/minPhaseShare").asDouble()).isZero();
        assertThat(csv.json().at("/thresholds/minPhaseSteps").asLong()).isEqualTo(50);

        Api.Response whole = api.postJson("/api/v1/analyses", "{\"series\": [" + series + "], \"thresholds\":"
                + " {\"minPhaseShare\": 1}}");
        assertThat(whole.status()).isEqualTo(400);
        assertThat(whole.body()).contains("/thresholds/minPhaseShare");
        Api.Response negative = api.post("/api/v1/analyses?minPhaseSteps=-1", "text/csv",
                "step,train_acc\n0,0.01\n");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body()).contains("minPhaseSteps");
    }

    @Test
    void theSpecsAnalysisSettingsCarryTheMinimumPhaseDurationToTheStoredRunsAnalysis() {
        Api.Response created = api.postJson("/api/v1/experiments",
                specWithAnalysis("\"minPhaseShare\": 0.05, \"minPhaseSteps\": 200"));
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        long id = created.json().get("id").asLong();
        assertThat(created.json().at("/spec/analysis/minPhaseShare").asDouble()).isEqualTo(0.05);
        // not to be trained: only its stored spec matters here
        jdbc.update("update job set status = 'SUCCEEDED', finished_at = now() where experiment_id = ?", id);
        JsonNode thresholds = api.get("/api/v1/experiments/" + id + "/analysis").json().get("thresholds");
        assertThat(thresholds.get("minPhaseShare").asDouble()).isEqualTo(0.05);
        assertThat(thresholds.get("minPhaseSteps").asLong()).isEqualTo(200);

        Api.Response refused = api.postJson("/api/v1/experiments", specWithAnalysis("\"minPhaseShare\": -0.5"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("minPhaseShare");
    }

    @Test
    void aWideCsvFromATrainingLogIsRead() {
        StringBuilder csv = new StringBuilder("step,train_acc,test_acc,lr\n");
        for (int s = 0; s <= 3000; s += 50) {
            csv.append(s).append(',').append(s >= 100 ? 1.0 : 0.1).append(',').append(s >= 2500 ? 1.0 : 0.02)
                    .append(",0.001\n");
        }
        Api.Response r = api.post("/api/v1/analyses", "text/csv", csv.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("verdict").asText()).isEqualTo("GROKKING");
        assertThat(r.json().get("generalizationStep").asLong()).isEqualTo(2500);
    }

    @Test
    void badCurvesAreRefusedNamingTheField() {
        Api.Response unsorted = api.postJson("/api/v1/analyses", "{\"series\": [{\"name\": \"train_acc\","
                + " \"steps\": [0, 200, 100], \"values\": [0, 1, 1]}]}");
        assertThat(unsorted.status()).isEqualTo(400);
        assertThat(unsorted.body()).contains("/series/0/steps/2");

        Api.Response duplicate = api.postJson("/api/v1/analyses", "{\"series\": [{\"name\": \"train_acc\","
                + " \"steps\": [0, 100, 100], \"values\": [0, 1, 1]}]}");
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.body()).contains("/series/0/steps/2").contains("repeats step 100");

        Api.Response lengths = api.postJson("/api/v1/analyses", "{\"series\": [{\"name\": \"train_acc\","
                + " \"steps\": [0, 100], \"values\": [0]}]}");
        assertThat(lengths.status()).isEqualTo(400);
        assertThat(lengths.body()).contains("/series/0/values");

        Api.Response nullValue = api.postJson("/api/v1/analyses", "{\"series\": [{\"name\": \"train_acc\","
                + " \"steps\": [0, 100], \"values\": [0, null]}]}");
        assertThat(nullValue.status()).isEqualTo(400);
        assertThat(nullValue.body()).contains("/series/0/values/1");

        Api.Response threshold = api.postJson("/api/v1/analyses", "{\"series\": [{\"name\": \"train_acc\","
                + " \"steps\": [0], \"values\": [0]}], \"thresholds\": {\"memorization\": 1.5}}");
        assertThat(threshold.status()).isEqualTo(400);
        assertThat(threshold.body()).contains("/thresholds/memorization");

        Api.Response infinite = api.post("/api/v1/analyses", "text/csv",
                "experiment_id,metric,step,value\n1,test_loss,0,Infinity\n");
        assertThat(infinite.status()).isEqualTo(400);
        assertThat(infinite.body()).contains("line 2, column value").contains("finite");

        Api.Response noHeader = api.post("/api/v1/analyses", "text/csv", "1,2,3\n");
        assertThat(noHeader.status()).isEqualTo(400);
        assertThat(noHeader.body()).contains("'step' column");

        StringBuilder tooMany = new StringBuilder("step");
        for (int i = 0; i <= CurveAnalysisController.MAX_SERIES; i++) {
            tooMany.append(",m").append(i);
        }
        tooMany.append('\n').append("0");
        for (int i = 0; i <= CurveAnalysisController.MAX_SERIES; i++) {
            tooMany.append(",1");
        }
        Api.Response many = api.post("/api/v1/analyses", "text/csv", tooMany.append('\n').toString());
        assertThat(many.status()).isEqualTo(400);
        assertThat(many.body()).contains("more than " + CurveAnalysisController.MAX_SERIES + " series");
    }
}
