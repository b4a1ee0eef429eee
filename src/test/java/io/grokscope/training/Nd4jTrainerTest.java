package io.grokscope.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.model.Model;
import io.grokscope.task.TaskData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Nd4jTrainerTest {

    private final Trainer trainer = new Nd4jTrainer();

    @BeforeAll
    static void threads() {
        TrainingFixtures.fixThreads();
    }

    /** Records everything a listener is told, in order. */
    static final class Recorder implements TrainingListener {
        final List<StepMetrics> metrics = new ArrayList<>();
        final List<Long> measureSteps = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();

        @Override
        public void onEvaluation(StepMetrics m) {
            metrics.add(m);
        }

        @Override
        public void onProgressMeasures(long step, Model model, TaskData data) {
            measureSteps.add(step);
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            checkpoints.add(checkpoint);
        }
    }

    private static RunConfig config(int steps, Integer batchSize, GradientFilterSpec filter, OptimizerSpec optimizer) {
        return new RunConfig(TrainingFixtures.addMod(23, 0.5), TrainingFixtures.mlp(16, 64),
                optimizer != null ? optimizer : TrainingFixtures.adamW(3e-3, 1.0, filter),
                TrainingFixtures.training(steps, batchSize, 10, 25, 11), 20);
    }

    @Test
    void mlpMemorisesAdditionModTwentyThree() {
        RunConfig config = new RunConfig(TrainingFixtures.addMod(23, 0.5), TrainingFixtures.mlp(32, 128),
                TrainingFixtures.adamW(1e-2, 0.1, null), TrainingFixtures.training(300, null, 50, 1000, 1), 0);
        Recorder recorder = new Recorder();
        TrainingOutcome outcome = trainer.run(config, null, recorder, StopSignal.NEVER);
        assertTrue(outcome.completed());
        assertEquals(300, outcome.lastStep());
        StepMetrics first = recorder.metrics.get(0);
        assertEquals(0, first.step());
        assertTrue(Double.isNaN(first.gradNorm()) && Double.isNaN(first.learningRate()));
        assertEquals(1.0, outcome.last().trainAccuracy(), "train accuracy after 300 steps: " + outcome.last());
        assertTrue(outcome.last().trainLoss() < 0.1 * first.trainLoss(), outcome.last().toString());
    }

    @Test
    void callbacksFollowTheirCadence() {
        Recorder recorder = new Recorder();
        trainer.run(config(55, null, null, null), null, recorder, StopSignal.NEVER);
        assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L, 55L), recorder.metrics.stream().map(StepMetrics::step).toList());
        assertEquals(List.of(0L, 20L, 40L, 55L), recorder.measureSteps);
        assertEquals(List.of(25L, 50L, 55L), recorder.checkpoints.stream().map(Checkpoint::step).toList());
        StepMetrics at10 = recorder.metrics.get(1);
        assertEquals(3e-3, at10.learningRate(), 1e-15);
        assertTrue(at10.gradNorm() > 0 && at10.weightNorm() > at10.embedNorm() && at10.embedNorm() > 0);
        assertEquals(recorder.metrics.get(0).weightNorm(), recorder.metrics.get(0).weightNorm());
    }

    @Test
    void sameSeedsGiveIdenticalCurvesAndDifferentSeedsDoNot() {
        RunConfig config = config(40, 32, new GradientFilterSpec.Ema(0.9, 2.0), null);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        trainer.run(config, null, a, StopSignal.NEVER);
        trainer.run(config, null, b, StopSignal.NEVER);
        assertEquals(a.metrics, b.metrics);
        RunConfig other = new RunConfig(config.task(), config.model(), config.optimizer(),
                TrainingFixtures.training(40, 32, 10, 25, 12), 20);
        Recorder c = new Recorder();
        trainer.run(other, null, c, StopSignal.NEVER);
        assertNotEquals(a.metrics.get(1), c.metrics.get(1));
    }

    @Test
    void concurrentRunsMatchASequentialRun() throws Exception {
        RunConfig config = config(40, 32, new GradientFilterSpec.MovingAverage(5, 1.0), null);
        Recorder sequential = new Recorder();
        trainer.run(config, null, sequential, StopSignal.NEVER);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<StepMetrics>>> futures = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                futures.add(pool.submit(() -> {
                    Recorder r = new Recorder();
                    trainer.run(config, null, r, StopSignal.NEVER);
                    return r.metrics;
                }));
            }
            for (Future<List<StepMetrics>> f : futures) {
                assertEquals(sequential.metrics, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resumingFromAStopCheckpointContinuesBitForBit() {
        // Minibatches with a partial last batch, an EMA filter and AdamW: every piece of state must round-trip.
        assertResumeIsExact(config(60, 48, new GradientFilterSpec.Ema(0.95, 3.0), null), 27);
        // Full batch, moving-average filter (ring not yet wrapped at the stop, wrapped after), SGD with momentum.
        OptimizerSpec sgd = new OptimizerSpec(OptimizerType.SGD, 0.05, 1e-3, 0.9, 0.98, 1e-8, 0.9, 5,
                new GradientFilterSpec.MovingAverage(8, 2.0));
        assertResumeIsExact(config(60, null, null, sgd), 30);
        // Adam with L2 and a moving average whose ring has wrapped several times before the stop.
        OptimizerSpec adam = new OptimizerSpec(OptimizerType.ADAM, 2e-3, 0.01, 0.9, 0.98, 1e-8, 0, 10,
                new GradientFilterSpec.MovingAverage(4, 5.0));
        assertResumeIsExact(config(60, 100, null, adam), 30);
    }

    private void assertResumeIsExact(RunConfig config, long stopAt) {
        Recorder uninterrupted = new Recorder();
        trainer.run(config, null, uninterrupted, StopSignal.NEVER);

        Recorder firstPart = new Recorder();
        AtomicLong polls = new AtomicLong();
        // The signal is polled before every update: answering true on poll stopAt+1 stops after stopAt updates.
        TrainingOutcome stopped = trainer.run(config, null, firstPart, () -> polls.incrementAndGet() > stopAt);
        assertFalse(stopped.completed());
        assertEquals(stopAt, stopped.lastStep());
        Checkpoint atStop = firstPart.checkpoints.get(firstPart.checkpoints.size() - 1);
        assertEquals(stopAt, atStop.step());

        Checkpoint decoded = CheckpointCodec.decode(CheckpointCodec.encode(atStop));
        assertEquals(atStop, decoded);
        Recorder secondPart = new Recorder();
        TrainingOutcome resumed = trainer.run(config, decoded, secondPart, StopSignal.NEVER);
        assertTrue(resumed.completed());

        List<StepMetrics> stitched = new ArrayList<>(firstPart.metrics);
        stitched.addAll(secondPart.metrics);
        assertEquals(uninterrupted.metrics, stitched);
        Checkpoint finalUninterrupted = uninterrupted.checkpoints.get(uninterrupted.checkpoints.size() - 1);
        Checkpoint finalResumed = secondPart.checkpoints.get(secondPart.checkpoints.size() - 1);
        assertEquals(finalUninterrupted, finalResumed);
    }

    @Test
    void aCheckpointFromAnotherArchitectureIsRejected() {
        Recorder recorder = new Recorder();
        trainer.run(config(25, null, null, null), null, recorder, StopSignal.NEVER);
        RunConfig wider = new RunConfig(TrainingFixtures.addMod(23, 0.5), TrainingFixtures.mlp(16, 65),
                TrainingFixtures.adamW(3e-3, 1.0, null), TrainingFixtures.training(50, null, 10, 25, 11), 0);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> trainer.run(wider, recorder.checkpoints.get(0), TrainingListener.NONE, StopSignal.NEVER));
        assertTrue(e.getMessage().contains("hidden.0.W"), e.getMessage());
    }
}
