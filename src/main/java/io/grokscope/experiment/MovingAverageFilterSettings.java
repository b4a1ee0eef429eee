package io.grokscope.experiment;

import io.grokscope.training.GradientFilterSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** Grokfast-MA; defaults are the paper's best setting, window 100, lambda 5. */
@Schema(description = "Grokfast-MA: g' = g + lambda * mean of the last window gradients.")
public record MovingAverageFilterSettings(
        @Min(1) @Max(ExperimentLimits.MAX_MA_WINDOW) Integer window,
        @DecimalMin("0") @DecimalMax("" + ExperimentLimits.MAX_FILTER_LAMBDA) Double lambda)
        implements GradientFilterSettings {

    @Override
    public MovingAverageFilterSettings withDefaults() {
        return new MovingAverageFilterSettings(window == null ? 100 : window, lambda == null ? 5.0 : lambda);
    }

    @Override
    public GradientFilterSpec toSpec() {
        MovingAverageFilterSettings s = withDefaults();
        return new GradientFilterSpec.MovingAverage(s.window, s.lambda);
    }
}
