package io.grokscope.training;

import io.grokscope.model.BatchedMlp;
import io.grokscope.model.HostView;
import io.grokscope.model.MlpSpec;
import io.grokscope.model.Model;
import io.grokscope.model.SeededRandom;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.Examples;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains several compatible MLP runs ({@link BatchKey}) together as lanes of one {@link BatchedMlp}: one batched
 * forward and backward pass per step for all lanes, then each lane's own gradient norm, gradient filter and optimizer
 * step, and each lane's own callbacks.
 *
 * <h2>Each lane is its solo run</h2>
 * Every lane gets exactly what {@link Nd4jTrainer} gives the same config run alone, bit for bit: the same
 * initialisation and minibatch streams (from its own seed), the same losses and gradients ({@link BatchedMlp}), its
 * own optimizer, gradient filter and sampler (the solo classes, over its own parameter row), and the same callbacks
 * at the same steps ({@code onEvaluation}, {@code onProgressMeasures} with the lane as a {@link Model},
 * {@code onStep}, {@code onCheckpoint}) with the same checkpoints, so a lane can be resumed by a solo run and a solo
 * checkpoint by a lane. The loop below mirrors {@code Nd4jTrainer.Run} step for step; the lane-versus-solo tests in
 * {@code BatchedTrainerTest} hold the two to each other.
 *
 * <h2>Lanes end independently</h2>
 * A lane whose stop signal fires checkpoints (unless it just did) and ends; a lane whose budget is spent ends; a lane
 * whose listener, checkpoint or restore throws ends with that failure. The other lanes continue unchanged: a lane
 * that has ended only leaves its slot in the batched products idle (computed, never read). Lanes may resume from
 * checkpoints at different steps; when their minibatches then differ in size at some step (an epoch's last, smaller
 * batch), the step runs once per batch size. A failure inside the batched pass itself (e.g. a token out of range)
 * fails the lanes of that pass.
 *
 * <p>Everything mutable is created inside {@link #run}, so concurrent batches share nothing. Reproducibility is bit
 * for bit at a fixed BLAS thread count, as for solo runs, and a lane equals its solo run at the same count (OpenBLAS
 * computes other bits on one thread than on two). Callbacks run on the calling thread, as {@link TrainingListener}
 * requires; the kernels use the common fork-join pool for a second thread, as the solo model does.
 */
public final class BatchedTrainer {

    private static final long INIT_STREAM = 1;
    private static final long SAMPLING_STREAM = 2;

    /** One run of a batch: what {@link Trainer#run} takes. */
    public record Lane(RunConfig config, Checkpoint resumeFrom, TrainingListener listener, StopSignal stop) {
        public Lane {
            Objects.requireNonNull(config, "config");
            listener = listener == null ? TrainingListener.NONE : listener;
            stop = stop == null ? StopSignal.NEVER : stop;
        }
    }

    /** How one lane ended: its outcome, or the failure that ended it (then {@code outcome} is null). */
    public record LaneResult(TrainingOutcome outcome, RuntimeException failure) {
        public boolean failed() {
            return failure != null;
        }
    }

    private final Function<TaskSpec, TaskData> tasks;
    private final DataType dataType;

    /** Trains in FP32 on tables from {@link AlgorithmicTask#generate}. */
    public BatchedTrainer() {
        this(AlgorithmicTask::generate, DataType.FLOAT);
    }

    /** As {@link Nd4jTrainer#Nd4jTrainer(Function, DataType)}. */
    public BatchedTrainer(Function<TaskSpec, TaskData> tasks, DataType dataType) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.dataType = Objects.requireNonNull(dataType, "dataType");
    }

    /**
     * Trains (or resumes) every lane to its own end.
     *
     * @param lanes runs with one {@link BatchKey}
     * @return one result per lane, in order
     * @throws IllegalArgumentException when the lanes are not compatible (nothing has run then)
     */
    public List<LaneResult> run(List<Lane> lanes) {
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("no lanes");
        }
        Optional<BatchKey> key = BatchKey.of(lanes.get(0).config());
        for (Lane lane : lanes) {
            if (key.isEmpty() || !key.equals(BatchKey.of(lane.config()))) {
                throw new IllegalArgumentException("runs that cannot share a batch: " + key + " vs "
                        + BatchKey.of(lane.config()));
            }
        }
        Map<TaskSpec, TaskData> data = new HashMap<>();
        List<MlpSpec> specs = new ArrayList<>();
        long[] seeds = new long[lanes.size()];
        for (int l = 0; l < lanes.size(); l++) {
            RunConfig config = lanes.get(l).config();
            data.computeIfAbsent(config.task(), tasks);
            specs.add((MlpSpec) config.model());
            seeds[l] = SeededRandom.stream(config.training().seed(), INIT_STREAM).nextLong();
        }
        int elements = data.get(lanes.get(0).config().task()).elements();
        BatchedMlp model = new BatchedMlp(specs, elements, dataType, seeds);
        List<LaneRun> runs = new ArrayList<>();
        for (int l = 0; l < lanes.size(); l++) {
            Lane lane = lanes.get(l);
            runs.add(new LaneRun(l, lane, data.get(lane.config().task()), model.lane(l)));
        }
        for (LaneRun run : runs) {
            run.guard(run::start);
        }
        var loss = lanes.get(0).config().training().loss();
        while (true) {
            for (LaneRun run : runs) {
                if (run.result == null) {
                    run.guard(run::checkEnd);
                }
            }
            Map<Integer, List<LaneRun>> bySize = new LinkedHashMap<>();
            Examples[] batches = new Examples[runs.size()];
            for (LaneRun run : runs) {
                if (run.result == null) {
                    run.guard(() -> {
                        batches[run.index] = run.sampler.next();
                        bySize.computeIfAbsent(batches[run.index].size(), n -> new ArrayList<>()).add(run);
                    });
                }
            }
            if (bySize.isEmpty()) {
                break;
            }
            for (List<LaneRun> group : bySize.values()) {
                Examples[] groupBatches = new Examples[runs.size()];
                for (LaneRun run : group) {
                    groupBatches[run.index] = batches[run.index];
                }
                try {
                    model.lossAndGradients(groupBatches, loss);
                } catch (RuntimeException e) {
                    for (LaneRun run : group) {
                        run.fail(e);
                    }
                    continue;
                }
                for (LaneRun run : group) {
                    run.guard(run::update);
                }
            }
            for (LaneRun run : runs) {
                if (run.result == null && batches[run.index] != null) {
                    run.guard(run::afterUpdate);
                }
            }
        }
        List<LaneResult> results = new ArrayList<>();
        for (LaneRun run : runs) {
            results.add(run.result);
        }
        return results;
    }

    /** The mutable state of one lane: {@code Nd4jTrainer.Run} with the model pass taken out of {@code update}. */
    private final class LaneRun {
        final int index;
        final RunConfig config;
        final TrainingSpec training;
        final TaskData data;
        final TrainingListener listener;
        final StopSignal stop;
        final Checkpoint resumeFrom;
        final Model model;
        final Optimizer optimizer;
        final GradientFilter filter;
        final MinibatchSampler sampler;
        final HostView gradients;
        final HostView values;
        double lastGradNorm = Double.NaN;
        double lastLearningRate = Double.NaN;
        long step;
        long lastCheckpoint;
        StepMetrics last;
        LaneResult result; // set once the lane has ended

        LaneRun(int index, Lane lane, TaskData data, Model model) {
            this.index = index;
            this.config = lane.config();
            this.training = config.training();
            this.data = data;
            this.listener = lane.listener();
            this.stop = lane.stop();
            this.resumeFrom = lane.resumeFrom();
            this.model = model;
            this.optimizer = Optimizer.create(config.optimizer(), model.parameters());
            this.filter = GradientFilter.create(config.optimizer().gradientFilter(), model.parameters());
            this.sampler = new MinibatchSampler(data.train(), training.batchSize(),
                    SeededRandom.stream(training.seed(), SAMPLING_STREAM).nextLong());
            this.gradients = HostView.of(model.parameters().gradients());
            this.values = HostView.of(model.parameters().values());
        }

        /** Runs {@code action} unless the lane has ended; a failure ends this lane only. */
        void guard(Runnable action) {
            if (result != null) {
                return;
            }
            try {
                action.run();
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void fail(RuntimeException e) {
            if (result == null) {
                result = new LaneResult(null, e);
            }
        }

        void start() {
            if (resumeFrom != null) {
                restore(resumeFrom);
                step = resumeFrom.step();
            } else {
                last = evaluate(0);
                if (config.progressMeasuresEvery() > 0) {
                    listener.onProgressMeasures(0, model, data);
                }
            }
            lastCheckpoint = step;
        }

        /** Before a step: ends the lane when its budget is spent or a stop is requested. */
        void checkEnd() {
            if (step >= training.steps()) {
                if (last == null) { // resumed at the very end
                    last = evaluate(step);
                }
                result = new LaneResult(new TrainingOutcome(step, true, last), null);
            } else if (stop.stopRequested()) {
                // As Nd4jTrainer: no extra evaluation, a checkpoint unless one was just written.
                if (lastCheckpoint != step) {
                    listener.onCheckpoint(checkpoint(step));
                }
                result = new LaneResult(new TrainingOutcome(step, false, last), null);
            }
        }

        /** After the batched pass left this lane's gradients: norm, filter, optimizer, as Nd4jTrainer's update. */
        void update() {
            long next = step + 1;
            lastGradNorm = Math.sqrt(gradients.sumOfSquares());
            filter.apply(gradients);
            lastLearningRate = config.optimizer().learningRateAt(next);
            optimizer.step(next, lastLearningRate);
        }

        void afterUpdate() {
            step++;
            listener.onStep(step);
            long steps = training.steps();
            boolean end = step == steps;
            if (end || step % training.evalEvery() == 0) {
                last = evaluate(step);
            }
            int measures = config.progressMeasuresEvery();
            if (measures > 0 && (end || step % measures == 0)) {
                listener.onProgressMeasures(step, model, data);
            }
            if (end || step % training.checkpointEvery() == 0) {
                listener.onCheckpoint(checkpoint(step));
                lastCheckpoint = step;
            }
        }

        StepMetrics evaluate(long at) {
            Model.Evaluation train = model.evaluate(data.train(), training.loss());
            Model.Evaluation test = model.evaluate(data.test(), training.loss());
            StepMetrics metrics = new StepMetrics(at, train.loss(), train.accuracy(), test.loss(), test.accuracy(),
                    Math.sqrt(values.sumOfSquares()), Math.sqrt(TrainingState.sumOfSquares(model.tokenEmbedding())), lastGradNorm,
                    lastLearningRate);
            listener.onEvaluation(metrics);
            return metrics;
        }

        Checkpoint checkpoint(long at) {
            return TrainingState.capture(at, model, optimizer, filter, sampler);
        }

        void restore(Checkpoint checkpoint) {
            TrainingState.restore(checkpoint, training.steps(), model, optimizer, filter, sampler);
        }
    }

}
