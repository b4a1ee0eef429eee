package io.grokscope.sweep;

import io.grokscope.analysis.Metric;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.ServiceLimits;
import io.grokscope.web.IdempotentRequests;
import java.util.ArrayList;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.RequestHeader;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The sweep resource: {@code /api/v1/sweeps}, its phase diagram (JSON or SVG) and its summary series (JSON or CSV).
 * Parameter constraints are checked by Spring MVC's method validation, as for experiments.
 */
@RestController
@RequestMapping(path = "/api/v1/sweeps")
class SweepController {

    /** Grid steps of a band when the client names no {@code maxPoints}: enough for a chart's width. */
    private static final int DEFAULT_BAND_POINTS = 500;

    private final SweepService sweeps;
    private final ServiceLimits limits;

    private final IdempotentRequests idempotent;

    SweepController(SweepService sweeps, ServiceLimits limits, IdempotentRequests idempotent) {
        this.sweeps = sweeps;
        this.limits = limits;
        this.idempotent = idempotent;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "submitSweep", responses = @ApiResponse(responseCode = "202", content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SweepView.class))))
    ResponseEntity<Object> submit(@Valid @RequestBody SweepRequest request,
            @io.swagger.v3.oas.annotations.Parameter(description = "Makes a retry safe: the same key with the same"
                    + " body returns the first answer (status, Location, body) instead of creating again; with another"
                    + " body 422. Kept 24 h (grokscope.idempotency.ttl).",
                    schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", minLength = 1,
                            maxLength = IdempotentRequests.MAX_KEY_LENGTH))
            // No constraint annotation here: one would switch the whole method to method validation, and the body's
            // field errors would then be reported against a parameter named "spec" instead of their JSON pointers.
            // IdempotentRequests checks the key (length, printable ASCII) and names the header.
            @RequestHeader(name = IdempotentRequests.HEADER, required = false) String idempotencyKey) {
        return idempotent.once("POST /api/v1/sweeps", idempotencyKey, request, () -> {
            SweepView created = sweeps.create(request);
            // The request's path without its query: echoing a client's query string into Location let a long one
            // overflow the response headers (a 500 found by ApiFuzzTest).
            URI location = ServletUriComponentsBuilder.fromCurrentRequestUri().path("/{id}")
                    .buildAndExpand(created.id()).toUri();
            return ResponseEntity.accepted().location(location).body(created);
        });
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listSweeps")
    SweepPage list(@RequestParam(required = false) @Size(max = 100) String name,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) int size) {
        limits.checkPageSize(size);
        return sweeps.list(name, page, size);
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getSweep")
    SweepView get(@PathVariable long id) {
        return sweeps.get(id);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "cancelSweep")
    SweepView cancel(@PathVariable long id) {
        return sweeps.cancel(id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteSweep")
    void delete(@PathVariable long id) {
        sweeps.delete(id);
    }

    @GetMapping(path = "/{id}/phase-diagram", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getPhaseDiagram", responses = @ApiResponse(responseCode = "200", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = PhaseDiagram.class)),
            @Content(mediaType = PhaseDiagramSvg.MEDIA_TYPE, schema = @Schema(type = "string")) }))
    PhaseDiagram diagram(@PathVariable long id,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String x,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String y,
            @Parameter(schema = @Schema(allowableValues = { "verdict", "grokkingDelay", "generalizationStep" }))
            @RequestParam(defaultValue = "verdict") @Size(max = 40) String value,
            @Parameter(description = "path=value fixing another axis; repeat for several")
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_FILTERS)
            List<@Size(max = SweepLimits.MAX_FILTER_LENGTH) String> where) {
        return sweeps.diagram(id, x, y, value, where);
    }

    @GetMapping(path = "/{id}/phase-diagram", produces = PhaseDiagramSvg.MEDIA_TYPE)
    @Operation(hidden = true)
    ResponseEntity<String> diagramSvg(@PathVariable long id,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String x,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String y,
            @RequestParam(defaultValue = "verdict") @Size(max = 40) String value,
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_FILTERS)
            List<@Size(max = SweepLimits.MAX_FILTER_LENGTH) String> where) {
        String svg = PhaseDiagramSvg.render(sweeps.diagram(id, x, y, value, where));
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(PhaseDiagramSvg.MEDIA_TYPE
                + ";charset=UTF-8")).body(svg);
    }

    @GetMapping(path = "/{id}/bands", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getSweepBands", summary = "Seed bands of a metric per cell",
            description = "Per cell (or, with `x`, per value of that axis, pooling the other axes that `where` does not"
                    + " fix), the metric's mean, sample standard deviation, min and max over the runs, on one step"
                    + " grid of at most `maxPoints` steps (default 500), with the runs covering each step.")
    SweepBands bands(@PathVariable long id,
            @RequestParam @NotNull @Size(max = 40) String metric,
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_PATH_LENGTH) String x,
            @Parameter(description = "path=value fixing an axis; repeat for several")
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_FILTERS)
            List<@Size(max = SweepLimits.MAX_FILTER_LENGTH) String> where,
            @RequestParam(required = false) @Min(2) Integer maxPoints) {
        List<FieldError> errors = new ArrayList<>();
        Metric chosen = null;
        try {
            chosen = Metric.fromWireName(metric.trim());
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.atParameter("metric", e.getMessage()));
        }
        int points = maxPoints == null ? Math.min(DEFAULT_BAND_POINTS, limits.maxPoints()) : maxPoints;
        if (points > limits.maxPoints()) {
            errors.add(FieldError.atParameter("maxPoints", ServiceLimits.over(points, limits.maxPoints(),
                    "max-points")));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return sweeps.bands(id, chosen, x, where, points);
    }

    @GetMapping(path = "/{id}/summary", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getSweepSummary", responses = @ApiResponse(responseCode = "200", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = SweepSeries.class)),
            @Content(mediaType = SweepSeriesCsv.MEDIA_TYPE, schema = @Schema(type = "string")) }))
    SweepSeries summary(@PathVariable long id,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String x,
            @Parameter(schema = @Schema(allowableValues = { "generalizationStep", "grokkingDelay" }))
            @RequestParam(defaultValue = "generalizationStep") @Size(max = 40) String value,
            @Parameter(description = "path=value fixing another axis; repeat for several")
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_FILTERS)
            List<@Size(max = SweepLimits.MAX_FILTER_LENGTH) String> where) {
        return sweeps.series(id, x, value, where);
    }

    @GetMapping(path = "/{id}/summary", produces = SweepSeriesCsv.MEDIA_TYPE)
    @Operation(hidden = true)
    ResponseEntity<String> summaryCsv(@PathVariable long id,
            @RequestParam @NotNull @Size(max = SweepLimits.MAX_PATH_LENGTH) String x,
            @RequestParam(defaultValue = "generalizationStep") @Size(max = 40) String value,
            @RequestParam(required = false) @Size(max = SweepLimits.MAX_FILTERS)
            List<@Size(max = SweepLimits.MAX_FILTER_LENGTH) String> where) {
        String csv = SweepSeriesCsv.write(sweeps.series(id, x, value, where));
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(SweepSeriesCsv.MEDIA_TYPE
                + ";charset=UTF-8")).body(csv);
    }
}
