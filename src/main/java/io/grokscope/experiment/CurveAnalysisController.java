package io.grokscope.experiment;

import io.grokscope.analysis.CurveTable;
import io.grokscope.analysis.Metric;
import io.grokscope.analysis.MetricHistory;
import io.grokscope.analysis.PhaseAnalysis;
import io.grokscope.analysis.PhaseAnalyzer;
import io.grokscope.analysis.PhaseThresholds;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.ServiceLimits;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/analyses}: the analysis of curves trained anywhere (PyTorch, JAX, this service), answered with
 * exactly the JSON of {@code /experiments/{id}/analysis}. The curves come as the {@code /metrics} series shape in JSON
 * or as the CSV export ({@code text/csv}); thresholds in the body (JSON) or as query parameters (CSV), the spec's
 * defaults otherwise. Nothing is stored: the analysis is a pure function of the request.
 */
@RestController
@Validated
class CurveAnalysisController {

    /** Series one request may carry: every metric name of the vocabulary, with room for a log's extra columns. */
    static final int MAX_SERIES = 64;
    private static final String CSV = "text/csv";

    private final ServiceLimits limits;

    CurveAnalysisController(ServiceLimits limits) {
        this.limits = limits;
    }

    /** One curve: the shape of a series in {@code GET /experiments/{id}/metrics}. */
    @Schema(description = "One metric's curve, as `/metrics` returns it.")
    record CurveInput(@Schema(example = "test_acc") String name,
            @ArraySchema(schema = @Schema(minimum = "0")) List<Long> steps, List<Double> values,
            @Schema(description = "as `/metrics` reports it; a downsampled curve is analysed as sent, with a note")
            Boolean downsampled) {
    }

    /** The thresholds, named as the analysis reports them; absent ones take the spec's defaults. */
    @Schema(description = "Analysis thresholds, named as in the analysis; absent ones take the spec's defaults.")
    record ThresholdsInput(
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double memorization,
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double generalization,
            @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long grokkingMinDelay,
            @DecimalMin("0") @DecimalMax("1000") Double grokkingMinDelayRatio,
            @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long holdSteps,
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double tolerance,
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Double maxTransitionShare,
            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double minPhaseShare,
            @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long minPhaseSteps) {

        PhaseThresholds resolve() {
            PhaseThresholds d = new AnalysisSettings(null, null, null, null).thresholds();
            return new PhaseThresholds(memorization == null ? d.memorization() : memorization,
                    generalization == null ? d.generalization() : generalization,
                    grokkingMinDelay == null ? d.grokkingMinDelay() : grokkingMinDelay,
                    grokkingMinDelayRatio == null ? d.grokkingMinDelayRatio() : grokkingMinDelayRatio,
                    holdSteps == null ? d.holdSteps() : holdSteps, tolerance == null ? d.tolerance() : tolerance,
                    maxTransitionShare == null ? d.maxTransitionShare() : maxTransitionShare,
                    minPhaseShare == null ? d.minPhaseShare() : minPhaseShare,
                    minPhaseSteps == null ? d.minPhaseSteps() : minPhaseSteps);
        }
    }

    /** The JSON request. */
    @Schema(description = "Curves to analyse, with optional thresholds and key frequencies.")
    record CurvesToAnalyse(
            @NotNull @Size(min = 1, max = MAX_SERIES) List<@NotNull CurveInput> series,
            @Valid ThresholdsInput thresholds,
            @Schema(description = "the key frequencies, if known; reported back as they are")
            @Size(max = 1000) List<@NotNull @Min(1) Integer> keyFrequencies) {
    }

    @PostMapping(path = "/api/v1/analyses", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "analyseCurves", summary = "Analyse curves trained anywhere",
            description = "The same analysis as `/experiments/{id}/analysis` (milestones, verdict, phases), of curves"
                    + " sent in the request: the series shape of `/metrics` in JSON, or the CSV export (`Content-Type:"
                    + " text/csv`: `experiment_id,metric,step,value` rows, or a wide `step,<metric>,...` table, with"
                    + " thresholds as query parameters). Metric names are those of the metrics API; other names are"
                    + " ignored with a note. It works with what is present: accuracies give milestones and the verdict,"
                    + " losses and norms the phases, the progress measures sharpen them; `notes` say what could not be"
                    + " determined and why. Nothing is stored.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = CurvesToAnalyse.class)),
                    @Content(mediaType = CSV, schema = @Schema(type = "string")) }))
    PhaseAnalysis analyseJson(@Valid @RequestBody CurvesToAnalyse request) {
        List<CurveTable.Curve> curves = new ArrayList<>();
        List<String> downsampled = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < request.series().size(); i++) {
            CurveInput in = request.series().get(i);
            long[] steps = null;
            double[] values = null;
            if (in.steps() != null) {
                steps = new long[in.steps().size()];
                for (int j = 0; j < steps.length; j++) {
                    if (in.steps().get(j) == null) {
                        errors.add(FieldError.atPointer("/series/" + i + "/steps/" + j, "must be a step, was null"));
                    } else {
                        steps[j] = in.steps().get(j);
                    }
                }
            }
            if (in.values() != null) {
                values = new double[in.values().size()];
                for (int j = 0; j < values.length; j++) {
                    Double v = in.values().get(j);
                    values[j] = v == null ? Double.NaN : v;
                }
            }
            curves.add(new CurveTable.Curve(in.name(), steps, values));
            if (Boolean.TRUE.equals(in.downsampled())) {
                downsampled.add(in.name());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        try {
            CurveTable.checked(curves, curveLimits());
        } catch (CurveTable.InvalidCurvesException e) {
            throw new InvalidInputException(e.problems().stream()
                    .map(p -> FieldError.atPointer(p.field(), p.message())).toList());
        }
        PhaseThresholds thresholds = request.thresholds() == null
                ? new ThresholdsInput(null, null, null, null, null, null, null, null, null).resolve()
                : request.thresholds().resolve();
        PhaseAnalysis analysis = analyse(curves, thresholds,
                request.keyFrequencies() == null ? List.of() : request.keyFrequencies());
        return downsampled.isEmpty() ? analysis : analysis.withNotes(List.of("downsampled curves were analysed as "
                + "sent (" + String.join(", ", downsampled) + "); fetch them with a larger maxPoints for the full "
                + "analysis"));
    }

    @PostMapping(path = "/api/v1/analyses", consumes = CSV, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(hidden = true)
    PhaseAnalysis analyseCsv(@RequestBody String csv,
            @RequestParam(required = false) @DecimalMin(value = "0", inclusive = false) @DecimalMax("1")
            Double memorization,
            @RequestParam(required = false) @DecimalMin(value = "0", inclusive = false) @DecimalMax("1")
            Double generalization,
            @RequestParam(required = false) @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long grokkingMinDelay,
            @RequestParam(required = false) @DecimalMin("0") @DecimalMax("1000") Double grokkingMinDelayRatio,
            @RequestParam(required = false) @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long holdSteps,
            @RequestParam(required = false) @DecimalMin("0") @DecimalMax(value = "1", inclusive = false)
            Double tolerance,
            @RequestParam(required = false) @DecimalMin(value = "0", inclusive = false) @DecimalMax("100")
            Double maxTransitionShare,
            @RequestParam(required = false) @DecimalMin("0") @DecimalMax(value = "1", inclusive = false)
            Double minPhaseShare,
            @RequestParam(required = false) @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Long minPhaseSteps) {
        List<CurveTable.Curve> curves;
        try {
            curves = CurveTable.parseCsv(csv, curveLimits());
        } catch (CurveTable.InvalidCurvesException e) {
            // a CSV has no JSON pointer: the line and column are named in the detail
            throw new InvalidInputException(e.problems().stream()
                    .map(p -> new FieldError(null, null, p.field() + ": " + p.message())).toList());
        }
        if (curves.isEmpty()) {
            throw new InvalidInputException(List.of(new FieldError(null, null, "the CSV holds no data rows")));
        }
        PhaseThresholds thresholds = new ThresholdsInput(memorization, generalization, grokkingMinDelay,
                grokkingMinDelayRatio, holdSteps, tolerance, maxTransitionShare, minPhaseShare, minPhaseSteps)
                .resolve();
        return analyse(curves, thresholds, List.of());
    }

    private CurveTable.Limits curveLimits() {
        return new CurveTable.Limits(MAX_SERIES, limits.maxPoints());
    }

    private static PhaseAnalysis analyse(List<CurveTable.Curve> curves, PhaseThresholds thresholds,
            List<Integer> keyFrequencies) {
        List<String> ignored = new ArrayList<>();
        MetricHistory history = CurveTable.history(curves, ignored);
        PhaseAnalysis analysis = new PhaseAnalyzer(thresholds).analyse(history, false,
                new ArrayList<>(new TreeSet<>(keyFrequencies)), java.util.Map.of());
        if (!ignored.isEmpty()) {
            Set<String> known = Arrays.stream(Metric.values()).map(Metric::wireName)
                    .collect(Collectors.toCollection(TreeSet::new));
            analysis = analysis.withNotes(List.of("not a metric name, so not analysed: "
                    + ignored.stream().map(n -> n.length() > 60 ? n.substring(0, 60) + "…" : n)
                            .collect(Collectors.joining(", ")) + " (metric names: " + String.join(", ", known)
                    + ")"));
        }
        return analysis;
    }
}
