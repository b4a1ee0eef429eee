package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * One point of a sweep's grid with its runs over the seeds.
 *
 * @param values      axis path → this cell's value on it
 * @param verdict     the most common verdict of its succeeded runs (null before any); ties go to the one listed
 *                    first in CONFUSION, MEMORIZATION, GROKKING, COMPREHENSION, and {@code unanimous} is false
 * @param pending     runs still queued or running (or not yet analysed)
 * @param excluded    runs that failed or were cancelled: their partial data counts in no verdict or number
 */
@Schema(description = "One cell of the grid: its axis values, its runs, the most common verdict with the counts, and"
        + " the headline numbers over its seeds.")
public record SweepCell(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int index,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, additionalPropertiesSchema = AxisValueSchema.class)
        Map<String, Object> values,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SweepRun> experiments,
        @Schema(nullable = true, allowableValues = { "CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION" })
        String verdict,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Map<String, Integer> verdictCounts,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) boolean unanimous,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int pending,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int excluded,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) RunStatistic generalizationStep,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) RunStatistic grokkingDelay) {
}
