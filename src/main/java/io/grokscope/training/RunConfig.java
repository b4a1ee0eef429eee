package io.grokscope.training;

import io.grokscope.model.ModelSpec;
import io.grokscope.task.TaskSpec;
import java.util.Objects;

/**
 * Everything that determines a training run. Two runs with equal configs, the same ND4J thread configuration and
 * the same code produce the same curves bit for bit.
 *
 * @param progressMeasuresEvery how often the listener is offered the model for progress measures (0 = never)
 */
public record RunConfig(TaskSpec task, ModelSpec model, OptimizerSpec optimizer, TrainingSpec training,
        int progressMeasuresEvery) {

    public RunConfig {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(training, "training");
        if (progressMeasuresEvery < 0) {
            throw new IllegalArgumentException("progressMeasuresEvery must be >= 0");
        }
    }
}
