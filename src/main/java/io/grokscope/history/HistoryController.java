package io.grokscope.history;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.grokscope.database.JobStatus;
import io.grokscope.spec.SpecReader;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.RunConfig;
import io.grokscope.web.ConflictException;
import io.grokscope.web.ResourceNotFoundException;
import io.grokscope.web.ServiceBusyException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The parameter history of a run (the stored steps, and each step's weights in the latest checkpoint's zip/.npy
 * format) and the whole-run progress measures on request.
 */
@RestController
@Validated
class HistoryController {

    /** One recomputation at a time per instance: it runs a forward pass over all p² pairs per stored snapshot. */
    private final Semaphore recomputing = new Semaphore(1);

    private final ParameterHistory history;
    private final WholeRunMeasures wholeRun;
    private final SpecReader specs;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    HistoryController(ParameterHistory history, WholeRunMeasures wholeRun, SpecReader specs, JdbcTemplate jdbc,
            ObjectMapper json) {
        this.history = history;
        this.wholeRun = wholeRun;
        this.specs = specs;
        this.jdbc = jdbc;
        this.json = json;
    }

    @GetMapping(path = "/api/v1/experiments/{id}/checkpoints", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listCheckpoints", summary = "The stored steps of a run's parameter history")
    HistoryView list(@PathVariable long id) {
        status(id);
        List<ParameterHistory.StoredStep> steps = history.steps(id);
        long total = steps.stream().mapToLong(ParameterHistory.StoredStep::bytes).sum();
        return new HistoryView(id, history.budgetBytes(), total, steps.stream()
                .map(s -> new StepView(s.step(), s.bytes(), s.createdAt())).toList());
    }

    @GetMapping(path = "/api/v1/experiments/{id}/checkpoints/{step}", produces = CheckpointArchive.ZIP)
    @Operation(operationId = "downloadHistoryCheckpoint", summary = "The weights at one stored step",
            responses = @ApiResponse(responseCode = "200", content = @Content(mediaType = CheckpointArchive.ZIP,
                    schema = @Schema(type = "string", format = "binary"))))
    ResponseEntity<byte[]> download(@PathVariable long id, @PathVariable long step) {
        status(id);
        Checkpoint snapshot = history.load(id, step).orElseThrow(() -> new ResourceNotFoundException(
                "stored step of experiment " + id, step + " (see GET /api/v1/experiments/" + id + "/checkpoints)"));
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_TYPE, CheckpointArchive.ZIP)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("experiment-" + id + "-step-" + step + ".zip").build().toString())
                .body(CheckpointArchive.zip(json, id, snapshot));
    }

    @PostMapping(path = "/api/v1/experiments/{id}/progress-measures/recompute",
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "recomputeProgressMeasures", summary = "Whole-run restricted and excluded loss")
    WholeRunView recompute(@PathVariable long id) {
        Map<String, Object> row = status(id);
        String status = (String) row.get("status");
        RunConfig config = specs.runConfig(row.get("spec").toString());
        if (!recomputing.tryAcquire()) {
            throw new ServiceBusyException("another whole-run recomputation is in progress on this instance",
                    Duration.ofSeconds(10));
        }
        try {
            WholeRunMeasures.Result result;
            try {
                result = wholeRun.compute(id, config).orElseThrow(() -> new ConflictException("experiment " + id
                        + " has no parameter history: " + noHistoryReason(config, status)));
            } catch (IllegalStateException e) {
                throw new ConflictException("experiment " + id + " has no restricted and excluded loss: "
                        + e.getMessage());
            }
            boolean running = JobStatus.of(status).isActive();
            boolean stored = !running && wholeRun.storeFinished(id, result);
            return new WholeRunView(id, status, !stored, stored, result.keyStep(), result.keyFrequencies(),
                    result.points().stream().map(p -> new PointView(p.step(), p.restrictedLoss(), p.excludedLoss()))
                            .toList());
        } finally {
            recomputing.release();
        }
    }

    /** Why a run has no stored snapshot, from its spec, its status and this instance's budget. */
    private String noHistoryReason(RunConfig config, String status) {
        if (config.progressMeasuresEvery() == 0) {
            return "its spec sets analysis.progressMeasuresEvery to 0, so no snapshot is taken";
        }
        if (history.budgetBytes() == 0) {
            return "grokscope.history.budget is 0 on this instance, so no snapshot is kept";
        }
        if (JobStatus.of(status).isActive()) {
            return "nothing measured yet (a snapshot is taken every " + config.progressMeasuresEvery()
                    + " steps); try again once the run has trained";
        }
        return "none was kept (grokscope.history.budget, " + history.budgetBytes()
                + " bytes, may be smaller than one snapshot of this model)";
    }

    private Map<String, Object> status(long id) {
        List<Map<String, Object>> rows = jdbc.queryForList("select j.status, e.spec::text as spec from experiment e"
                + " join job j on j.experiment_id = e.id where e.id = ?", id);
        if (rows.isEmpty()) {
            throw new ResourceNotFoundException("experiment", id);
        }
        return rows.get(0);
    }

    @Schema(name = "ParameterHistory", description = "The stored snapshots of a run's parameters, thinned to the"
            + " budget: all snapshots of the first quarter of the budget's capacity, then an evenly spaced tail whose"
            + " stride doubles as the run grows, and always the latest.")
    record HistoryView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long experimentId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long budgetBytes,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long totalBytes,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<StepView> steps) {
    }

    @Schema(name = "StoredStep")
    record StepView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long step,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long bytes,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt) {
    }

    @Schema(name = "WholeRunMeasures", description = "Restricted and excluded loss at every stored step with the key"
            + " frequencies of the model at keyStep. For a finished run they are stored (the restricted_loss and"
            + " excluded_loss series then hold them); for a run still going they are provisional and not stored.")
    record WholeRunView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long experimentId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String status,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) boolean provisional,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) boolean stored,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long keyStep,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Integer> keyFrequencies,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<PointView> points) {
    }

    @Schema(name = "WholeRunPoint")
    record PointView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long step,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) double restrictedLoss,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) double excludedLoss) {
    }
}
