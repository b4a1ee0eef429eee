package io.grokscope.experiment;

import io.grokscope.web.ServiceLimits;
import io.grokscope.web.IdempotentRequests;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.RequestHeader;
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
                    + " body 422. Kept 24 h (grokscope.idempotency.ttl).")
            @RequestHeader(name = IdempotentRequests.HEADER, required = false) @Size(min = 1, max = 200)
            String idempotencyKey) {
        return idempotent.once("POST /api/v1/experiments", idempotencyKey, spec, () -> {
            ExperimentView created = experiments.submit(spec);
            URI location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}")
                    .buildAndExpand(created.id()).toUri();
            return ResponseEntity.accepted().location(location).body(created);
        });
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listExperiments")
    ExperimentPage list(@RequestParam(required = false) ExperimentStatus status,
            @RequestParam(required = false) @Size(max = 100) String name,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
            @RequestParam(defaultValue = "20") @Min(1) int size) {
        limits.checkPageSize(size);
        return experiments.list(status, name, page, size);
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
