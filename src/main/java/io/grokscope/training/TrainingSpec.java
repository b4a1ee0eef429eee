package io.grokscope.training;

import io.grokscope.model.Loss;

/**
 * The training budget and cadence.
 *
 * @param steps           number of optimizer updates
 * @param batchSize       examples per update, or null for full batch (one update per epoch)
 * @param loss            the training loss
 * @param evalEvery       evaluate train and test loss and accuracy every this many steps (and at step 0 and the end)
 * @param checkpointEvery offer a checkpoint to the listener every this many steps
 * @param seed            seeds the model initialisation and minibatch sampling; independent of the task's split seed
 */
public record TrainingSpec(int steps, Integer batchSize, Loss loss, int evalEvery, int checkpointEvery, long seed) {

    public TrainingSpec {
        if (steps < 1 || evalEvery < 1 || checkpointEvery < 1) {
            throw new IllegalArgumentException("steps, evalEvery and checkpointEvery must be positive");
        }
        if (batchSize != null && batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive or null (full batch)");
        }
        if (loss == null) {
            throw new IllegalArgumentException("loss is required");
        }
    }
}
