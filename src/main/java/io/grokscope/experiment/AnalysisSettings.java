package io.grokscope.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * How the run is analysed: accuracy thresholds (Power et al. use 99%), the delay that separates GROKKING from
 * COMPREHENSION (Liu et al. use 1 000 steps), and how often the Fourier progress measures are computed (0 = never).
 */
@Schema(description = "Thresholds of the phase-transition analysis and the progress-measure cadence.")
public record AnalysisSettings(
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double memorizationThreshold,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double generalizationThreshold,
        @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Integer grokkingMinDelay,
        @Min(0) @Max(ExperimentLimits.MAX_STEPS) Integer progressMeasuresEvery) {

    AnalysisSettings withDefaults() {
        return new AnalysisSettings(memorizationThreshold == null ? 0.99 : memorizationThreshold,
                generalizationThreshold == null ? 0.99 : generalizationThreshold,
                grokkingMinDelay == null ? 1000 : grokkingMinDelay,
                progressMeasuresEvery == null ? 100 : progressMeasuresEvery);
    }
}
