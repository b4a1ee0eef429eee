package io.grokscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.history.CheckpointArchive;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import io.grokscope.web.ResourceNotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The latest weights of an experiment as a zip: one NumPy {@code .npy} per named parameter and a
 * {@code manifest.json} (format version, experiment, step, parameter names, shapes and files).
 */
@RestController
class CheckpointController {

    static final String ZIP = "application/zip";

    private final JobRepository repository;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    CheckpointController(JobRepository repository, JdbcTemplate jdbc, ObjectMapper json) {
        this.repository = repository;
        this.jdbc = jdbc;
        this.json = json;
    }

    @GetMapping(path = "/api/v1/experiments/{id}/checkpoint", produces = ZIP)
    @Operation(operationId = "downloadCheckpoint", responses = @ApiResponse(responseCode = "200",
            content = @Content(mediaType = ZIP, schema = @Schema(type = "string", format = "binary"))))
    void download(@PathVariable long id, HttpServletResponse response) throws IOException {
        Checkpoint checkpoint = load(id);
        response.setStatus(HttpStatus.OK.value());
        response.setContentType(ZIP);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                .filename("experiment-" + id + "-step-" + checkpoint.step() + ".zip").build().toString());
        // Written straight to the client, one parameter at a time: no archive, no per-parameter copy is built
        // (the download used to hold the stored payload, the decoded weights, each .npy, the zip and its copy).
        archive(id, checkpoint, response.getOutputStream());
    }

    /** The decoded checkpoint; the stored bytes are garbage once this returns. */
    private Checkpoint load(long id) {
        var stored = repository.loadCheckpoint(id).orElseThrow(() -> {
            Boolean exists = jdbc.queryForObject("select exists (select 1 from experiment where id = ?)",
                    Boolean.class, id);
            return Boolean.TRUE.equals(exists)
                    ? new ResourceNotFoundException("checkpoint of experiment", id + " (none written yet)")
                    : new ResourceNotFoundException("experiment", id);
        });
        return CheckpointCodec.decode(stored.payload());
    }

    private void archive(long experimentId, Checkpoint checkpoint, java.io.OutputStream target) throws IOException {
        CheckpointArchive.write(json, experimentId, checkpoint, target);
    }
}
