package io.grokscope.history;

import io.grokscope.database.TrainingDatabase;
import io.grokscope.metrics.WriteFence;
import io.grokscope.model.HostView;
import io.grokscope.model.Model;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The parameter history of every run, in PostgreSQL ({@code parameter_snapshot}): one row per kept snapshot, the
 * parameters only in {@link CheckpointCodec}'s format (state and counters empty), FP32.
 *
 * <p>Why PostgreSQL rather than the data folder: a snapshot is written under the same fence, in the same transaction
 * as its thinning, as every other write of the run (a stalled attempt that lost its lease writes nothing); it is deleted
 * with the experiment by the foreign key's cascade; any instance of the service can serve or recompute from it; and the
 * backup of the database is the backup of the history. At ≤ 100 MB per run (the default budget) the rows are ordinary
 * TOASTed values.
 *
 * <p>Writes go through the job pool's connections ({@link TrainingDatabase}), reads through the API's.
 */
@Repository
public class ParameterHistory {

    private final JdbcTemplate reader;
    private final JdbcTemplate writer;
    private final TransactionTemplate transactions;
    private final HistorySettings settings;

    ParameterHistory(JdbcTemplate reader, TrainingDatabase training, HistorySettings settings) {
        this.reader = reader;
        this.writer = training.jdbc();
        this.transactions = training.transactions();
        this.settings = settings;
    }

    /** The model's parameters at {@code step} as a snapshot (a checkpoint without optimizer state). */
    public static Checkpoint snapshot(long step, Model model) {
        Map<String, Checkpoint.Tensor> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : model.parameters().named().entrySet()) {
            parameters.put(e.getKey(), new Checkpoint.Tensor(e.getValue().shape(),
                    HostView.of(e.getValue()).toFloatArray()));
        }
        return new Checkpoint(step, parameters, Map.of(), Map.of());
    }

    /**
     * Stores the snapshot if the fence holds and the budget has room for one, and drops the snapshots the thinning no
     * longer keeps, in one transaction. True when the fence held (also when the budget holds no snapshot at all).
     *
     * @param cadence the run's progress-measure cadence
     */
    public boolean save(WriteFence fence, Checkpoint snapshot, long cadence) {
        byte[] payload = CheckpointCodec.encode(snapshot);
        HistoryThinning thinning = HistoryThinning.forBudget(settings.budget().toBytes(), payload.length, cadence);
        long step = snapshot.step();
        Boolean saved = transactions.execute(status -> {
            if (!fence.lock(writer)) {
                return false;
            }
            if (thinning == null) {
                return true;
            }
            // a repeated step (a resumed attempt measuring again) holds the same parameters: keep the first
            writer.update("insert into parameter_snapshot (experiment_id, step, payload) values (?, ?, ?)"
                    + " on conflict (experiment_id, step) do nothing", fence.experimentId(), step, payload);
            if (thinning.hasTail()) {
                writer.update("delete from parameter_snapshot where experiment_id = ? and step <> ? and step >= ?"
                        + " and step % ? <> 0", fence.experimentId(), step, thinning.headEnd(), thinning.stride(step));
            } else {
                writer.update("delete from parameter_snapshot where experiment_id = ? and step <> ? and step >= ?",
                        fence.experimentId(), step, thinning.headEnd());
            }
            return true;
        });
        return Boolean.TRUE.equals(saved);
    }

    /** Drops snapshots after {@code step} (written by an attempt that died after its last checkpoint). */
    public boolean deleteAfter(WriteFence fence, long step) {
        Boolean deleted = transactions.execute(status -> {
            if (!fence.lock(writer)) {
                return false;
            }
            writer.update("delete from parameter_snapshot where experiment_id = ? and step > ?", fence.experimentId(),
                    step);
            return true;
        });
        return Boolean.TRUE.equals(deleted);
    }

    /** The stored steps with their sizes, ascending. */
    public List<StoredStep> steps(long experimentId) {
        return reader.query("select step, octet_length(payload), created_at from parameter_snapshot"
                + " where experiment_id = ? order by step", (rs, i) -> new StoredStep(rs.getLong(1), rs.getLong(2),
                        rs.getTimestamp(3).toInstant()), experimentId);
    }

    /** The snapshot at {@code step}, if stored. */
    public Optional<Checkpoint> load(long experimentId, long step) {
        return reader.query("select payload from parameter_snapshot where experiment_id = ? and step = ?",
                (rs, i) -> CheckpointCodec.decode(rs.getBytes(1)), experimentId, step).stream().findFirst();
    }

    /** The budget in bytes per run. */
    public long budgetBytes() {
        return settings.budget().toBytes();
    }

    /**
     * One stored snapshot.
     *
     * @param step      the training step
     * @param bytes     its stored size
     * @param createdAt when it was written
     */
    public record StoredStep(long step, long bytes, java.time.Instant createdAt) {
    }
}
