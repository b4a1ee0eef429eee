package io.grokscope.jobs;

import io.grokscope.analysis.Metric;
import io.grokscope.analysis.ProgressMeasurement;
import io.grokscope.analysis.ProgressMeasures;
import io.grokscope.database.DatabaseOutage;
import io.grokscope.history.ParameterHistory;
import io.grokscope.metrics.MetricPoint;
import io.grokscope.metrics.MetricSink;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.model.Loss;
import io.grokscope.model.Model;
import io.grokscope.task.TaskData;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import io.grokscope.training.StepMetrics;
import io.grokscope.training.TrainingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a training run's callbacks into stored data: metric rows (through the asynchronous sink, so the training
 * thread does not wait on the database), progress measures and spectra, the parameter history, and checkpoints. A
 * checkpoint is stored only after every metric up to its step is, so a run resumed from it never has a gap.
 */
final class RecordingListener implements TrainingListener {

    private final WriteFence fence;
    private final MetricSink sink;
    private final SpectrumStore spectra;
    private final JobRepository repository;
    private final JobControl control;
    private final Duration outageTolerance;
    private final ParameterHistory history;
    private final Loss loss;
    private final int measureCadence;
    private ProgressMeasures measures;
    private long checkpointBytes;

    RecordingListener(WriteFence fence, MetricSink sink, SpectrumStore spectra, JobRepository repository,
            JobControl control, Duration outageTolerance, ParameterHistory history, Loss loss, int measureCadence) {
        this.fence = fence;
        this.sink = sink;
        this.spectra = spectra;
        this.repository = repository;
        this.control = control;
        this.outageTolerance = outageTolerance;
        this.history = history;
        this.loss = loss;
        this.measureCadence = measureCadence;
    }

    @Override
    public void onEvaluation(StepMetrics m) {
        long step = m.step();
        List<MetricPoint> points = new ArrayList<>(8);
        add(points, Metric.TRAIN_LOSS, step, m.trainLoss());
        add(points, Metric.TRAIN_ACC, step, m.trainAccuracy());
        add(points, Metric.TEST_LOSS, step, m.testLoss());
        add(points, Metric.TEST_ACC, step, m.testAccuracy());
        add(points, Metric.WEIGHT_NORM, step, m.weightNorm());
        add(points, Metric.WEIGHT_NORM_SQ, step, m.weightNorm() * m.weightNorm());
        add(points, Metric.EMBED_NORM, step, m.embedNorm());
        add(points, Metric.GRAD_NORM, step, m.gradNorm());
        add(points, Metric.LEARNING_RATE, step, m.learningRate());
        sink.offer(points);
    }

    @Override
    public void onStep(long step) {
        control.reached(step);
    }

    @Override
    public void onProgressMeasures(long step, Model model, TaskData data) {
        if (measures == null) {
            measures = ProgressMeasures.forTask(data, loss);
        }
        ProgressMeasurement measurement = measures.measure(model);
        List<MetricPoint> points = new ArrayList<>(measurement.values().size());
        for (Map.Entry<Metric, Double> value : measurement.values().entrySet()) {
            add(points, value.getKey(), step, value.getValue());
        }
        sink.offer(points);
        if (measurement.spectrum() != null) {
            int[] keys = measurement.keyFrequencies().stream().mapToInt(Integer::intValue).toArray();
            double[] excluded = measurement.singleFrequencyExcludedLosses().isEmpty() ? null
                    : measurement.singleFrequencyExcludedLosses().stream().mapToDouble(Double::doubleValue).toArray();
            // Written on the training thread (one row per measurement, rare): waits out a database restart.
            boolean saved = DatabaseOutage.retry("spectrum of experiment " + fence.experimentId() + " at step " + step,
                    outageTolerance, () -> spectra.save(fence, step, measurement.spectrum().embedNorms(),
                            measurement.spectrum().unembedNorms(), keys, excluded));
        }
        if (history != null) {
            var snapshot = ParameterHistory.snapshot(step, model);
            boolean saved = DatabaseOutage.retry("parameter snapshot of experiment " + fence.experimentId()
                    + " at step " + step, outageTolerance, () -> history.save(fence, snapshot, measureCadence));
            if (!saved) {
                control.leaseLost();
            }
        }
    }

    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        sink.flush();
        byte[] payload = CheckpointCodec.encode(checkpoint);
        checkpointBytes = payload.length;
        long step = checkpoint.step();
        boolean saved = DatabaseOutage.retry("checkpoint of experiment " + fence.experimentId() + " at step " + step,
                outageTolerance, () -> repository.saveCheckpoint(fence, step, payload));
        if (!saved) {
            control.leaseLost();
        }
    }

    long checkpointBytes() {
        return checkpointBytes;
    }

    /** The step-0 gradient norm and learning rate are undefined (NaN): no row rather than a NaN row. */
    private static void add(List<MetricPoint> points, Metric metric, long step, double value) {
        if (!Double.isNaN(value)) {
            points.add(new MetricPoint(metric, step, value));
        }
    }
}
