package io.grokscope.experiment;

import io.grokscope.training.RunConfig;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What a researcher submits. Only {@code name}, {@code task.operation} and {@code model.type} are required; every
 * other field has a default (Nanda et al.'s setup), and {@link #withDefaults()} gives the complete spec that is stored
 * and returned, so a stored experiment always says exactly what was run.
 */
@ConsistentExperimentSpec
@Schema(description = "An experiment spec; absent fields take defaults and the stored spec is the complete one.")
public record ExperimentSpec(
        @NotBlank @Size(max = ExperimentLimits.MAX_NAME_LENGTH)
        @Pattern(regexp = "([\\p{L}\\p{N}][\\p{L}\\p{N} ._:/+=-]*)?", message = "must start with a letter or digit and "
                + "contain only letters, digits, spaces and . _ : / + = -")
        String name,
        @NotNull @Valid TaskSettings task,
        @NotNull @Valid ModelSettings model,
        @Valid OptimizerSettings optimizer,
        @Valid TrainingSettings training,
        @Valid AnalysisSettings analysis,
        @Min(-ExperimentLimits.MAX_PRIORITY) @Max(ExperimentLimits.MAX_PRIORITY) Integer priority) {

    /** The complete spec: every absent field set to its default. Idempotent. */
    public ExperimentSpec withDefaults() {
        return new ExperimentSpec(name, task.withDefaults(), model.withDefaults(),
                (optimizer == null ? new OptimizerSettings(null, null, null, null, null, null, null, null) : optimizer)
                        .withDefaults(),
                (training == null ? new TrainingSettings(null, null, null, null, null, null) : training).withDefaults(),
                (analysis == null ? new AnalysisSettings(null, null, null, null) : analysis).withDefaults(),
                priority == null ? 0 : priority);
    }

    /** The training engine's view of this spec. */
    public RunConfig toRunConfig() {
        ExperimentSpec s = withDefaults();
        var model = s.model.toSpec();
        var taskSettings = s.task;
        var task = new io.grokscope.task.TaskSpec(taskSettings.operation(), taskSettings.modulus(),
                taskSettings.trainFraction(), taskSettings.seed(), taskSettings.expression());
        return new RunConfig(task, model, s.optimizer.toSpec(), s.training.toSpec(),
                s.analysis.progressMeasuresEvery());
    }
}
