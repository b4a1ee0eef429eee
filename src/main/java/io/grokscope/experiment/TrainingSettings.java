package io.grokscope.experiment;

import io.grokscope.model.Loss;
import io.grokscope.training.TrainingSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * The budget and cadence. {@code batchSize} null means full batch, as in Nanda et al.; absent fields give 10 000 steps
 * of full-batch cross-entropy, evaluated every 100 steps and checkpointed every 1 000.
 */
@Schema(description = "The training budget and cadence; batchSize null means full batch.")
public record TrainingSettings(
        @Min(1) Integer steps,
        @Schema(nullable = true) @Min(1) @Max(ExperimentLimits.MAX_BATCH_SIZE) Integer batchSize,
        Loss loss,
        @Min(1) @Max(ExperimentLimits.MAX_STEPS) Integer evalEvery,
        @Min(1) @Max(ExperimentLimits.MAX_STEPS) Integer checkpointEvery,
        @PositiveOrZero Long seed) {

    static final int DEFAULT_STEPS = 10_000;

    TrainingSettings withDefaults() {
        return new TrainingSettings(steps == null ? DEFAULT_STEPS : steps, batchSize,
                loss == null ? Loss.CROSS_ENTROPY : loss, evalEvery == null ? 100 : evalEvery,
                checkpointEvery == null ? 1000 : checkpointEvery, seed == null ? 0L : seed);
    }

    TrainingSpec toSpec() {
        TrainingSettings s = withDefaults();
        return new TrainingSpec(s.steps, s.batchSize, s.loss, s.evalEvery, s.checkpointEvery, s.seed);
    }
}
