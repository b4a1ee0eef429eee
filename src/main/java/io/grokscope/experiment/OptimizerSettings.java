package io.grokscope.experiment;

import io.grokscope.training.OptimizerSpec;
import io.grokscope.training.OptimizerType;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;

/** The optimizer; absent fields take Nanda et al.'s AdamW (lr 1e-3, wd 1, betas 0.9/0.98, 10 warm-up steps). */
@Schema(description = "The optimizer and an optional Grokfast gradient filter.")
public record OptimizerSettings(
        OptimizerType type,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("" + ExperimentLimits.MAX_LEARNING_RATE)
        Double learningRate,
        @DecimalMin("0") @DecimalMax("" + ExperimentLimits.MAX_WEIGHT_DECAY) Double weightDecay,
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta1,
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta2,
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double momentum,
        @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Integer warmupSteps,
        @Valid GradientFilterSettings gradientFilter) {

    OptimizerSettings withDefaults() {
        OptimizerSpec d = OptimizerSpec.nanda();
        OptimizerType t = type == null ? d.type() : type;
        return new OptimizerSettings(t, or(learningRate, d.learningRate()), or(weightDecay, d.weightDecay()),
                or(beta1, d.beta1()), or(beta2, d.beta2()), or(momentum, t == OptimizerType.SGD ? 0.9 : 0.0),
                or(warmupSteps, d.warmupSteps()), gradientFilter == null ? null : gradientFilter.withDefaults());
    }

    OptimizerSpec toSpec() {
        OptimizerSettings s = withDefaults();
        return new OptimizerSpec(s.type, s.learningRate, s.weightDecay, s.beta1, s.beta2,
                OptimizerSpec.nanda().epsilon(), s.momentum, s.warmupSteps,
                s.gradientFilter == null ? null : s.gradientFilter.toSpec());
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
