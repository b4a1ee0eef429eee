package io.grokscope.jobs;

import io.grokscope.model.Model;
import io.grokscope.task.TaskData;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.StepMetrics;
import io.grokscope.training.TrainingListener;

/**
 * A fault for tests of the failure policy on the packaged service: a run that kills its JVM, the way a native crash
 * or the kernel's OOM killer would ({@code Runtime.halt}: no shutdown hook, no finally block).
 *
 * <p>Off unless the JVM is started with {@code -Dgrokscope.testing.halt-jvm-on-experiment=<id>} (and optionally
 * {@code -Dgrokscope.testing.halt-jvm-at-step=<step>}, default 20): only whoever launches the process can turn it on,
 * and they could kill it anyway. No request, spec or Spring property reaches it.
 */
final class TestFaults {

    static final String EXPERIMENT_PROPERTY = "grokscope.testing.halt-jvm-on-experiment";
    static final String STEP_PROPERTY = "grokscope.testing.halt-jvm-at-step";
    /** Makes the training thread of this experiment hang (an interruptible sleep) at the step, for the watchdog. */
    static final String HANG_PROPERTY = "grokscope.testing.hang-on-experiment";

    private TestFaults() {
    }

    /** {@code listener} itself, unless this JVM was told to die while training {@code experimentId}. */
    static TrainingListener wrap(long experimentId, TrainingListener listener) {
        Long victim = Long.getLong(EXPERIMENT_PROPERTY);
        Long hung = Long.getLong(HANG_PROPERTY);
        boolean hang = hung != null && hung == experimentId;
        if (!hang && (victim == null || victim != experimentId)) {
            return listener;
        }
        long haltAt = Long.getLong(STEP_PROPERTY, 20);
        return new TrainingListener() {
            @Override
            public void onStep(long step) {
                listener.onStep(step);
                if (hang && step == haltAt) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else if (!hang && step >= haltAt) {
                    System.err.println("[TestFaults] halting the JVM at step " + step + " of experiment "
                            + experimentId);
                    Runtime.getRuntime().halt(137);
                }
            }

            @Override
            public void onEvaluation(StepMetrics metrics) {
                listener.onEvaluation(metrics);
            }

            @Override
            public void onProgressMeasures(long step, Model model, TaskData data) {
                listener.onProgressMeasures(step, model, data);
            }

            @Override
            public void onCheckpoint(Checkpoint checkpoint) {
                listener.onCheckpoint(checkpoint);
            }
        };
    }
}
