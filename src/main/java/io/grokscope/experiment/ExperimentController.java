package io.grokscope.experiment;

import io.grokscope.database.JobStatus;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.ServiceLimits;
import io.grokscope.web.IdempotentRequests;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.RequestHeader;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The experiment resource: {@code /api/v1/experiments}. Constraints on parameters are checked by Spring MVC's built-in
 * method validation (no {@code @Validated} proxy), so violations arrive as one exception that names each parameter.
 */
@RestController
// produces is per JSON method, not on the class: a DELETE (204, no body) must not answer 406 to a client that accepts
// only application/problem+json for its errors, as clients generated from the contract do.
@RequestMapping(path = "/api/v1/experiments")
class ExperimentController {

    /** At most this many tag or spec filters in one query. */
    static final int MAX_FILTERS = 10;
    private static final List<String> VERDICTS = List.of("RUNNING", "CONFUSION", "MEMORIZATION", "GROKKING",
            "COMPREHENSION");

    private final ExperimentService experiments;
    private final ServiceLimits limits;

    private final IdempotentRequests idempotent;

    ExperimentController(ExperimentService experiments, ServiceLimits limits, IdempotentRequests idempotent) {
        this.experiments = experiments;
        this.limits = limits;
        this.idempotent = idempotent;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "submitExperiment", responses = @io.swagger.v3.oas.annotations.responses.ApiResponse(
            responseCode = "202", content = @io.swagger.v3.oas.annotations.media.Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = ExperimentView.class))))
    ResponseEntity<Object> submit(@Valid @RequestBody ExperimentSpec spec,
            @io.swagger.v3.oas.annotations.Parameter(description = "Makes a retry safe: the same key with the same"
                    + " body returns the first answer (status, Location, body) instead of creating again; with another"
                    + " body 422. Kept 24 h (grokscope.idempotency.ttl).",
                    schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", minLength = 1,
                            maxLength = IdempotentRequests.MAX_KEY_LENGTH))
            // No constraint annotation here: one would switch the whole method to method validation, and the body's
            // field errors would then be reported against a parameter named "spec" instead of their JSON pointers.
            // IdempotentRequests checks the key (length, printable ASCII) and names the header.
            @RequestHeader(name = IdempotentRequests.HEADER, required = false) String idempotencyKey) {
        return idempotent.once("POST /api/v1/experiments", idempotencyKey, spec, () -> {
            ExperimentView created = experiments.submit(spec);
            // The request's path without its query: echoing a client's query string into Location let a long one
            // overflow the response headers (a 500 found by ApiFuzzTest).
            URI location = ServletUriComponentsBuilder.fromCurrentRequestUri().path("/{id}")
                    .buildAndExpand(created.id()).toUri();
            return ResponseEntity.accepted().location(location).body(created);
        });
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listExperiments")
    ExperimentPage list(@RequestParam(required = false) JobStatus status,
            @RequestParam(required = false) @Size(max = 100) String name,
            @RequestParam(required = false) io.grokscope.task.Operation operation,
            @Parameter(schema = @Schema(allowableValues = { "MLP", "TRANSFORMER" }))
            @RequestParam(required = false) @Size(max = 20) String modelType,
            @Parameter(schema = @Schema(allowableValues = { "RUNNING", "CONFUSION", "MEMORIZATION", "GROKKING",
                    "COMPREHENSION" }))
            @RequestParam(required = false) @Size(max = 20) String verdict,
            @Parameter(description = "a tag the run must carry; repeat for several (all must match)")
            @RequestParam(required = false) @Size(max = MAX_FILTERS)
            List<@Size(max = ExperimentAnnotations.MAX_TAG_LENGTH) String> tag,
            @Parameter(description = "path=value on a scalar spec field, e.g. optimizer.weightDecay=1 or"
                    + " optimizer.gradientFilter.type=null; repeat for several (all must match)")
            @RequestParam(required = false) @Size(max = MAX_FILTERS)
            List<@Size(max = SpecFieldFilter.MAX_LENGTH) String> spec,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) int size) {
        limits.checkPageSize(size);
        List<FieldError> errors = new ArrayList<>();
        if (modelType != null && !List.of("MLP", "TRANSFORMER").contains(modelType)) {
            errors.add(FieldError.atParameter("modelType", "must be MLP or TRANSFORMER, was '" + modelType + "'"));
        }
        if (verdict != null && !VERDICTS.contains(verdict)) {
            errors.add(FieldError.atParameter("verdict", "must be one of " + VERDICTS + ", was '" + verdict + "'"));
        }
        List<SpecFieldFilter> specs = new ArrayList<>();
        for (String filter : spec == null ? List.<String>of() : spec) {
            try {
                specs.add(SpecFieldFilter.parse(filter, "spec"));
            } catch (InvalidInputException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        // PostgreSQL's text cannot hold NUL (U+0000), so no stored name or tag contains one: such a filter matches
        // nothing (as the sweep list answers), instead of reaching the database, where the parameter would fail.
        boolean nul = (name != null && name.indexOf('\0') >= 0)
                || (tag != null && tag.stream().anyMatch(t -> t.indexOf('\0') >= 0));
        if (nul) {
            return new ExperimentPage(List.of(), page, size, 0, 0);
        }
        return experiments.list(new ExperimentSearch.Filters(status, name,
                operation == null ? null : operation.name(), modelType, verdict,
                tag == null ? List.of() : tag.stream().distinct().toList(), specs), page, size);
    }

    @PatchMapping(path = "/{id}", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/merge-patch+json" },
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "annotateExperiment")
    ExperimentView annotate(@PathVariable long id, @Valid @RequestBody ExperimentAnnotations annotations) {
        return experiments.annotate(id, annotations);
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getExperiment")
    ExperimentView get(@PathVariable long id) {
        return experiments.get(id);
    }

    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "cancelExperiment")
    ExperimentView cancel(@PathVariable long id) {
        return experiments.cancel(id);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteExperiment")
    void delete(@PathVariable long id) {
        experiments.delete(id);
    }
}
