package io.grokscope.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.metrics.WriteFence;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a run was executed, stored with each attempt: the same seed can give a different model on another backend,
 * thread count or JVM (reduction order, Math vs StrictMath), so these are part of the result.
 */
final class Provenance {

    private final ObjectMapper json;
    private final int workers;
    private final int threads;
    private final String codeVersion;

    Provenance(ObjectMapper json, int workers, int threads) {
        this.json = json;
        this.workers = workers;
        this.threads = threads;
        String version = Provenance.class.getPackage().getImplementationVersion();
        this.codeVersion = version == null ? "development" : version;
    }

    /**
     * @param dataType the precision the trainer computes in
     * @param group    the experiments claimed together to train as lanes of one batch (this one included); one id
     *                 when it trains alone. A lane's curves equal its solo run's at the same thread count, but how a
     *                 run was executed is recorded, not assumed.
     */
    String json(WriteFence fence, String dataType, java.util.List<Long> group) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("attempt", fence.attempt());
        values.put("worker", fence.worker());
        values.put("workersPerInstance", workers);
        values.put("nd4jThreads", threads);
        values.put("nd4jBackend", Nd4j.getBackend().getClass().getSimpleName());
        values.put("dataType", dataType);
        values.put("lanes", group.size());
        if (group.size() > 1) {
            values.put("groupedWith", group);
        }
        values.put("codeVersion", codeVersion);
        values.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        values.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        values.put("arch", System.getProperty("os.arch"));
        values.put("cores", Runtime.getRuntime().availableProcessors());
        values.put("startedAt", Instant.now().toString());
        try {
            return json.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
