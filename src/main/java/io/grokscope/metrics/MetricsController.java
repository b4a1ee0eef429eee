package io.grokscope.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.analysis.Metric;
import io.grokscope.metrics.MetricViews.ComparisonView;
import io.grokscope.metrics.MetricViews.ExperimentMetricsView;
import io.grokscope.metrics.MetricViews.SeriesView;
import io.grokscope.metrics.MetricViews.SpectrumView;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.ResourceNotFoundException;
import io.grokscope.web.ServiceLimits;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Curves of one or several runs, as JSON or CSV, with {@code ETag}s so that pollers get a 304 while nothing new was
 * stored, and {@code sinceStep} for incremental reads.
 */
@RestController
class MetricsController {

    static final String CSV = "text/csv";

    private final MetricQueries queries;
    private final SpectrumStore spectra;
    private final MetricsApiSettings settings;
    private final ServiceLimits limits;
    private final ExperimentEvents events;
    private final LiveCurves live;
    private final ObjectMapper json;

    MetricsController(MetricQueries queries, SpectrumStore spectra, MetricsApiSettings settings, ServiceLimits limits,
            ExperimentEvents events, LiveCurves live, ObjectMapper json) {
        if (settings.defaultMaxPoints() > limits.maxPoints()) {
            throw new IllegalArgumentException("grokscope.metrics.api.default-max-points ("
                    + settings.defaultMaxPoints() + ") must be at most grokscope.limits.max-points ("
                    + limits.maxPoints() + ")");
        }
        this.queries = queries;
        this.spectra = spectra;
        this.settings = settings;
        this.limits = limits;
        this.events = events;
        this.live = live;
        this.json = json.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.CLOSE_CLOSEABLE)
                .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    @GetMapping(path = "/api/v1/experiments/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamEvents", summary = "Live events of one run (Server-Sent Events)",
            description = "`metrics` (one per step, event id = step: `{step, values: {name: value}}`), `progress`,"
                    + " `status`, and `end` once the run has ended and every point was sent. Reconnect with"
                    + " `Last-Event-ID` to receive every point after that step from the database.",
            responses = @ApiResponse(responseCode = "200", content = @Content(
                    mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string"))))
    SseEmitter events(@PathVariable long id,
            @RequestHeader(name = "Last-Event-ID", required = false) @Size(max = 20) String lastEventId) {
        long after = -1;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                after = Long.parseLong(lastEventId.trim());
            } catch (NumberFormatException e) {
                after = -2;
            }
            if (after < -1) {
                throw new InvalidInputException(List.of(FieldError.atParameter("Last-Event-ID",
                        "must be a step (an integer >= -1), was '" + lastEventId + "'")));
            }
        }
        if (!queries.exists(id)) {
            throw new ResourceNotFoundException("experiment", id);
        }
        return events.subscribe(id, after);
    }

    @GetMapping(path = "/api/v1/experiments/{id}/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getMetrics", summary = "Curves of one run",
            description = "Series of the named metrics (all when `names` is absent). A range holding more than"
                    + " `maxPoints` points is downsampled in the database (MIN_MAX). `sinceStep` (exclusive) reads"
                    + " incrementally: the first `maxPoints` points after it, never downsampled. Send the returned"
                    + " `ETag` as `If-None-Match` to get 304 while nothing new was stored. `Accept: text/csv` gives"
                    + " `experiment_id,metric,step,value` rows.",
            responses = @ApiResponse(responseCode = "200", content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = ExperimentMetricsView.class)),
                    @Content(mediaType = CSV, schema = @Schema(type = "string")) }))
    ResponseEntity<ExperimentMetricsView> metrics(@PathVariable long id,
            @Parameter(description = "comma-separated metric names") @RequestParam(required = false)
            @Size(max = 64) List<String> names,
            @RequestParam(required = false) @Min(0) Long fromStep,
            @RequestParam(required = false) @Min(0) Long toStep,
            @RequestParam(required = false) @Min(0) Long sinceStep,
            @RequestParam(required = false) @Min(2) Integer maxPoints,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        return conditionally(id, request(names, fromStep, toStep, sinceStep, maxPoints), "json", ifNoneMatch,
                series -> new ExperimentMetricsView(id, series.stream().map(SeriesView::of).toList(),
                        provisional(id, series)));
    }

    @GetMapping(path = "/api/v1/experiments/{id}/metrics", produces = CSV)
    @Operation(hidden = true)
    ResponseEntity<String> metricsCsv(@PathVariable long id,
            @RequestParam(required = false) @Size(max = 64) List<String> names,
            @RequestParam(required = false) @Min(0) Long fromStep,
            @RequestParam(required = false) @Min(0) Long toStep,
            @RequestParam(required = false) @Min(0) Long sinceStep,
            @RequestParam(required = false) @Min(2) Integer maxPoints,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        ResponseEntity<String> response = conditionally(id, request(names, fromStep, toStep, sinceStep, maxPoints),
                "csv", ifNoneMatch, series -> {
                    StringBuilder csv = new StringBuilder("experiment_id,metric,step,value\n");
                    series.forEach(s -> appendCsv(csv, id, s));
                    return csv.toString();
                });
        return response.getStatusCode() == HttpStatus.OK ? ResponseEntity.ok().headers(response.getHeaders())
                .contentType(MediaType.parseMediaType(CSV + ";charset=UTF-8")).body(response.getBody()) : response;
    }

    /**
     * The representation of one run's curves, or 304 when the client's ETag still describes what is stored. An
     * incremental read of a run training on this instance is answered from memory ({@link LiveCurves}): no query.
     */
    private <T> ResponseEntity<T> conditionally(long id, Request request, String format, String ifNoneMatch,
            java.util.function.Function<List<MetricQueries.Series>, T> render) {
        java.util.Optional<String> liveState = request.range().sinceStep() == null ? java.util.Optional.empty()
                : live.stateToken(id, request.metrics());
        String etag = etag(id, request, format, liveState.orElseGet(() -> queries.stateToken(id, request.metrics())));
        if (etag.equals(ifNoneMatch)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        List<MetricQueries.Series> series = liveState.isPresent()
                ? live.incremental(id, request.metrics(), request.range()).orElse(null) : null;
        if (series == null) {
            series = queries.series(List.of(id), request.metrics(), request.range()).get(id);
        }
        return ResponseEntity.ok().eTag(etag).body(render.apply(series));
    }

    @GetMapping(path = "/api/v1/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "compareMetrics", summary = "Curves of several runs, for comparison plots",
            description = "The same series as `/experiments/{id}/metrics`, for each listed experiment in order.",
            responses = @ApiResponse(responseCode = "200", content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = ComparisonView.class))))
    void compare(
            @Parameter(description = "comma-separated experiment ids") @RequestParam @Size(min = 1, max = 1000)
            List<Long> experiments,
            @Parameter(description = "comma-separated metric names") @RequestParam(required = false)
            @Size(max = 64) List<String> names,
            @RequestParam(required = false) @Min(2) Integer maxPoints,
            HttpServletResponse response) throws IOException {
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(experiments));
        if (ids.size() > limits.compareExperiments()) {
            throw new InvalidInputException(List.of(FieldError.atParameter("experiments", "must name at most "
                    + limits.compareExperiments() + " experiments (grokscope.limits.compare-experiments), named "
                    + ids.size())));
        }
        Request request = request(names, null, null, null, maxPoints); // bad parameters are 400 before any 404
        List<Long> missing = queries.missing(ids);
        if (!missing.isEmpty()) {
            throw new ResourceNotFoundException("experiment", missing.size() == 1 ? missing.get(0) : missing);
        }
        // Streamed one experiment at a time: the largest allowed answer (50 runs x 13 metrics x 20 000 points) would
        // take gigabytes of the heap the training shares if it were built whole; this holds one run's curves.
        response.setStatus(HttpStatus.OK.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        try (JsonGenerator out = json.getFactory().createGenerator(response.getOutputStream())) {
            out.writeStartObject();
            out.writeArrayFieldStart("experiments");
            for (long id : ids) {
                List<MetricQueries.Series> series = queries.series(List.of(id), request.metrics(), request.range())
                        .get(id);
                json.writeValue(out, new ExperimentMetricsView(id, series.stream().map(SeriesView::of).toList(),
                        provisional(id, series)));
                out.flush();
            }
            out.writeEndArray();
            out.writeEndObject();
        }
    }

    /** Grid steps of a band when the client names no {@code maxPoints}: enough for a chart's width. */
    public static final int DEFAULT_BAND_POINTS = 500;

    @GetMapping(path = "/api/v1/metrics/bands", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getMetricBand", summary = "One metric averaged over several runs (seed bands)",
            description = "Mean, sample standard deviation, min and max of `metric` over the listed runs at each step of"
                    + " one grid (their common steps, or `maxPoints` evenly spaced steps when they have more), with the"
                    + " number of runs covering each step. For repeated runs of one setup, e.g. the seeds of a sweep's"
                    + " cell.")
    BandsView band(
            @Parameter(description = "comma-separated experiment ids") @RequestParam @Size(min = 1, max = 1000)
            List<Long> experiments,
            @RequestParam @jakarta.validation.constraints.NotNull @Size(max = 40) String metric,
            @RequestParam(required = false) @Min(2) Integer maxPoints) {
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(experiments));
        List<FieldError> errors = new ArrayList<>();
        if (ids.size() > limits.compareExperiments()) {
            errors.add(FieldError.atParameter("experiments", "must name at most " + limits.compareExperiments()
                    + " experiments (grokscope.limits.compare-experiments), named " + ids.size()));
        }
        Metric chosen = null;
        try {
            chosen = Metric.fromWireName(metric.trim());
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.atParameter("metric", e.getMessage()));
        }
        int points = bandPoints(maxPoints, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        List<Long> missing = queries.missing(ids);
        if (!missing.isEmpty()) {
            throw new ResourceNotFoundException("experiment", missing.size() == 1 ? missing.get(0) : missing);
        }
        var series = queries.everyPoint(ids, chosen);
        return new BandsView(chosen, ids, BandView.of(io.grokscope.analysis.SeedBand.of(
                List.copyOf(series.values()), points)));
    }

    /** The grid size of a band request: {@code maxPoints}, at most {@code grokscope.limits.max-points}. */
    private int bandPoints(Integer maxPoints, List<FieldError> errors) {
        int points = maxPoints == null ? Math.min(DEFAULT_BAND_POINTS, limits.maxPoints()) : maxPoints;
        if (points > limits.maxPoints()) {
            errors.add(FieldError.atParameter("maxPoints", ServiceLimits.over(points, limits.maxPoints(),
                    "max-points")));
        }
        return points;
    }

    /** The band of one metric over a chosen set of runs. */
    @Schema(name = "MetricBand", description = "One metric's band over the listed experiments.")
    record BandsView(@Schema(
            requiredMode = Schema.RequiredMode.REQUIRED) Metric metric,
            @Schema(
                    requiredMode = Schema.RequiredMode.REQUIRED)
            List<Long> experimentIds,
            @Schema(
                    requiredMode = Schema.RequiredMode.REQUIRED) BandView band) {
    }

    @GetMapping(path = "/api/v1/experiments/{id}/spectrum", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getSpectrum", summary = "Fourier norms per frequency",
            description = "At the latest measured step, or at `step` (one of `measuredSteps`). 404 for tasks without"
                    + " a Fourier basis (S5) and before the first measurement.")
    SpectrumView spectrum(@PathVariable long id, @RequestParam(required = false) @Min(0) Long step) {
        if (!queries.exists(id)) {
            throw new ResourceNotFoundException("experiment", id);
        }
        SpectrumStore.StoredSpectrum found = spectra.find(id, step).orElseThrow(() -> new ResourceNotFoundException(
                "spectrum of experiment " + id + " at step", step == null ? "any (none measured yet)" : step));
        return new SpectrumView(id, found.step(),
                IntStream.rangeClosed(1, found.embedNorms().length).boxed().toList(),
                Arrays.stream(found.embedNorms()).boxed().toList(),
                Arrays.stream(found.unembedNorms()).boxed().toList(),
                Arrays.stream(found.keyFrequencies()).boxed().toList(), spectra.steps(id),
                found.excludedLosses() == null ? null
                        : Arrays.stream(found.excludedLosses()).mapToObj(v -> Double.isFinite(v) ? v : null).toList());
    }

    /** The key-set losses among {@code series} while the run has no whole-run recomputation. */
    private List<Metric> provisional(long id, List<MetricQueries.Series> series) {
        List<Metric> keyed = series.stream().map(MetricQueries.Series::name)
                .filter(m -> m == Metric.RESTRICTED_LOSS || m == Metric.EXCLUDED_LOSS).toList();
        // A run still training here has no whole-run record (it is written as the run ends): no query needed.
        return keyed.isEmpty() || (!live.holds(id) && queries.wholeRunRecorded(id)) ? List.of() : keyed;
    }

    private record Request(List<Metric> metrics, MetricQueries.Range range) {
    }

    private Request request(List<String> names, Long fromStep, Long toStep, Long sinceStep, Integer maxPoints) {
        List<FieldError> errors = new ArrayList<>();
        Set<Metric> metrics = new LinkedHashSet<>();
        if (names == null || names.isEmpty()) {
            metrics.addAll(Arrays.asList(Metric.values()));
        } else {
            for (String name : names) {
                try {
                    metrics.add(Metric.fromWireName(name.trim()));
                } catch (IllegalArgumentException e) {
                    errors.add(FieldError.atParameter("names", e.getMessage()));
                }
            }
        }
        if (fromStep != null && toStep != null && fromStep > toStep) {
            errors.add(FieldError.atParameter("toStep", "must be >= fromStep (" + fromStep + ")"));
        }
        if (sinceStep != null && fromStep != null) {
            errors.add(FieldError.atParameter("sinceStep", "cannot be combined with fromStep"));
        }
        int points = maxPoints == null ? settings.defaultMaxPoints() : maxPoints;
        if (points > limits.maxPoints()) {
            errors.add(FieldError.atParameter("maxPoints",
                    ServiceLimits.over(points, limits.maxPoints(), "max-points")));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Request(List.copyOf(metrics), new MetricQueries.Range(fromStep, toStep, sinceStep, points));
    }

    private String etag(long id, Request request, String format, String state) {
        if (state == null) {
            throw new ResourceNotFoundException("experiment", id);
        }
        // The state and the query, hashed: the tag changes when either does, and says nothing about the data.
        String identity = state + "|" + request.metrics() + "|" + request.range() + "|" + format;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return "\"" + id + "-" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void appendCsv(StringBuilder csv, long id, MetricQueries.Series series) {
        for (int i = 0; i < series.steps().length; i++) {
            csv.append(id).append(',').append(series.name().wireName()).append(',').append(series.steps()[i])
                    .append(',').append(series.values()[i]).append('\n');
        }
    }
}
