package io.grokscope.experiment;

import io.grokscope.analysis.PhaseThresholds;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * How the run is analysed: accuracy thresholds (Power et al. use 99%), what counts as a grokking delay (relative to
 * the memorization step, with an absolute floor in steps), how long an accuracy must hold its threshold and within
 * what tolerance, the widest test-accuracy rise still called sudden, the shortest phase reported on its own (a share of
 * the run's span, with an absolute floor in steps), and how often the Fourier progress measures are computed
 * (0 = never). See {@link PhaseThresholds} for the meaning of each threshold.
 */
@Schema(description = "Thresholds of the phase-transition analysis and the progress-measure cadence.")
public record AnalysisSettings(
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double memorizationThreshold,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double generalizationThreshold,
        @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Integer grokkingMinDelay,
        @Min(0) @Max(ExperimentLimits.MAX_STEPS) Integer progressMeasuresEvery,
        @DecimalMin("0") @DecimalMax("1000") Double grokkingMinDelayRatio,
        @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Integer holdSteps,
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double accuracyTolerance,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Double maxTransitionShare,
        @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double minPhaseShare,
        @PositiveOrZero @Max(ExperimentLimits.MAX_STEPS) Integer minPhaseSteps,
        @Schema(description = "End the run before its budget once its analysis can no longer change (generalized,"
                + " cleanup closed, and the analysis unchanged for a margin of 25 % of that step, at least the hold"
                + " window): the run is SUCCEEDED with stopReason, settledAt and stepsSaved. Default false for a"
                + " single run, true for the runs of a sweep.") Boolean stopWhenSettled) {

    /** The first four settings, the newer thresholds at their defaults. */
    public AnalysisSettings(Double memorizationThreshold, Double generalizationThreshold, Integer grokkingMinDelay,
            Integer progressMeasuresEvery) {
        this(memorizationThreshold, generalizationThreshold, grokkingMinDelay, progressMeasuresEvery, null, null,
                null, null, null, null, null);
    }

    AnalysisSettings withDefaults() {
        return new AnalysisSettings(memorizationThreshold == null ? 0.99 : memorizationThreshold,
                generalizationThreshold == null ? 0.99 : generalizationThreshold,
                grokkingMinDelay == null ? (int) PhaseThresholds.DEFAULT_MIN_DELAY : grokkingMinDelay,
                progressMeasuresEvery == null ? 100 : progressMeasuresEvery,
                grokkingMinDelayRatio == null ? PhaseThresholds.DEFAULT_MIN_DELAY_RATIO : grokkingMinDelayRatio,
                holdSteps == null ? (int) PhaseThresholds.DEFAULT_HOLD_STEPS : holdSteps,
                accuracyTolerance == null ? PhaseThresholds.DEFAULT_TOLERANCE : accuracyTolerance,
                maxTransitionShare == null ? PhaseThresholds.DEFAULT_MAX_TRANSITION_SHARE : maxTransitionShare,
                minPhaseShare == null ? PhaseThresholds.DEFAULT_MIN_PHASE_SHARE : minPhaseShare,
                minPhaseSteps == null ? (int) PhaseThresholds.DEFAULT_MIN_PHASE_STEPS : minPhaseSteps,
                stopWhenSettled != null && stopWhenSettled);
    }

    /** The analysis thresholds these settings give (absent ones at their defaults). */
    public PhaseThresholds thresholds() {
        AnalysisSettings s = withDefaults();
        return new PhaseThresholds(s.memorizationThreshold(), s.generalizationThreshold(), s.grokkingMinDelay(),
                s.grokkingMinDelayRatio(), s.holdSteps(), s.accuracyTolerance(), s.maxTransitionShare(),
                s.minPhaseShare(), s.minPhaseSteps());
    }
}
