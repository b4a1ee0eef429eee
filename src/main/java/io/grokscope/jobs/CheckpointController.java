package io.grokscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import io.grokscope.web.ResourceNotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
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
    ResponseEntity<byte[]> download(@PathVariable long id) {
        var stored = repository.loadCheckpoint(id).orElseThrow(() -> {
            Boolean exists = jdbc.queryForObject("select exists (select 1 from experiment where id = ?)",
                    Boolean.class, id);
            return Boolean.TRUE.equals(exists)
                    ? new ResourceNotFoundException("checkpoint of experiment", id + " (none written yet)")
                    : new ResourceNotFoundException("experiment", id);
        });
        Checkpoint checkpoint = CheckpointCodec.decode(stored.payload());
        byte[] archive = archive(id, checkpoint);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_TYPE, ZIP)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("experiment-" + id + "-step-" + checkpoint.step() + ".zip").build().toString())
                .body(archive);
    }

    private byte[] archive(long experimentId, Checkpoint checkpoint) {
        return CheckpointArchive.zip(json, experimentId, checkpoint);
    }
}
