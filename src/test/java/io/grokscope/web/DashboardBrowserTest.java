package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grokscope.jobs.TestJobs;
import io.grokscope.support.Api;
import io.grokscope.support.HeadlessChromium;
import io.grokscope.support.IntegrationTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and its {@code chromedriver}; Selenium downloads
 * nothing): the list shows a submitted run, the experiment page draws the run's own data with its phases shaded and
 * its progress measures (Σθ², excluded_loss_max, each frequency's excluded loss), a live run advances on screen without
 * a reload with its restricted/excluded loss marked provisional until its end, the form shows the server's validation
 * error at its field, the compare page overlays runs, and the "Analyse curves" page shows the verdict and shaded
 * phases of an uploaded CSV. Each page's screenshot is saved (see {@link #SCREENSHOTS}).
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    /**
     * Where screenshots go: target/screenshots on every run, so a test run leaves the working tree clean;
     * {@code -Dgrokscope.screenshots=docs/screenshots} refreshes the README's pictures.
     */
    private static final Path SCREENSHOTS = Path.of(System.getProperty("grokscope.screenshots",
            "target/screenshots"));

    /** A tiny MLP on (a + b) mod 23 that groks within a few seconds, with all three phases located. */
    /**
     * Steps of the runs the live tests follow: a faster trainer once finished a 1 500-step run between two of the
     * page's updates, so that it never showed a step before the last.
     */
    static final int LIVE_STEPS = 4000;

    static String tinyRun(String name, double weightDecay, int steps) {
        return """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.8, "seed": 3},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [64], "activation": "QUADRATIC"},
                 "optimizer": {"learningRate": 0.003, "weightDecay": %s},
                 "training": {"steps": %d, "evalEvery": 10, "checkpointEvery": 500, "seed": 4},
                 "analysis": {"progressMeasuresEvery": 10, "grokkingMinDelay": 50}}
                """.formatted(name, weightDecay, steps);
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    JdbcTemplate jdbc;

    Api api;
    HeadlessChromium chromium;
    ChromeDriver browser;
    long grokked;
    long noWeightDecay;

    @BeforeAll
    void startBrowserAndTrainTwoRuns() throws IOException {
        chromium = HeadlessChromium.start();
        browser = chromium.browser();
        api = new Api(port);

        grokked = train(tinyRun("dash-grokking-" + suffix(), 1.0, 1000));
        noWeightDecay = train(tinyRun("dash-no-decay-" + suffix(), 0.0, 300));
    }

    @AfterAll
    void stopBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
    }

    /** A page that threw or logged an error failed, whatever it shows; failed requests the test provoked are fine. */
    @AfterEach
    void noScriptErrors() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    @Test
    void theListShowsASubmittedRunAndFollowsItsStatus() throws IOException {
        String name = "dash-queued-" + suffix();
        // A row whose stored spec this service cannot read (an older schema's, or a foreign one) beside it: the list
        // shows it as such instead of failing to draw (found in the full suite, where such rows are left behind).
        long unreadable = jdbc.queryForObject("with e as (insert into experiment (name, spec, operation, model_type,"
                + " total_steps) values ('dash-unreadable', '{}'::jsonb, 'ADD', 'MLP', 1) returning id)"
                + " insert into job (experiment_id, status) select id, 'CANCELLED' from e returning experiment_id",
                Long.class);
        long id = submit(tinyRun(name, 1.0, 300));
        open("/");

        Map<String, Object> row = waitFor(() -> row(id));
        assertThat(row.get("name")).isEqualTo(name);
        assertThat((String) row.get("href")).endsWith("#/experiments/" + id);
        List<?> cells = (List<?>) row.get("cells");
        assertThat(cells.get(1)).isEqualTo("a + b mod 23");
        assertThat(cells.get(2)).isEqualTo("MLP 16 → 64");
        assertThat((String) cells.get(3)).contains("QUEUED").contains("0 / 300");
        assertThat(row.get("progressMax")).isEqualTo("300");
        assertThat(((List<?>) row(unreadable).get("cells")).get(1)).isEqualTo("(unreadable spec)");
        jdbc.update("delete from experiment where id = ?", unreadable);
        JsonNode grokkedView = api.get("/api/v1/experiments/" + grokked).json();
        assertThat(row(grokked).get("status")).isEqualTo("SUCCEEDED");
        assertThat(((List<?>) row(grokked).get("cells")).get(4)).isEqualTo(grokkedView.get("verdict").asText());
        screenshot("experiments");

        new Select(browser.findElement(By.id("filter-status"))).selectByValue("SUCCEEDED");
        // The page renders anew for the new filter: wait for its rows, not merely for the old ones to go.
        waitUntil(() -> row(grokked) != null && row(id) == null);
        assertThat(browser.getCurrentUrl()).endsWith("#/?status=SUCCEEDED");
        assertThat((List<?>) js("return [...document.querySelectorAll('tbody tr')].map((r) => r.dataset.status)"))
                .isNotEmpty().allSatisfy(status -> assertThat(status).isEqualTo("SUCCEEDED"));
        new Select(browser.findElement(By.id("filter-status"))).selectByValue("");
        waitFor(() -> row(id));

        // The list polls: a change made elsewhere shows up without a reload.
        api.post("/api/v1/experiments/" + id + "/cancel");
        waitUntil(() -> "CANCELLED".equals(row(id).get("status")));
    }

    @Test
    void theExperimentPageDrawsTheRunsCurvesWithItsPhasesShaded() throws IOException {
        JsonNode analysis = api.get("/api/v1/experiments/" + grokked + "/analysis").json();
        List<JsonNode> phases = located(analysis);
        assertThat(phases).as("the fixture run's located phases").isNotEmpty();
        open("/experiments/" + grokked);
        WebElement accuracy = waitFor(() -> browser.findElements(By.cssSelector("[data-chart='accuracy']")).stream()
                .findFirst().orElse(null));
        waitUntil(() -> accuracy.findElements(By.cssSelector(".annotations-under .band")).size() == phases.size()
                && ((Number) js("return arguments[0].uplot.data[0].length", accuracy)).intValue() > 0);

        // The series hold exactly the run's points, as the API serves them.
        JsonNode metrics = api.get("/api/v1/experiments/" + grokked + "/metrics?names=train_acc,test_acc").json();
        Map<String, Map<Long, Double>> drawn = drawnSeries(accuracy);
        for (JsonNode series : metrics.get("series")) {
            String label = series.get("name").asText().equals("train_acc") ? "train" : "test";
            Map<Long, Double> expected = new HashMap<>();
            for (int i = 0; i < series.get("steps").size(); i++) {
                expected.put(series.get("steps").get(i).asLong(), series.get("values").get(i).asDouble());
            }
            assertThat(expected).hasSize(101);
            assertThat(drawn.get(label)).as("points of %s", label).isEqualTo(expected);
        }

        // Both curves were painted onto the canvas in their colours.
        for (int series = 1; series <= 2; series++) {
            Number painted = (Number) js("""
                    const u = arguments[0].uplot, i = arguments[1];
                    const stroke = typeof u.series[i].stroke === 'function' ? u.series[i].stroke(u, i) : u.series[i].stroke;
                    const rgb = [1, 3, 5].map((k) => parseInt(stroke.slice(k, k + 2), 16));
                    const canvas = arguments[0].querySelector('canvas');
                    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                    let count = 0;
                    for (let p = 0; p < pixels.length; p += 4) {
                      if (pixels[p + 3] > 160 && rgb.every((c, k) => Math.abs(pixels[p + k] - c) < 40)) count++;
                    }
                    return count;""", accuracy, series);
            assertThat(painted.intValue()).as("pixels of series %d", series).isGreaterThan(100);
        }

        assertPhasesShaded(accuracy, phases);
        assertThat(browser.findElement(By.cssSelector("[data-field='verdict']")).getText())
                .isEqualTo(analysis.get("verdict").asText());
        if (!analysis.get("generalizationStep").isNull()) {
            assertThat(accuracy.findElements(By.cssSelector(".marker.generalization[data-at='"
                    + analysis.get("generalizationStep").asLong() + "']"))).hasSize(1);
        }

        // The spectrum's bars are the served norms, with the key frequencies marked.
        JsonNode spectrum = api.get("/api/v1/experiments/" + grokked + "/spectrum").json();
        WebElement bars = browser.findElement(By.cssSelector("[data-chart='spectrum']"));
        waitUntil(() -> ((Number) js("return arguments[0].uplot.data[0].length", bars)).intValue() > 0);
        assertThat(js("return arguments[0].uplot.data[0]", bars).toString())
                .isEqualTo(spectrum.get("frequencies").toString().replace(",", ", "));
        assertThat(bars.findElements(By.cssSelector(".band.key-frequency")))
                .hasSize(spectrum.get("keyFrequencies").size());

        // Beside it, each frequency's excluded loss as served with the spectrum, and which one is the largest.
        WebElement excludedBars = browser.findElement(By.cssSelector("[data-chart='spectrum-excluded']"));
        waitUntil(() -> ((Number) js("return arguments[0].uplot.data[0].length", excludedBars)).intValue() > 0);
        Map<Long, Double> perFrequency = new HashMap<>();
        for (int i = 0; i < spectrum.get("frequencies").size(); i++) {
            perFrequency.put(spectrum.get("frequencies").get(i).asLong(),
                    spectrum.get("excludedLosses").get(i).asDouble());
        }
        assertThat(perFrequency).hasSize(11);
        assertThat(drawnSeries(excludedBars).get("loss without frequency k")).isEqualTo(perFrequency);
        long largest = perFrequency.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(text("[data-field='excluded-loss-max']")).contains("without k=" + largest + ":");

        // The whole-run progress measures: restricted and excluded loss (final key set, no longer provisional) with
        // excluded_loss_max on one log chart, and Σθ² on its own, each exactly the served points.
        WebElement keyLosses = browser.findElement(By.cssSelector("[data-chart='key-frequency-loss']"));
        Map<String, Map<Long, Double>> drawnLosses = drawnSeries(keyLosses);
        Map<String, Map<Long, Double>> servedLosses = served(grokked,
                "restricted_loss,excluded_loss,excluded_loss_max", true);
        assertThat(drawnLosses.get("restricted")).isEqualTo(servedLosses.get("restricted_loss"));
        assertThat(drawnLosses.get("excluded")).isEqualTo(servedLosses.get("excluded_loss"));
        assertThat(drawnLosses.get("excluded, largest single frequency"))
                .isEqualTo(servedLosses.get("excluded_loss_max")).hasSize(101);
        assertThat(keyLosses.getAttribute("data-provisional")).isEmpty();
        assertThat(keyLosses.findElements(By.cssSelector(".chart-note"))).isEmpty();
        WebElement sumOfSquares = browser.findElement(By.cssSelector("[data-chart='weight-norm-sq']"));
        assertThat(drawnSeries(sumOfSquares).get("all weights Σθ²"))
                .isEqualTo(served(grokked, "weight_norm_sq", false).get("weight_norm_sq")).hasSize(101);
        screenshot("experiment");

        // Log-scale steps: the x axis becomes logarithmic and step 0 leaves the plot.
        browser.findElement(By.id("log-x")).click();
        waitUntil(() -> Long.valueOf(3).equals(js("return arguments[0].uplot.scales.x.distr",
                browser.findElement(By.cssSelector("[data-chart='accuracy']")))));
        assertThat(((Number) js("return document.querySelector(\"[data-chart='accuracy']\").uplot.data[0][0]"))
                .longValue()).isPositive();
        browser.findElement(By.id("log-x")).click();
    }

    @Test
    void aLiveRunAdvancesOnScreenWithoutAReload() throws Exception {
        cancelQueued();
        // Long enough that the page, fed every half second, sees steps between the first and the last on any machine.
        long id = submit(tinyRun("dash-live-" + suffix(), 1.0, LIVE_STEPS));
        open("/experiments/" + id);
        waitFor(() -> browser.findElements(By.cssSelector("[data-field='verdict']")).stream().findFirst().orElse(null));
        assertThat(text(".run-status [data-field='status']")).isEqualTo("QUEUED");
        js("window.sameDocument = true");
        // Every marking the restricted/excluded chart takes, recorded as it happens: the run may train faster than
        // the test polls.
        js("""
                window.provisionalMarks = [];
                const figure = document.querySelector("[data-chart='key-frequency-loss']");
                new MutationObserver(() => {
                  const note = figure.querySelector('.chart-note');
                  window.provisionalMarks.push({ series: figure.dataset.provisional, note: note && note.textContent,
                    status: document.querySelector(".run-status [data-field='status']").textContent });
                }).observe(figure, { attributes: true, attributeFilter: ['data-provisional'], childList: true });""");

        Thread training = new Thread(() -> TestJobs.runNext(context, "dashboard/0"), "dashboard-live-run");
        training.start();
        try {
            long first = waitFor(() -> stepOnScreen() > 0 && stepOnScreen() < LIVE_STEPS ? stepOnScreen() : null);
            int pointsThen = accuracyPoints();
            long later = waitFor(() -> stepOnScreen() > first ? stepOnScreen() : null);
            waitUntil(() -> accuracyPoints() > pointsThen);
            assertThat(later).isGreaterThan(first);
            assertThat(text(".run-status [data-field='status']")).isIn("RUNNING", "SUCCEEDED");
            assertThat(js("return window.sameDocument === true")).as("the page was not reloaded").isEqualTo(true);
            waitUntil(() -> "SUCCEEDED".equals(text(".run-status [data-field='status']")));
            assertThat(stepOnScreen()).isEqualTo(LIVE_STEPS);
            assertThat(accuracyPoints()).isEqualTo(LIVE_STEPS / 10 + 1);
            assertThat(js("return window.sameDocument === true")).isEqualTo(true);

            // While it trained, restricted and excluded loss were marked provisional, as the API marks them; at its
            // end the page shows the whole-run values (final key set at every stored step) without the mark.
            WebElement keyLosses = browser.findElement(By.cssSelector("[data-chart='key-frequency-loss']"));
            waitUntil(() -> "".equals(keyLosses.getAttribute("data-provisional")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> marks = (List<Map<String, Object>>) js("return window.provisionalMarks");
            assertThat(marks).as("markings while running").anySatisfy(mark -> {
                assertThat(mark.get("status")).isEqualTo("RUNNING");
                assertThat(mark.get("series")).isEqualTo("restricted_loss excluded_loss");
                assertThat((String) mark.get("note")).startsWith("Provisional: restricted and excluded use each"
                        + " step's own key set");
            });
            assertThat(keyLosses.findElements(By.cssSelector(".chart-note"))).isEmpty();
            assertThat(api.get("/api/v1/experiments/" + id + "/metrics?names=restricted_loss").json()
                    .get("provisional")).isEmpty();
            Map<String, Map<Long, Double>> wholeRun = served(id, "restricted_loss,excluded_loss", true);
            assertThat(served(id, "restricted_loss", false).get("restricted_loss")).hasSize(LIVE_STEPS / 10 + 1);
            waitUntil(() -> drawnSeries(keyLosses).get("restricted").equals(wholeRun.get("restricted_loss")));
            assertThat(drawnSeries(keyLosses).get("excluded")).isEqualTo(wholeRun.get("excluded_loss"));
        } finally {
            training.join(120_000);
        }
    }

    @Test
    void theCancelButtonCancelsAQueuedRun() {
        long id = submit(tinyRun("dash-cancel-" + suffix(), 1.0, 300));
        open("/experiments/" + id);
        WebElement cancel = waitFor(() -> browser.findElements(By.xpath("//button[text()='Cancel run']")).stream()
                .findFirst().orElse(null));
        cancel.click();
        browser.switchTo().alert().accept();
        waitUntil(() -> "CANCELLED".equals(text(".run-status [data-field='status']")));
        assertThat(cancel.isDisplayed()).isFalse();
        assertThat(api.get("/api/v1/experiments/" + id).json().get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void theFormShowsTheServersValidationErrorsNextToTheirFields() throws IOException {
        open("/new");
        new Select(browser.findElement(By.id("preset"))).selectByValue("nanda");
        new Select(browser.findElement(By.id("preset-grokfast"))).selectByValue("EMA");
        browser.findElement(By.xpath("//button[text()='Apply preset']")).click();
        assertThat(browser.findElement(By.id("field-optimizer-gradientFilter-alpha-ema")).getAttribute("value"))
                .isEqualTo("0.98");
        String name = "dash-form-" + suffix();
        WebElement nameField = browser.findElement(By.id("field-name"));
        nameField.clear();
        nameField.sendKeys(name);
        WebElement heads = browser.findElement(By.id("field-model-heads-transformer"));
        heads.clear();
        heads.sendKeys("3");
        WebElement rate = browser.findElement(By.id("field-optimizer-learningRate"));
        rate.clear();
        rate.sendKeys("-1");
        browser.findElement(By.cssSelector("button[type='submit']")).click();

        WebElement headsError = waitFor(() -> visible(browser.findElement(By.id("field-model-heads-transformer-error"))));
        assertThat(headsError.getText()).isEqualTo("must divide dModel (128)");
        assertThat(heads.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(heads.getAttribute("aria-describedby")).contains(headsError.getAttribute("id"));
        assertThat(headsError.findElement(By.xpath("..")).getAttribute("data-pointer")).isEqualTo("/model/heads");
        assertThat(browser.findElement(By.id("field-optimizer-learningRate-error")).getText()).isNotBlank();
        assertThat(browser.findElement(By.cssSelector(".error-summary")).getText())
                .contains("Heads: must divide dModel (128)");
        assertThat(browser.findElement(By.id("field-model-dModel-transformer-error")).isDisplayed()).isFalse();
        screenshot("new-experiment");

        // Corrected, the spec is accepted and the page moves to the new run.
        heads.clear();
        heads.sendKeys("4");
        rate.clear();
        rate.sendKeys("0.001");
        browser.findElement(By.cssSelector("button[type='submit']")).click();
        waitUntil(() -> browser.getCurrentUrl().matches(".*#/experiments/\\d+$"));
        long id = Long.parseLong(browser.getCurrentUrl().replaceAll(".*/", ""));
        JsonNode created = api.get("/api/v1/experiments/" + id).json();
        assertThat(created.get("name").asText()).isEqualTo(name);
        assertThat(created.at("/spec/model/heads").asInt()).isEqualTo(4);
        assertThat(created.at("/spec/optimizer/gradientFilter/type").asText()).isEqualTo("EMA");
        assertThat(created.at("/spec/task/modulus").asInt()).isEqualTo(113);
        api.post("/api/v1/experiments/" + id + "/cancel");
    }

    @Test
    void theComparePageOverlaysOneMetricOfSeveralRuns() throws IOException {
        open("/compare?ids=" + grokked + "," + noWeightDecay + "&metric=test_acc");
        WebElement chart = waitFor(() -> browser.findElements(By.cssSelector("[data-chart='compare']")).stream()
                .findFirst().orElse(null));
        waitUntil(() -> ((Number) js("return arguments[0].uplot.data[0].length", chart)).intValue() > 0);
        assertThat(browser.findElement(By.id("run-" + grokked)).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("run-" + noWeightDecay)).isSelected()).isTrue();
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) js("return arguments[0].uplot.series.slice(1).map((s) => s.label)", chart);
        assertThat(labels).hasSize(2);
        assertThat(labels.get(0)).startsWith("#" + grokked + " dash-grokking-");
        assertThat(labels.get(1)).startsWith("#" + noWeightDecay + " dash-no-decay-");
        Map<String, Map<Long, Double>> drawn = drawnSeries(chart);
        JsonNode served = api.get("/api/v1/metrics?experiments=" + grokked + "," + noWeightDecay + "&names=test_acc")
                .json().get("experiments");
        for (int run = 0; run < 2; run++) {
            JsonNode series = served.get(run).get("series").get(0);
            Map<Long, Double> expected = new HashMap<>();
            for (int i = 0; i < series.get("steps").size(); i++) {
                expected.put(series.get("steps").get(i).asLong(), series.get("values").get(i).asDouble());
            }
            assertThat(drawn.get(labels.get(run))).isEqualTo(expected);
        }
        screenshot("compare");

        // Another metric, one run fewer: the chart and the shareable URL follow.
        new Select(browser.findElement(By.id("compare-metric"))).selectByValue("train_loss");
        browser.findElement(By.id("run-" + noWeightDecay)).click();
        waitUntil(() -> browser.getCurrentUrl().endsWith("#/compare?ids=" + grokked + "&metric=train_loss"));
        WebElement redrawn = waitFor(() -> browser.findElements(By.cssSelector("[data-chart='compare']")).stream()
                .filter(e -> ((Number) js("return arguments[0].uplot.series.length", e)).intValue() == 2)
                .findFirst().orElse(null));
        assertThat(redrawn.findElement(By.tagName("figcaption")).getText()).isEqualTo("train_loss (log scale)");

        // The measure that needs no key set is offered too, on a log scale like the other losses.
        new Select(browser.findElement(By.id("compare-metric"))).selectByValue("excluded_loss_max");
        waitUntil(() -> browser.getCurrentUrl().endsWith("#/compare?ids=" + grokked + "&metric=excluded_loss_max"));
        WebElement worst = waitFor(() -> browser.findElements(By.cssSelector("[data-chart='compare']")).stream()
                .filter(e -> e.findElement(By.tagName("figcaption")).getText().startsWith("excluded_loss_max"))
                .findFirst().orElse(null));
        assertThat(worst.findElement(By.tagName("figcaption")).getText()).isEqualTo("excluded_loss_max (log scale)");
        waitUntil(() -> ((Number) js("return arguments[0].uplot.data[0].length", worst)).intValue() > 0);
        assertThat(((Number) js("return arguments[0].uplot.scales.y.distr", worst)).intValue()).isEqualTo(3);
        Map<String, Map<Long, Double>> drawnWorst = drawnSeries(worst);
        assertThat(drawnWorst).hasSize(1);
        assertThat(drawnWorst.values().iterator().next())
                .isEqualTo(served(grokked, "excluded_loss_max", true).get("excluded_loss_max"));
    }

    /**
     * The "Analyse curves" page on curves trained elsewhere: the committed Nanda reproduction rewritten as a training
     * log's wide table (a step column, one column per metric, empty cells where a metric was not measured) is uploaded
     * as a file; the page shows the service's verdict for it and draws its curves with the phases shaded.
     */
    @Test
    void theAnalysePageShowsTheVerdictOfAnUploadedCsvWithItsPhasesShaded() throws IOException {
        Map<String, Map<Long, Double>> curves = longCsv(Path.of("docs/reproductions/nanda/metrics.csv"));
        Path log = Files.createTempFile("nanda-training-log-", ".csv");
        try {
            Files.writeString(log, wideCsv(curves));
            JsonNode analysis = api.post("/api/v1/analyses", "text/csv", Files.readString(log)).json();
            assertThat(analysis.get("verdict").asText()).as("the Nanda run groks").isEqualTo("GROKKING");
            List<JsonNode> phases = located(analysis);
            assertThat(phases).extracting(p -> p.get("name").asText()).containsExactly("MEMORIZATION",
                    "CIRCUIT_FORMATION", "CLEANUP");

            open("/analyse");
            WebElement file = waitFor(() -> browser.findElements(By.id("curves-file")).stream().findFirst()
                    .orElse(null));
            file.sendKeys(log.toAbsolutePath().toString());
            waitUntil(() -> text(".run-status").endsWith("analysed."));

            assertThat(text("[data-field='verdict']")).isEqualTo("GROKKING");
            assertThat(text("[data-field='verdict-reason']")).isEqualTo(analysis.get("verdictReason").asText());
            assertThat(text("[data-field='generalization-step']")).isNotEqualTo("—");
            WebElement accuracy = browser.findElement(By.cssSelector("[data-chart='accuracy']"));
            waitUntil(() -> accuracy.findElements(By.cssSelector(".annotations-under .band")).size() == phases.size()
                    && ((Number) js("return arguments[0].uplot.data[0].length", accuracy)).intValue() > 0);
            // the curves drawn are the uploaded file's
            Map<String, Map<Long, Double>> drawn = drawnSeries(accuracy);
            assertThat(drawn.get("train")).isEqualTo(curves.get("train_acc"));
            assertThat(drawn.get("test")).isEqualTo(curves.get("test_acc"));
            assertPhasesShaded(accuracy, phases);
            @SuppressWarnings("unchecked")
            List<String> listed = (List<String>) js("return [...document.querySelectorAll('.phases li > strong')]"
                    + ".map((e) => e.textContent)");
            assertThat(listed).containsExactly("Memorization", "Circuit formation", "Cleanup");
            screenshot("analyse");
        } finally {
            Files.delete(log);
        }
    }

    @Test
    void theSweepPageShowsThePhaseDiagramAndTheSummary() throws IOException {
        cancelQueued();
        String name = "dash-sweep-" + suffix();
        String base = tinyRun(name, 1.0, 1000).replaceFirst("\\{\"name\": \"[^\"]+\", ", "{");
        Api.Response created = api.postJson("/api/v1/sweeps", "{\"name\": \"" + name + "\", \"base\": " + base
                + ", \"axes\": {\"optimizer.weightDecay\": [0, 1], \"task.trainFraction\": [0.8]}, \"seeds\": [0]}");
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        long id = created.json().get("id").asLong();
        while (TestJobs.runNext(context, "dashboard/0")) {
            // both cells' runs, one at a time
        }

        open("/sweeps");
        WebElement row = waitFor(() -> browser.findElements(By.cssSelector("[data-sweep='" + id + "']")).stream()
                .findFirst().orElse(null));
        assertThat(row.getText()).contains(name, "2 / 2 done");

        open("/sweeps/" + id);
        WebElement svg = waitFor(() -> browser.findElements(By.cssSelector("[data-figure='phase-diagram'] svg"))
                .stream().findFirst().orElse(null));
        // The service's diagram, placed as is: one coloured cell per grid point, with the axis titles.
        String served = api.get("/api/v1/sweeps/" + id + "/phase-diagram?x=optimizer.weightDecay&y=task.trainFraction",
                "image/svg+xml").body();
        assertThat(svg.getText()).contains("optimizer.weightDecay", "task.trainFraction");
        assertThat(served).contains("optimizer.weightDecay");
        List<WebElement> means = waitFor(() -> {
            List<WebElement> cells = browser.findElements(By.cssSelector("[data-table='summary'] [data-field='mean']"));
            return cells.isEmpty() ? null : cells;
        });
        JsonNode summary = api.get("/api/v1/sweeps/" + id + "/summary?x=optimizer.weightDecay&value=generalizationStep")
                .json();
        assertThat(means).hasSize(summary.get("points").size());
        // With weight decay the tiny run groks (as the fixture run does), so at least one mean is a number.
        assertThat(summary.findValues("mean")).anySatisfy(mean -> assertThat(mean.isNumber()).isTrue());
        for (int i = 0; i < means.size(); i++) {
            JsonNode mean = summary.at("/points/" + i + "/statistic/mean");
            assertThat(means.get(i).getText()).isEqualTo(mean.isNull() ? "—" : Long.toString(Math.round(mean.asDouble())));
        }
        screenshot("sweep");
    }

    @Test
    void theSweepPageDrawsSeedBandsPerCell() throws IOException {
        cancelQueued();
        String name = "dash-bands-" + suffix();
        String base = tinyRun(name, 1.0, 1000).replaceFirst("\\{\"name\": \"[^\"]+\", ", "{");
        Api.Response created = api.postJson("/api/v1/sweeps", "{\"name\": \"" + name + "\", \"base\": " + base
                + ", \"axes\": {\"optimizer.weightDecay\": [0, 1]}, \"seeds\": [0, 1, 2]}");
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        long id = created.json().get("id").asLong();
        while (TestJobs.runNext(context, "dashboard/0")) {
            // every cell's seeds, one run at a time
        }

        open("/sweeps/" + id);
        // Two cells, each drawn as five series (mean, ±sd, max, min) with two shaded fills, over its three seeds.
        WebElement chart = waitFor(() -> browser.findElements(By.cssSelector("[data-chart='sweep-bands']")).stream()
                .filter(e -> ((Number) js("return arguments[0].uplot.series.length", e)).intValue() == 11)
                .findFirst().orElse(null));
        assertThat(((Number) js("return arguments[0].uplot.bands.length", chart)).intValue()).isEqualTo(4);
        assertThat(chart.findElement(By.tagName("figcaption")).getText()).isEqualTo("test_acc per cell, over seeds");
        JsonNode bands = api.get("/api/v1/sweeps/" + id + "/bands?metric=test_acc").json();
        double lastMean = bands.at("/groups/1/band/mean").get(bands.at("/groups/1/band/mean").size() - 1).asDouble();
        // The drawn mean of the second cell ends where the service's band ends.
        Number drawn = (Number) js("const d = arguments[0].uplot.data[6]; return d[d.length - 1]", chart);
        assertThat(drawn.doubleValue()).isCloseTo(lastMean, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(bands.at("/groups/1/band/n").get(0).asInt()).isEqualTo(3);
        screenshot("seed-bands");
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private long submit(String spec) {
        Api.Response response = api.postJson("/api/v1/experiments", spec);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    /** Submits and trains a run to its end; queued runs of other tests are cancelled first so this one is claimed. */
    private long train(String spec) {
        cancelQueued();
        long id = submit(spec);
        assertThat(TestJobs.runNext(context, "dashboard/0")).isTrue();
        assertThat(api.get("/api/v1/experiments/" + id).json().get("status").asText()).isEqualTo("SUCCEEDED");
        return id;
    }

    private void cancelQueued() {
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    /** A fresh document at a dashboard route (a hash change alone would keep the previous page's state). */
    private void open(String route) {
        browser.get("about:blank");
        browser.get("http://localhost:" + port + "/#" + route);
    }

    private Object js(String script, Object... arguments) {
        return chromium.js(script, arguments);
    }

    private <T> T waitFor(Supplier<T> found) {
        return chromium.waitFor(found);
    }

    private void waitUntil(Supplier<Boolean> condition) {
        chromium.waitUntil(condition);
    }

    private static WebElement visible(WebElement element) {
        return element.isDisplayed() ? element : null;
    }

    private String text(String css) {
        return chromium.text(css);
    }

    /** The list's row of a run as {name, href, status, cells, progressMax}, read in one script; null when absent. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> row(long id) {
        return (Map<String, Object>) js("""
                const row = document.querySelector(`tr[data-experiment-id='${arguments[0]}']`);
                return row && { name: row.querySelector('a').textContent, href: row.querySelector('a').href,
                  status: row.dataset.status, cells: [...row.cells].map((td) => td.innerText),
                  progressMax: row.querySelector('progress')?.getAttribute('max') ?? null };""", id);
    }

    private long stepOnScreen() {
        return Long.parseLong(text(".run-status [data-field='step']"));
    }

    private int accuracyPoints() {
        return ((Number) js("return document.querySelector(\"[data-chart='accuracy']\").uplot.data[1]"
                + ".filter((v) => v !== null).length")).intValue();
    }

    /** Each series of a chart as step → value, read from uPlot's own data (its nulls are gaps, not points). */
    @SuppressWarnings("unchecked")
    private Map<String, Map<Long, Double>> drawnSeries(WebElement chart) {
        Map<String, Object> data = (Map<String, Object>) js("""
                const u = arguments[0].uplot;
                return { labels: u.series.slice(1).map((s) => s.label), data: u.data };""", chart);
        List<String> labels = (List<String>) data.get("labels");
        List<List<Number>> columns = (List<List<Number>>) data.get("data");
        Map<String, Map<Long, Double>> series = new HashMap<>();
        for (int s = 0; s < labels.size(); s++) {
            Map<Long, Double> points = new HashMap<>();
            for (int i = 0; i < columns.get(0).size(); i++) {
                Number value = columns.get(s + 1).get(i);
                if (value != null) {
                    points.put(columns.get(0).get(i).longValue(), value.doubleValue());
                }
            }
            series.put(labels.get(s), points);
        }
        return series;
    }

    /** The phases of an analysis that have a located start, in order: the ones the charts shade. */
    private static List<JsonNode> located(JsonNode analysis) {
        List<JsonNode> phases = new ArrayList<>();
        analysis.get("phases").forEach(p -> {
            if (!p.get("startStep").isNull()) {
                phases.add(p);
            }
        });
        return phases;
    }

    /**
     * One shaded band per located phase on the chart, where the analysis put it, labelled, and visibly painted (see
     * {@link #shadedShare}). The chart is scrolled into view first: an element's screenshot holds only what the
     * viewport shows of it.
     */
    private void assertPhasesShaded(WebElement chart, List<JsonNode> phases) throws IOException {
        js("arguments[0].scrollIntoView({block: 'start'})", chart);
        List<?> bands = (List<?>) js("""
                const figure = arguments[0].getBoundingClientRect();
                return [...arguments[0].querySelectorAll('.annotations-under .band')].map((b) => {
                  const r = b.getBoundingClientRect();
                  return { from: b.dataset.from, label: b.querySelector('.band-label').textContent,
                           edge: b.querySelector('.band-edge')?.textContent ?? null,
                           colour: getComputedStyle(b).backgroundColor,
                           x: Math.round(r.left + r.width / 2 - figure.left), top: Math.round(r.top - figure.top),
                           height: Math.round(r.height), width: r.width };
                });""", chart);
        assertThat(bands).hasSize(phases.size());
        BufferedImage picture = ImageIO.read(new ByteArrayInputStream(chart.getScreenshotAs(OutputType.BYTES)));
        for (int i = 0; i < phases.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> band = (Map<String, Object>) bands.get(i);
            JsonNode phase = phases.get(i);
            assertThat(band.get("from")).isEqualTo(phase.get("startStep").asText());
            assertThat(band.get("label")).isEqualTo(words(phase.get("name").asText()));
            assertThat(((Number) band.get("width")).doubleValue()).isGreaterThan(2);
            if (phase.get("startStep").asLong() > 0) {
                assertThat(band.get("edge")).as("boundary label").isNotNull();
            }
            assertThat(shadedShare(picture, band)).as("share of %s's column painted in its tint", band.get("label"))
                    .isGreaterThan(0.6);
        }
    }

    /** The curves of the service's CSV export (experiment_id,metric,step,value) as metric → step → value. */
    private static Map<String, Map<Long, Double>> longCsv(Path export) throws IOException {
        Map<String, Map<Long, Double>> curves = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(export).subList(1, Files.readAllLines(export).size())) {
            String[] cells = line.split(",");
            curves.computeIfAbsent(cells[1], m -> new HashMap<>()).put(Long.parseLong(cells[2]),
                    Double.parseDouble(cells[3]));
        }
        return curves;
    }

    /** The curves as a training log's wide table: step, then one column per metric, empty where not measured. */
    private static String wideCsv(Map<String, Map<Long, Double>> curves) {
        java.util.SortedSet<Long> steps = new java.util.TreeSet<>();
        curves.values().forEach(points -> steps.addAll(points.keySet()));
        StringBuilder table = new StringBuilder("step,").append(String.join(",", curves.keySet())).append('\n');
        for (long step : steps) {
            table.append(step);
            for (Map<Long, Double> points : curves.values()) {
                table.append(',').append(points.containsKey(step) ? points.get(step).toString() : "");
            }
            table.append('\n');
        }
        return table.toString();
    }

    /**
     * The named series of a run as the API serves them to the page (the same default downsampling), as step → value;
     * with {@code logScale} only the positive values, the ones a log axis draws.
     */
    private Map<String, Map<Long, Double>> served(long id, String names, boolean logScale) {
        Map<String, Map<Long, Double>> served = new HashMap<>();
        for (JsonNode series : api.get("/api/v1/experiments/" + id + "/metrics?names=" + names).json().get("series")) {
            Map<Long, Double> points = new HashMap<>();
            for (int i = 0; i < series.get("steps").size(); i++) {
                JsonNode value = series.get("values").get(i);
                if (!value.isNull() && (!logScale || value.asDouble() > 0)) {
                    points.put(series.get("steps").get(i).asLong(), value.asDouble());
                }
            }
            served.put(series.get("name").asText(), points);
        }
        return served;
    }

    /** The share of a band's centre column, in the element's screenshot, that shows the band's tint over white. */
    private static double shadedShare(BufferedImage picture, Map<String, Object> band) {
        String[] rgba = band.get("colour").toString().replaceAll("[^0-9.,]", "").split(",");
        double alpha = Double.parseDouble(rgba[3]);
        int[] expected = new int[3];
        for (int k = 0; k < 3; k++) {
            expected[k] = (int) Math.round(alpha * Double.parseDouble(rgba[k]) + (1 - alpha) * 255);
        }
        // a band without a tint (transparent, or white) would "match" the empty plot behind it
        assertThat(255 - java.util.Arrays.stream(expected).min().orElse(255)).as("how far %s's tint is from white",
                band.get("label")).isGreaterThan(6);
        int x = ((Number) band.get("x")).intValue();
        int top = ((Number) band.get("top")).intValue();
        int height = ((Number) band.get("height")).intValue();
        // The band may reach past the charted element's box (the screenshot's edge): only its visible part counts.
        assertThat(x).as("band centre inside the picture %s", band).isBetween(0, picture.getWidth() - 1);
        int from = Math.max(0, top);
        int to = Math.min(picture.getHeight(), top + height);
        assertThat(to - from).as("visible rows of %s in a %dx%d picture", band, picture.getWidth(),
                picture.getHeight()).isGreaterThan(Math.min(height, picture.getHeight()) / 2);
        height = to - from;
        top = from;
        int matching = 0;
        for (int y = top; y < top + height; y++) {
            int pixel = picture.getRGB(x, y);
            int[] rgb = { (pixel >> 16) & 0xff, (pixel >> 8) & 0xff, pixel & 0xff };
            boolean tinted = true;
            for (int k = 0; k < 3; k++) {
                tinted &= Math.abs(rgb[k] - expected[k]) <= 6;
            }
            matching += tinted ? 1 : 0;
        }
        return height == 0 ? 0 : (double) matching / height;
    }

    /** The page's whole length in one picture, for the README. */
    private void screenshot(String name) throws IOException {
        Dimension window = browser.manage().window().getSize();
        long height = (Long) js("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(height + 140, 4000)));
        // Let the charts follow the new size before the picture is taken.
        js("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))");
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        browser.manage().window().setSize(window);
    }

    private static String words(String phase) {
        String lower = phase.toLowerCase().replace('_', ' ');
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
