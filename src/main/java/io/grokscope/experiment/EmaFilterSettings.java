package io.grokscope.experiment;

import io.grokscope.training.GradientFilterSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/** Grokfast-EMA; defaults are the reference helper's alpha 0.98, lambda 2.0. */
@Schema(description = "Grokfast-EMA: g' = g + lambda * EMA_alpha(g).")
public record EmaFilterSettings(
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double alpha,
        @DecimalMin("0") @DecimalMax("" + ExperimentLimits.MAX_FILTER_LAMBDA) Double lambda)
        implements GradientFilterSettings {

    @Override
    public EmaFilterSettings withDefaults() {
        return new EmaFilterSettings(alpha == null ? 0.98 : alpha, lambda == null ? 2.0 : lambda);
    }

    @Override
    public GradientFilterSpec toSpec() {
        EmaFilterSettings s = withDefaults();
        return new GradientFilterSpec.Ema(s.alpha, s.lambda);
    }
}
