package io.grokscope.training;

/**
 * Trains one model on one task. Implementations hold no per-run state: everything mutable (model, optimizer state,
 * random generator) is created inside {@link #run} from the config's seeds, so concurrent runs never share it.
 */
public interface Trainer {

    /**
     * Runs (or resumes) training.
     *
     * @param config     what to train
     * @param resumeFrom a checkpoint of the same config to continue from, or null to start at step 0
     * @param listener   receives metrics, progress-measure hooks and checkpoints on the training thread
     * @param stop       polled between steps; when it answers true the run checkpoints and returns early
     */
    TrainingOutcome run(RunConfig config, Checkpoint resumeFrom, TrainingListener listener, StopSignal stop);
}
