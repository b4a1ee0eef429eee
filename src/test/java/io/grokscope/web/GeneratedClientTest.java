package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grokscope.client.ApiClient;
import io.grokscope.client.ApiException;
import io.grokscope.client.api.AnalysisApi;
import io.grokscope.client.api.ExperimentsApi;
import io.grokscope.client.api.MetricsApi;
import io.grokscope.client.model.AnalysisSettings;
import io.grokscope.client.model.ExperimentMetrics;
import io.grokscope.client.model.ExperimentSpec;
import io.grokscope.client.model.ExperimentView;
import io.grokscope.client.model.MetricSeries;
import io.grokscope.client.model.MetricsComparison;
import io.grokscope.client.model.MlpSettings;
import io.grokscope.client.model.OptimizerSettings;
import io.grokscope.client.model.PhaseAnalysis;
import io.grokscope.client.model.Problem;
import io.grokscope.client.model.Spectrum;
import io.grokscope.client.model.TaskSettings;
import io.grokscope.client.model.TrainingSettings;
import io.grokscope.jobs.TestJobs;
import io.grokscope.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The API as a client generated from {@code openapi/grokscope.yaml} sees it (openapi-generator, Java, java.net.http;
 * generated into target/generated-test-sources at build time): every request here goes through that client, so a
 * contract the generator cannot represent, or a service that answers something the contract does not describe, fails
 * this test. The run is a tiny MLP on (a + b) mod 23, trained to its end by the shared context's job pool.
 */
@IntegrationTest
class GeneratedClientTest {

    private static final int STEPS = 400;
    private static final int EVAL_EVERY = 20;
    private static final int MODULUS = 23;

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    JdbcTemplate jdbc;

    ExperimentsApi experiments;
    MetricsApi metrics;
    AnalysisApi analysis;
    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient();
        client.updateBaseUri("http://localhost:" + port);
        experiments = new ExperimentsApi(client);
        metrics = new MetricsApi(client);
        analysis = new AnalysisApi(client);
        // The job pool is driven one claim at a time in tests: leave only this test's run in the queue.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    private static ExperimentSpec tinySpec(String name) {
        MlpSettings model = new MlpSettings().embedDim(16).hiddenDims(List.of(64));
        model.setType("MLP");
        return new ExperimentSpec()
                .name(name)
                .priority(100)
                .task(new TaskSettings().operation(TaskSettings.OperationEnum.ADD).modulus(MODULUS)
                        .trainFraction(0.5).seed(3L))
                .model(model)
                .optimizer(new OptimizerSettings().learningRate(0.003).weightDecay(0.5))
                .training(new TrainingSettings().steps(STEPS).evalEvery(EVAL_EVERY).checkpointEvery(100).seed(4L))
                .analysis(new AnalysisSettings().progressMeasuresEvery(100).grokkingMinDelay(100));
    }

    @Test
    void submitsPollsToCompletionAndReadsCurvesAndAnalysis() throws Exception {
        ExperimentView submitted = experiments.submitExperiment(tinySpec("generated-client"), null);

        assertThat(submitted.getStatus()).isEqualTo(ExperimentView.StatusEnum.QUEUED);
        assertThat(submitted.getSpec().getModel()).isInstanceOfSatisfying(MlpSettings.class, mlp -> {
            assertThat(mlp.getEmbedDim()).isEqualTo(16);
            assertThat(mlp.getActivation()).as("defaults are filled in").isEqualTo(MlpSettings.ActivationEnum.RELU);
        });
        long id = submitted.getId();

        Thread worker = new Thread(() -> TestJobs.runNext(context, "generated-client/0"));
        worker.start();
        ExperimentView finished = awaitFinished(id, Duration.ofSeconds(120));
        worker.join(30_000);

        assertThat(finished.getStatus()).as(finished.getError()).isEqualTo(ExperimentView.StatusEnum.SUCCEEDED);
        assertThat(finished.getProgress().getStep()).isEqualTo((long) STEPS);
        assertThat(finished.getFinishedAt()).isAfterOrEqualTo(finished.getStartedAt());

        ExperimentMetrics curves = metrics.getMetrics(id, List.of("train_acc", "test_acc", "train_loss"), null, null,
                null, null, null);
        Map<MetricSeries.NameEnum, MetricSeries> series = curves.getSeries().stream()
                .collect(Collectors.toMap(MetricSeries::getName, Function.identity()));
        assertThat(curves.getExperimentId()).isEqualTo(id);
        assertThat(series).containsOnlyKeys(MetricSeries.NameEnum.TRAIN_ACC, MetricSeries.NameEnum.TEST_ACC,
                MetricSeries.NameEnum.TRAIN_LOSS);
        List<Long> evalSteps = LongStream.rangeClosed(0, STEPS / EVAL_EVERY).map(i -> i * EVAL_EVERY).boxed().toList();
        MetricSeries trainAcc = series.get(MetricSeries.NameEnum.TRAIN_ACC);
        assertThat(trainAcc.getSteps()).containsExactlyElementsOf(evalSteps);
        assertThat(trainAcc.getValues()).hasSize(evalSteps.size()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
        assertThat(trainAcc.getDownsampled()).isNull();
        List<Double> loss = series.get(MetricSeries.NameEnum.TRAIN_LOSS).getValues();
        assertThat(loss.get(loss.size() - 1)).as("training lowered the loss").isLessThan(loss.get(0));

        MetricsComparison compared = metrics.compareMetrics(List.of(id), List.of("train_acc"), 5);
        assertThat(compared.getExperiments()).singleElement().satisfies(one -> {
            assertThat(one.getExperimentId()).isEqualTo(id);
            assertThat(one.getSeries().get(0).getDownsampled()).as("21 points into at most 5").isNotNull();
            assertThat(one.getSeries().get(0).getSteps()).hasSizeLessThanOrEqualTo(5);
        });

        PhaseAnalysis result = analysis.getAnalysis(id);
        assertThat(result.getExperimentId()).isEqualTo(id);
        assertThat(result.getVerdict()).isIn(PhaseAnalysis.VerdictEnum.CONFUSION,
                PhaseAnalysis.VerdictEnum.MEMORIZATION, PhaseAnalysis.VerdictEnum.GROKKING,
                PhaseAnalysis.VerdictEnum.COMPREHENSION);
        assertThat(result.getThresholds().getGrokkingMinDelay()).isEqualTo(100L);
        double memorization = result.getThresholds().getMemorization();
        assertThat(result.getMemorizationStep()).as("the first step from which train_acc stays at or above %s",
                memorization).isEqualTo(firstStepStayingAtOrAbove(trainAcc, memorization));
        if (trainAcc.getValues().get(trainAcc.getValues().size() - 1) == 1.0) {
            assertThat(result.getMemorizationStep()).isNotNull();
        }
        assertThat(result.getGeneralizationStep()).isEqualTo(firstStepStayingAtOrAbove(
                series.get(MetricSeries.NameEnum.TEST_ACC), result.getThresholds().getGeneralization()));
        assertThat(experiments.getExperiment(id).getVerdict()).hasToString(result.getVerdict().getValue());

        Spectrum spectrum = analysis.getSpectrum(id, null);
        assertThat(spectrum.getFrequencies()).hasSize((MODULUS - 1) / 2).startsWith(1);
        assertThat(spectrum.getEmbedNorms()).hasSize((MODULUS - 1) / 2);
        assertThat(spectrum.getMeasuredSteps()).contains((long) STEPS);

        assertThat(experiments.listExperiments("SUCCEEDED", "generated-client", null, null, null, null, null, 0, 20)
                .getItems()).extracting(ExperimentView::getId).contains(id);
        // Tags and spec filters through the generated client: the repeated query parameters it sends.
        experiments.annotateExperiment(id, new io.grokscope.client.model.ExperimentAnnotations()
                .tags(java.util.List.of("generated-client-" + id)).note("through the generated client"));
        assertThat(experiments.listExperiments(null, null, "ADD", null, null, java.util.List.of("generated-client-" + id),
                java.util.List.of("task.modulus=" + MODULUS), 0, 20).getItems()).extracting(ExperimentView::getId)
                .containsExactly(id);
        experiments.deleteExperiment(id);
        ApiException gone = catchThrowableOfType(ApiException.class, () -> experiments.getExperiment(id));
        assertThat(gone.getCode()).isEqualTo(404);
        Problem problem = client.getObjectMapper().readValue(gone.getResponseBody(), Problem.class);
        assertThat(problem.getStatus()).isEqualTo(404);
        assertThat(problem.getTitle()).isNotBlank();
    }

    @Test
    void anInvalidSpecIsRefusedWithTheFieldNamed() throws Exception {
        ExperimentSpec invalid = tinySpec("generated-client-invalid");
        invalid.getTask().modulus(1);

        ApiException refused = catchThrowableOfType(ApiException.class, () -> experiments.submitExperiment(invalid, null));

        assertThat(refused.getCode()).isEqualTo(400);
        assertThat(refused.getResponseHeaders().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(client.getObjectMapper().readTree(refused.getResponseBody()).get("errors")
                .findValuesAsText("pointer")).contains("/task/modulus");
    }

    private ExperimentView awaitFinished(long id, Duration timeout) throws ApiException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            ExperimentView experiment = experiments.getExperiment(id);
            boolean finished = switch (experiment.getStatus()) {
                case QUEUED, RUNNING -> false;
                case SUCCEEDED, FAILED, CANCELLED -> true;
            };
            if (finished || Instant.now().isAfter(deadline)) {
                return experiment;
            }
            Thread.sleep(200);
        }
    }

    /** The analysis's definition of a milestone: the first eval step from which the series never drops below. */
    private static Long firstStepStayingAtOrAbove(MetricSeries series, double threshold) {
        Long first = null;
        for (int i = series.getValues().size() - 1; i >= 0; i--) {
            Double value = series.getValues().get(i);
            if (value == null || value < threshold) {
                break;
            }
            first = series.getSteps().get(i);
        }
        return first;
    }
}
