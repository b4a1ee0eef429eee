package io.grokscope.training;

import io.grokscope.model.Model;
import io.grokscope.task.TaskData;

/** Observes a training run. All callbacks run on the training thread, between steps. */
public interface TrainingListener {

    /**
     * After every update, with the number of updates done: progress at step resolution, for a heartbeat that reports
     * the current step rather than the last evaluation's. Keep it cheap (it runs once per step).
     */
    default void onStep(long step) {
    }

    /** At step 0, every {@code evalEvery} steps and at the last step. */
    default void onEvaluation(StepMetrics metrics) {
    }

    /**
     * Every {@code progressMeasuresEvery} steps (and at the last step): the live model, for progress measures. The
     * model must not be modified or kept; copy what must outlive the call.
     */
    default void onProgressMeasures(long step, Model model, TaskData data) {
    }

    /** Every {@code checkpointEvery} steps, at the end, and when stopping early. */
    default void onCheckpoint(Checkpoint checkpoint) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
