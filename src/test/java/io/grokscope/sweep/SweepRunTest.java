package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.jobs.JobPoolDriver;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * A small real sweep (a+b mod 23, a tiny MLP, 2 weight decays × 2 train fractions × 2 seeds, 400 steps each) run to
 * completion through the job pool, then read back as cells, a phase diagram (JSON and SVG) and a summary (JSON and
 * CSV). Every aggregate is checked against the runs' own analyses, read from the experiment API.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepRunTest {

    private static final String X = "optimizer.weightDecay";
    private static final String Y = "task.trainFraction";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApplicationContext context;

    Api api;
    long sweepId;
    /** experiment id → its experiment as the experiment API shows it, after the sweep finished. */
    final Map<Long, JsonNode> experiments = new HashMap<>();

    @BeforeAll
    void runASmallSweep() {
        api = new Api(port);
        // other tests leave queued experiments (no worker runs them): cancel them so the polls below run ours
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
        Api.Response created = api.postJson("/api/v1/sweeps", """
                {"name": "run-mod23",
                 "base": {"task": {"operation": "ADD", "modulus": 23},
                          "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [32]},
                          "optimizer": {"learningRate": 0.01},
                          "training": {"steps": 400, "evalEvery": 10, "checkpointEvery": 400},
                          "analysis": {"progressMeasuresEvery": 0, "generalizationThreshold": 0.9,
                                       "grokkingMinDelay": 100}},
                 "axes": {"optimizer.weightDecay": [1, 2], "task.trainFraction": [0.5, 0.8]},
                 "seeds": [0, 1]}""");
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        sweepId = created.json().get("id").asLong();
        for (int i = 0; i < 8; i++) {
            assertThat(JobPoolDriver.runOnce(context, "sweep-run/0")).isTrue();
        }
        assertThat(JobPoolDriver.runOnce(context, "sweep-run/0")).isFalse();
        for (JsonNode cell : sweep().get("cells")) {
            for (JsonNode run : cell.get("experiments")) {
                long id = run.get("experimentId").asLong();
                experiments.put(id, api.get("/api/v1/experiments/" + id).json());
            }
        }
    }

    private JsonNode sweep() {
        return api.get("/api/v1/sweeps/" + sweepId).json();
    }

    /** The most common verdict among these experiments, ties to the one that learned less. */
    private static String majority(List<JsonNode> runs) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String verdict : List.of("CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION")) {
            counts.put(verdict, (int) runs.stream().filter(r -> r.get("verdict").asText().equals(verdict)).count());
        }
        return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                .reduce((a, b) -> b.getValue() > a.getValue() ? b : a).map(Map.Entry::getKey).orElseThrow();
    }

    private List<JsonNode> runsAt(double weightDecay, Double trainFraction) {
        return experiments.values().stream()
                .filter(e -> e.at("/spec/optimizer/weightDecay").asDouble() == weightDecay)
                .filter(e -> trainFraction == null || e.at("/spec/task/trainFraction").asDouble() == trainFraction)
                .toList();
    }

    private static List<Long> generalizationSteps(List<JsonNode> runs) {
        return runs.stream().map(r -> r.get("generalizationStep").isNull() ? null
                : r.get("generalizationStep").asLong()).toList();
    }

    @Test
    void everyRunFinishedAndEachCellSummarisesItsSeeds() {
        JsonNode sweep = sweep();

        assertThat(sweep.at("/progress/done").asInt()).isEqualTo(8);
        assertThat(sweep.at("/progress/succeeded").asInt()).isEqualTo(8);
        for (JsonNode cell : sweep.get("cells")) {
            List<JsonNode> runs = new ArrayList<>();
            cell.get("experiments").forEach(r -> runs.add(experiments.get(r.get("experimentId").asLong())));
            assertThat(runs).hasSize(2).allSatisfy(run -> {
                assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
                assertThat(run.get("verdict").asText()).isIn("CONFUSION", "MEMORIZATION", "GROKKING",
                        "COMPREHENSION");
            });
            assertThat(cell.get("verdict").asText()).isEqualTo(majority(runs));
            assertThat(cell.get("unanimous").asBoolean())
                    .isEqualTo(runs.get(0).get("verdict").equals(runs.get(1).get("verdict")));
            int counted = 0;
            for (var count : (Iterable<JsonNode>) () -> cell.get("verdictCounts").elements()) {
                counted += count.asInt();
            }
            assertThat(counted).isEqualTo(2);
            assertThat(cell.get("pending").asInt()).isZero();
            RunStatistic expected = RunStatistic.of(generalizationSteps(runs));
            assertThat(cell.at("/generalizationStep/reached").asInt()).isEqualTo(expected.reached());
            assertThat(cell.at("/generalizationStep/censored").asInt()).isEqualTo(expected.censored());
            if (expected.mean() != null) {
                assertThat(cell.at("/generalizationStep/mean").asDouble()).isEqualTo(expected.mean());
            } else {
                assertThat(cell.at("/generalizationStep/mean").isNull()).isTrue();
            }
            // the experiment's own analysis agrees with the headline stored on its row
            for (JsonNode run : runs) {
                JsonNode analysis = api.get("/api/v1/experiments/" + run.get("id").asLong() + "/analysis").json();
                assertThat(analysis.get("verdict").asText()).isEqualTo(run.get("verdict").asText());
            }
        }
    }

    @Test
    void thePhaseDiagramHasOneCellPerGridPointWithItsRunsVerdict() {
        Api.Response response = api.get("/api/v1/sweeps/" + sweepId + "/phase-diagram?x=" + X + "&y=" + Y
                + "&value=generalizationStep");

        assertThat(response.status()).isEqualTo(200);
        JsonNode diagram = response.json();
        assertThat(diagram.at("/x/path").asText()).isEqualTo(X);
        assertThat(diagram.at("/y/values")).extracting(JsonNode::asDouble).containsExactly(0.5, 0.8);
        assertThat(diagram.get("pooledAxes")).isEmpty();
        assertThat(diagram.get("rows")).hasSize(2);
        for (JsonNode row : diagram.get("rows")) {
            assertThat(row.get("cells")).hasSize(2);
            for (JsonNode cell : row.get("cells")) {
                List<JsonNode> runs = runsAt(cell.get("x").asDouble(), row.get("y").asDouble());
                assertThat(runs).hasSize(2);
                assertThat(cell.get("verdict").asText()).isEqualTo(majority(runs));
                assertThat(cell.get("experimentIds")).extracting(JsonNode::asLong)
                        .containsExactlyInAnyOrderElementsOf(runs.stream().map(r -> r.get("id").asLong()).toList());
                assertThat(cell.at("/statistic/n").asInt()).isEqualTo(2);
                assertThat(cell.at("/statistic/reached").asInt())
                        .isEqualTo((int) generalizationSteps(runs).stream().filter(Objects::nonNull).count());
            }
        }
    }

    @Test
    void theSvgDiagramIsWellFormedWithACellLabelledByEachVerdict() throws Exception {
        Api.Response response = api.get("/api/v1/sweeps/" + sweepId + "/phase-diagram?x=" + X + "&y=" + Y,
                "image/svg+xml");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("image/svg+xml");
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document svg = factory.newDocumentBuilder().parse(new InputSource(new StringReader(response.body())));
        NodeList texts = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> content = new ArrayList<>();
        for (int i = 0; i < texts.getLength(); i++) {
            content.add(texts.item(i).getTextContent());
        }
        assertThat(content).contains("run-mod23 — verdict", X, Y, "0.5", "0.8", "1", "2");
        JsonNode diagram = api.get("/api/v1/sweeps/" + sweepId + "/phase-diagram?x=" + X + "&y=" + Y).json();
        List<String> legend = List.of("CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION");
        for (String verdict : legend) {
            long cells = 0;
            for (JsonNode row : diagram.get("rows")) {
                for (JsonNode cell : row.get("cells")) {
                    cells += verdict.equals(cell.get("verdict").asText()) ? 1 : 0;
                }
            }
            // each verdict once in the legend, and once more per cell that has it
            assertThat(content.stream().filter(verdict::equals).count()).as(verdict).isEqualTo(cells + 1);
        }
    }

    @Test
    void theSummaryIsTheSpreadOverSeedsPerTrainFractionAsJsonAndCsv() {
        JsonNode series = api.get("/api/v1/sweeps/" + sweepId + "/summary?x=" + Y + "&value=generalizationStep"
                + "&where=" + X + "=1").json();

        assertThat(series.get("x").asText()).isEqualTo(Y);
        assertThat(series.at("/filters/" + X.replace("/", "~1")).asDouble()).isEqualTo(1.0);
        assertThat(series.get("points")).hasSize(2);
        for (JsonNode point : series.get("points")) {
            List<JsonNode> runs = runsAt(1, point.get("x").asDouble());
            RunStatistic expected = RunStatistic.of(generalizationSteps(runs));
            assertThat(point.at("/statistic/n").asInt()).isEqualTo(2);
            assertThat(point.at("/statistic/reached").asInt() + point.at("/statistic/censored").asInt()).isEqualTo(2);
            assertThat(point.at("/statistic/reached").asInt()).isEqualTo(expected.reached());
            assertThat(point.at("/statistic/mean").isNull()).isEqualTo(expected.mean() == null);
        }

        JsonNode pooled = api.get("/api/v1/sweeps/" + sweepId + "/summary?x=" + Y).json();
        assertThat(pooled.get("pooledAxes")).extracting(JsonNode::asText).containsExactly(X);
        assertThat(pooled.at("/points/0/statistic/n").asInt()).isEqualTo(4);

        Api.Response csv = api.get("/api/v1/sweeps/" + sweepId + "/summary?x=" + Y, "text/csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] lines = csv.body().split("\n");
        assertThat(lines[0]).isEqualTo("x,n,reached,censored,pending,excluded,mean,standard_deviation,min,max,median,"
                + "confusion,memorization,grokking,comprehension");
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 2; i++) {
            JsonNode point = pooled.get("points").get(i);
            String[] fields = lines[i + 1].split(",", -1);
            assertThat(fields).hasSize(15);
            assertThat(Double.parseDouble(fields[0])).isEqualTo(point.get("x").asDouble());
            assertThat(fields[1]).isEqualTo("4");
            assertThat(fields[2]).isEqualTo(point.at("/statistic/reached").asText());
            assertThat(fields[6]).isEqualTo(point.at("/statistic/mean").isNull() ? ""
                    : String.valueOf(point.at("/statistic/mean").asDouble()));
            assertThat(fields[13]).isEqualTo(point.at("/verdictCounts/GROKKING").asText());
        }
    }

    @Test
    void badDiagramAndSummaryParametersAreNamed() {
        String base = "/api/v1/sweeps/" + sweepId;
        assertThat(parameters(api.get(base + "/phase-diagram?x=" + X + "&y=" + X))).containsExactly("y");
        assertThat(parameters(api.get(base + "/phase-diagram?x=model.type&y=" + Y + "&value=loss")))
                .containsExactly("value", "x");
        assertThat(parameters(api.get(base + "/phase-diagram?x=" + X + "&y=" + Y + "&where=" + X + "=1")))
                .containsExactly("where");
        assertThat(parameters(api.get(base + "/summary?x=" + Y + "&value=verdict&where=" + X + "=0.3")))
                .containsExactly("value", "where");
        assertThat(parameters(api.get(base + "/summary?x=" + Y + "&where=nonsense", "text/csv")))
                .containsExactly("where");
        assertThat(api.get("/api/v1/sweeps/999999999/summary?x=" + Y).status()).isEqualTo(404);
        assertThat(api.get(base + "/phase-diagram?x=" + X + "&y=" + Y, "image/png").status()).isEqualTo(406);
    }

    private static List<String> parameters(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        List<String> names = new ArrayList<>();
        response.json().get("errors").forEach(e -> names.add(e.get("parameter").asText()));
        return names;
    }
}
