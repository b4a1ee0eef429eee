package io.grokscope.history;

import io.grokscope.analysis.KeyFrequencyLosses;
import io.grokscope.analysis.Metric;
import io.grokscope.analysis.ProgressMeasures;
import io.grokscope.database.JobStatus;
import io.grokscope.database.TrainingDatabase;
import io.grokscope.metrics.WriteFence;
import io.grokscope.model.HostView;
import io.grokscope.model.Model;
import io.grokscope.model.Models;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.TaskData;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.RunConfig;
import java.sql.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Nanda et al.'s restricted and excluded loss over the whole run: the key frequencies are selected once, from the
 * latest stored model (the final one once the run has ended), and both losses are recomputed with that one set at
 * every snapshot of the parameter history, as the paper does with its checkpoints.
 *
 * <p>When a run ends ({@code JobRunner}) the result replaces the run's {@code restricted_loss} and
 * {@code excluded_loss} rows: afterwards those series hold these values at every stored step, from step 0, and a row
 * in {@code whole_run_measures} records the key set. Until then the rows written online are provisional (each computed
 * with that step's own key set); {@link #recorded} tells which case a run is in.
 */
@Service
public class WholeRunMeasures {

    private static final String FINISHED = "select 1 from job where experiment_id = ? and status in "
            + JobStatus.sqlList(JobStatus.TERMINAL) + " for share";

    /** How often the stored steps are listed before a running run's latest snapshot is found loadable. */
    private static final int LISTINGS = 3;

    private final ParameterHistory history;
    private final JdbcTemplate reader;
    private final JdbcTemplate writer;
    private final TransactionTemplate writes;

    WholeRunMeasures(ParameterHistory history, JdbcTemplate reader, TrainingDatabase training) {
        this.history = history;
        this.reader = reader;
        this.writer = training.jdbc();
        this.writes = training.transactions();
    }

    /**
     * The whole-run series of a run from its stored history; empty when it has no snapshot.
     *
     * @throws IllegalStateException when the task has no restricted and excluded loss (the reason is the message)
     */
    public Optional<Result> compute(long experimentId, RunConfig config) {
        List<ParameterHistory.StoredStep> steps = history.steps(experimentId);
        if (steps.isEmpty()) {
            return Optional.empty();
        }
        String unavailable = ProgressMeasures.unavailable(config.task()).get(Metric.RESTRICTED_LOSS);
        if (unavailable != null) {
            throw new IllegalStateException(unavailable);
        }
        TaskData data = AlgorithmicTask.generate(config.task());
        ProgressMeasures measures = ProgressMeasures.forTask(data, config.training().loss());
        Model model = Models.create(config.model(), data.elements(), DataType.FLOAT, 0);
        long keyStep = steps.get(steps.size() - 1).step();
        // While the run goes on, its next snapshot may thin the latest away between the listing and the load: the
        // key set then comes from the newer latest (a few tries; a run stores one snapshot per measurement).
        for (int listed = 1; !load(experimentId, keyStep, model); listed++) {
            steps = history.steps(experimentId);
            if (steps.isEmpty() || listed == LISTINGS) {
                return Optional.empty();
            }
            keyStep = steps.get(steps.size() - 1).step();
        }
        List<Integer> keys = measures.keyFrequencies(model);
        List<Point> points = new ArrayList<>(steps.size());
        for (ParameterHistory.StoredStep stored : steps) {
            // a snapshot thinned away meanwhile (the run goes on) is skipped
            if (load(experimentId, stored.step(), model)) {
                KeyFrequencyLosses losses = measures.lossesWith(model, keys);
                points.add(new Point(stored.step(), losses.restricted(), losses.excluded()));
            }
        }
        return Optional.of(new Result(keyStep, keys, points));
    }

    private boolean load(long experimentId, long step, Model model) {
        Optional<Checkpoint> snapshot = history.load(experimentId, step);
        if (snapshot.isEmpty()) {
            return false;
        }
        Map<String, INDArray> named = model.parameters().named();
        Map<String, Checkpoint.Tensor> stored = snapshot.get().parameters();
        if (!named.keySet().equals(stored.keySet())) {
            throw new IllegalStateException("snapshot at step " + step + " holds " + stored.keySet()
                    + ", the model has " + named.keySet());
        }
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            Checkpoint.Tensor tensor = stored.get(e.getKey());
            if (!Arrays.equals(tensor.shape(), e.getValue().shape())) {
                throw new IllegalStateException("snapshot tensor " + e.getKey() + " has shape "
                        + Arrays.toString(tensor.shape()) + ", the model's is " + Arrays.toString(e.getValue().shape()));
            }
            HostView.of(e.getValue()).setAll(tensor.values());
        }
        return true;
    }

    /** Stores the result for a running attempt that still owns the run (at its end). False when the fence fails. */
    public boolean store(WriteFence fence, Result result) {
        return store(fence.experimentId(), result, WriteFence.LOCK_OWNED_JOB, fence.experimentId(), fence.attempt(),
                fence.worker());
    }

    /** Stores the result for a run that has finished (recomputed on request). False when it is not finished. */
    public boolean storeFinished(long experimentId, Result result) {
        return store(experimentId, result, FINISHED, experimentId);
    }

    private boolean store(long experimentId, Result result, String guard, Object... guardArgs) {
        Boolean stored = writes.execute(status -> {
            if (writer.queryForList(guard, Integer.class, guardArgs).isEmpty()) {
                return false;
            }
            writer.update("delete from metric_point where experiment_id = ? and metric in (?, ?)", experimentId,
                    Metric.RESTRICTED_LOSS.wireName(), Metric.EXCLUDED_LOSS.wireName());
            List<Object[]> rows = new ArrayList<>(2 * result.points().size());
            for (Point point : result.points()) {
                rows.add(new Object[] {experimentId, Metric.RESTRICTED_LOSS.wireName(), point.step(),
                        point.restrictedLoss()});
                rows.add(new Object[] {experimentId, Metric.EXCLUDED_LOSS.wireName(), point.step(),
                        point.excludedLoss()});
            }
            writer.batchUpdate("insert into metric_point (experiment_id, metric, step, value) values (?, ?, ?, ?)",
                    rows);
            Integer[] keys = result.keyFrequencies().toArray(Integer[]::new);
            writer.update("""
                    insert into whole_run_measures (experiment_id, key_step, key_frequencies, steps)
                    values (?, ?, ?, ?)
                    on conflict (experiment_id) do update set key_step = excluded.key_step,
                        key_frequencies = excluded.key_frequencies, steps = excluded.steps, computed_at = now()
                    """, experimentId, result.keyStep(), keys, result.points().size());
            return true;
        });
        return Boolean.TRUE.equals(stored);
    }

    /** The stored whole-run record of a run, if its series have been recomputed. */
    public Optional<Recorded> recorded(long experimentId) {
        return reader.query("select key_step, key_frequencies, steps, computed_at from whole_run_measures"
                + " where experiment_id = ?", (rs, i) -> new Recorded(rs.getLong(1), ints(rs.getArray(2)),
                        rs.getInt(3), rs.getTimestamp(4).toInstant()), experimentId).stream().findFirst();
    }

    private static List<Integer> ints(Array array) throws java.sql.SQLException {
        return List.of((Integer[]) array.getArray());
    }

    /**
     * Restricted and excluded loss at every stored step with one key set.
     *
     * @param keyStep        the step of the model the key set was read from
     * @param keyFrequencies that key set
     * @param points         one point per stored snapshot, ascending
     */
    public record Result(long keyStep, List<Integer> keyFrequencies, List<Point> points) {
        public Result {
            keyFrequencies = List.copyOf(keyFrequencies);
            points = List.copyOf(points);
        }
    }

    /** The two losses at one stored step. */
    public record Point(long step, double restrictedLoss, double excludedLoss) {
    }

    /** What {@code whole_run_measures} records: the key set, the model it came from, and how many steps. */
    public record Recorded(long keyStep, List<Integer> keyFrequencies, int steps, java.time.Instant computedAt) {
    }
}
