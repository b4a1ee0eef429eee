package io.grokscope.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.training.Checkpoint;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The exported form of a checkpoint's weights, shared by the latest checkpoint and the parameter history: a zip with
 * one NumPy {@code .npy} per named parameter and a {@code manifest.json} (format, version, experiment, step, and each
 * parameter's name, file, shape and dtype).
 */
public final class CheckpointArchive {

    /** The archive's media type. */
    public static final String ZIP = "application/zip";

    private CheckpointArchive() {
    }

    /** The checkpoint's parameters (its optimizer state is not exported) as a zip. */
    public static byte[] zip(ObjectMapper json, long experimentId, Checkpoint checkpoint) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(json, experimentId, checkpoint, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the archive to {@code target}, one parameter at a time, straight from the decoded weights (no .npy or
     * zip copy is built, so a download holds only the weights). {@code target} is flushed, not closed: a response's
     * stream belongs to the container.
     */
    public static void write(ObjectMapper json, long experimentId, Checkpoint checkpoint, OutputStream target)
            throws IOException {
        List<Map<String, Object>> parameters = new ArrayList<>();
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(target, 64 * 1024));
        for (var entry : checkpoint.parameters().entrySet()) {
            String file = entry.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy";
            zip.putNextEntry(new ZipEntry(file));
            NpyFormat.writeFloat32(zip, entry.getValue().shape(), entry.getValue().values());
            zip.closeEntry();
            Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", entry.getKey());
            parameter.put("file", file);
            parameter.put("shape", entry.getValue().shape());
            parameter.put("dtype", "float32");
            parameters.add(parameter);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", "grokscope-checkpoint");
        manifest.put("version", 1);
        manifest.put("experimentId", experimentId);
        manifest.put("step", checkpoint.step());
        manifest.put("parameters", parameters);
        zip.putNextEntry(new ZipEntry("manifest.json"));
        zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        zip.closeEntry();
        zip.finish();
        zip.flush();
    }
}
