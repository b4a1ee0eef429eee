package io.grokscope.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.model.Model;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import io.grokscope.task.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Lanes of a batch against solo {@link Nd4jTrainer} runs of the same configs: every callback, bit for bit. */
class BatchedTrainerTest {

    private final Nd4jTrainer solo = new Nd4jTrainer();
    private final BatchedTrainer batched = new BatchedTrainer();

    @BeforeAll
    static void threads() {
        TrainingFixtures.fixThreads();
    }

    /** Everything a listener is told, in order, including what the model looked like at each progress measure. */
    static class Recorder implements TrainingListener {
        final List<StepMetrics> metrics = new ArrayList<>();
        final List<Long> steps = new ArrayList<>();
        final List<Long> measureSteps = new ArrayList<>();
        final List<float[]> measuredLogits = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();

        @Override
        public void onStep(long step) {
            steps.add(step);
        }

        @Override
        public void onEvaluation(StepMetrics m) {
            metrics.add(m);
        }

        @Override
        public void onProgressMeasures(long step, Model model, TaskData data) {
            measureSteps.add(step);
            measuredLogits.add(model.logits(data.table().left(), data.table().right()).data().asFloat());
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            checkpoints.add(checkpoint);
        }

        /** Asserts this recorder heard exactly what {@code expected} heard after step {@code from}. */
        void assertSameAs(Recorder expected, long from) {
            assertThat(metrics).isEqualTo(expected.metrics.stream().filter(m -> m.step() > from).toList());
            assertThat(steps).isEqualTo(expected.steps.stream().filter(s -> s > from).toList());
            assertThat(checkpoints).isEqualTo(expected.checkpoints.stream().filter(c -> c.step() > from).toList());
            List<Long> measured = expected.measureSteps.stream().filter(s -> s > from).toList();
            assertThat(measureSteps).isEqualTo(measured);
            int skip = expected.measureSteps.size() - measured.size();
            for (int k = 0; k < measured.size(); k++) {
                assertThat(measuredLogits.get(k)).isEqualTo(expected.measuredLogits.get(skip + k));
            }
        }
    }

    private static MlpSpec mlp(double initScale) {
        return new MlpSpec(8, List.of(24), Activation.RELU, InputEncoding.EMBEDDING, initScale);
    }

    private static RunConfig config(long taskSeed, double initScale, OptimizerSpec optimizer, int steps, long seed,
            Integer batchSize, int evalEvery) {
        return new RunConfig(TaskSpec.of(Operation.ADD, 11, 0.5, taskSeed), mlp(initScale), optimizer,
                new TrainingSpec(steps, batchSize, Loss.CROSS_ENTROPY, evalEvery, 25, seed), 20);
    }

    /** Four runs that differ in everything a lane may differ in: seeds, split, init scale, optimizer, filter, budget. */
    private static List<RunConfig> sweep(Integer batchSize) {
        return List.of(
                config(7, 1.0, TrainingFixtures.adamW(3e-3, 1.0, null), 60, 1, batchSize, 10),
                config(8, 0.7, TrainingFixtures.adamW(1e-2, 0.1, new GradientFilterSpec.Ema(0.9, 2.0)), 60, 2,
                        batchSize, 7),
                config(7, 1.5, new OptimizerSpec(OptimizerType.ADAM, 2e-3, 0.01, 0.9, 0.999, 1e-8, 0, 0,
                        new GradientFilterSpec.MovingAverage(5, 1.0)), 45, 3, batchSize, 10),
                config(9, 1.0, new OptimizerSpec(OptimizerType.SGD, 0.1, 1e-3, 0.9, 0.98, 1e-8, 0.5, 5, null), 70,
                        4, batchSize, 10));
    }

    private Recorder soloRun(RunConfig config, Checkpoint from, StopSignal stop) {
        Recorder r = new Recorder();
        solo.run(config, from, r, stop);
        return r;
    }

    private void assertLanesEqualSolo(Integer batchSize) {
        List<RunConfig> configs = sweep(batchSize);
        List<Recorder> lanes = new ArrayList<>();
        List<BatchedTrainer.Lane> batch = new ArrayList<>();
        for (RunConfig c : configs) {
            Recorder r = new Recorder();
            lanes.add(r);
            batch.add(new BatchedTrainer.Lane(c, null, r, null));
        }
        List<BatchedTrainer.LaneResult> results = batched.run(batch);
        for (int l = 0; l < configs.size(); l++) {
            Recorder expected = soloRun(configs.get(l), null, StopSignal.NEVER);
            lanes.get(l).assertSameAs(expected, -1);
            assertThat(results.get(l).failed()).isFalse();
            assertThat(results.get(l).outcome().completed()).isTrue();
            assertThat(results.get(l).outcome().lastStep()).isEqualTo(configs.get(l).training().steps());
            assertThat(results.get(l).outcome().last()).isEqualTo(expected.metrics.get(expected.metrics.size() - 1));
        }
    }

    @Test
    void minibatchLanesEqualTheirSoloRuns() {
        assertLanesEqualSolo(16);
    }

    @Test
    void fullBatchLanesEqualTheirSoloRuns() {
        assertLanesEqualSolo(null);
    }

    /** At one BLAS thread the batch splits its products over two threads; the lanes still equal solo runs there. */
    @Test
    void lanesEqualTheirSoloRunsAtOneBlasThread() {
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
        org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(1);
        try {
            assertLanesEqualSolo(16);
        } finally {
            TrainingFixtures.fixThreads();
        }
    }

    /** Stops once {@code after} updates were reported to {@code recorder}. */
    private static StopSignal stopAfter(Recorder recorder, LongPredicate when) {
        return () -> !recorder.steps.isEmpty() && when.test(recorder.steps.get(recorder.steps.size() - 1));
    }

    @Test
    void aStoppedOrFailedLaneLeavesTheOthersAsTheirSoloRuns() {
        List<RunConfig> configs = sweep(16);
        Recorder stopped = new Recorder();
        Recorder failing = new Recorder() {
            @Override
            public void onEvaluation(StepMetrics m) {
                super.onEvaluation(m);
                if (m.step() == 20) {
                    throw new IllegalStateException("metric store down");
                }
            }
        };
        Recorder first = new Recorder();
        Recorder last = new Recorder();
        List<BatchedTrainer.LaneResult> results = batched.run(List.of(
                new BatchedTrainer.Lane(configs.get(0), null, first, null),
                new BatchedTrainer.Lane(configs.get(1), null, stopped, stopAfter(stopped, s -> s >= 13)),
                new BatchedTrainer.Lane(configs.get(2), null, failing, null),
                new BatchedTrainer.Lane(configs.get(3), null, last, null)));

        first.assertSameAs(soloRun(configs.get(0), null, StopSignal.NEVER), -1);
        last.assertSameAs(soloRun(configs.get(3), null, StopSignal.NEVER), -1);

        Recorder soloStopped = new Recorder();
        TrainingOutcome soloOutcome = solo.run(configs.get(1), null, soloStopped, stopAfter(soloStopped, s -> s >= 13));
        stopped.assertSameAs(soloStopped, -1);
        assertThat(results.get(1).outcome()).isEqualTo(soloOutcome);
        assertThat(soloOutcome.completed()).isFalse();
        assertThat(soloOutcome.lastStep()).isEqualTo(13);
        assertThat(stopped.checkpoints.get(stopped.checkpoints.size() - 1).step()).isEqualTo(13);

        assertThat(results.get(2).failed()).isTrue();
        assertThat(results.get(2).failure()).hasMessage("metric store down");
        assertThat(failing.steps).endsWith(20L);
        assertThat(failing.metrics.get(failing.metrics.size() - 1).step()).isEqualTo(20);
    }

    @Test
    void lanesResumeFromTheirOwnCheckpoints() {
        List<RunConfig> configs = sweep(16);
        List<Recorder> full = new ArrayList<>();
        for (RunConfig c : configs) {
            full.add(soloRun(c, null, StopSignal.NEVER));
        }
        // Lane 0 resumes at 25, lane 1 starts afresh, lane 2 resumes at its last step (nothing left but the final
        // evaluation), lane 3 resumes from a stop checkpoint at 13 taken by a solo run. An epoch is 60 train pairs in
        // batches of 16, 16, 16 and 12, so lanes 0 and 3 (one batch into an epoch) draw their 12-pair batch a step
        // before lane 1: those steps take two batched passes, one per batch size.
        Recorder stoppedSolo = new Recorder();
        solo.run(configs.get(3), null, stoppedSolo, stopAfter(stoppedSolo, s -> s >= 13));
        Checkpoint[] from = {full.get(0).checkpoints.get(0), null,
                full.get(2).checkpoints.get(full.get(2).checkpoints.size() - 1),
                stoppedSolo.checkpoints.get(stoppedSolo.checkpoints.size() - 1)};
        assertThat(from[0].step()).isEqualTo(25);
        assertThat(from[2].step()).isEqualTo(45);
        assertThat(from[3].step()).isEqualTo(13);
        List<Recorder> lanes = new ArrayList<>();
        List<BatchedTrainer.Lane> batch = new ArrayList<>();
        for (int l = 0; l < configs.size(); l++) {
            Recorder r = new Recorder();
            lanes.add(r);
            batch.add(new BatchedTrainer.Lane(configs.get(l), from[l], r, null));
        }
        List<BatchedTrainer.LaneResult> results = batched.run(batch);
        for (int l = 0; l < configs.size(); l++) {
            long resumedAt = from[l] == null ? -1 : from[l].step();
            // What a solo run resumed from the same checkpoint hears, bit for bit ...
            lanes.get(l).assertSameAs(soloRun(configs.get(l), from[l], StopSignal.NEVER), -1);
            if (l != 2) {
                // ... which is the uninterrupted run's tail. (Resumed at its end, a run evaluates once more, with no
                // last update to report: that evaluation is not the uninterrupted run's.)
                lanes.get(l).assertSameAs(full.get(l), resumedAt);
            }
            assertThat(results.get(l).outcome().completed()).isTrue();
        }
    }

    @Test
    void aBadCheckpointFailsItsLaneOnly() {
        List<RunConfig> configs = sweep(16);
        Recorder other = new Recorder();
        Recorder donor = soloRun(configs.get(0), null, StopSignal.NEVER);
        RunConfig shortRun = config(7, 1.0, TrainingFixtures.adamW(3e-3, 1.0, null), 20, 1, 16, 10);
        List<BatchedTrainer.LaneResult> results = batched.run(List.of(
                new BatchedTrainer.Lane(shortRun, donor.checkpoints.get(1), new Recorder(), null), // step 50 > 20
                new BatchedTrainer.Lane(configs.get(3), null, other, null)));
        assertThat(results.get(0).failed()).isTrue();
        assertThat(results.get(0).failure()).isInstanceOf(IllegalArgumentException.class);
        other.assertSameAs(soloRun(configs.get(3), null, StopSignal.NEVER), -1);
    }

    @Test
    void incompatibleRunsAreRefusedBeforeAnythingRuns() {
        List<RunConfig> configs = sweep(16);
        RunConfig otherShape = new RunConfig(configs.get(0).task(), TrainingFixtures.mlp(8, 32),
                configs.get(0).optimizer(), configs.get(0).training(), 20);
        Recorder r = new Recorder();
        assertThatThrownBy(() -> batched.run(List.of(new BatchedTrainer.Lane(configs.get(0), null, r, null),
                new BatchedTrainer.Lane(otherShape, null, r, null)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.metrics).isEmpty();
    }
}
