package io.grokscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.training.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
        List<Map<String, Object>> parameters = new ArrayList<>();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var entry : checkpoint.parameters().entrySet()) {
                String file = entry.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy";
                zip.putNextEntry(new ZipEntry(file));
                zip.write(NpyFormat.float32(entry.getValue().shape(), entry.getValue().values()));
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
