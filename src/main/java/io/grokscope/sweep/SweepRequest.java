package io.grokscope.sweep;

import io.grokscope.experiment.ExperimentSpec;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * A sweep as submitted. The base is not validated on its own: each expanded spec is, exactly like a single
 * submission, and an error is reported where its cause is (the base, an axis value or a seed).
 *
 * @param name  names the sweep and, with the cell and seed, each of its experiments ({@code name/3/s1})
 * @param base  the spec every experiment starts from; its own {@code name}, if any, is replaced
 * @param axes  dotted path of a scalar spec field → the values it takes, in order; null leaves the field out
 * @param seeds repetitions of every cell, each setting both {@code task.seed} and {@code training.seed}; absent
 *              runs each cell once with the base's seeds
 */
@Schema(description = "A sweep: a base spec, axes over its scalar fields and seeds; expanded into the cartesian"
        + " product of the axes times the seeds.")
public record SweepRequest(
        @NotBlank @Size(max = SweepLimits.MAX_NAME_LENGTH) String name,
        @NotNull ExperimentSpec base,
        @Size(max = SweepLimits.MAX_AXES) @Schema(additionalPropertiesSchema = AxisValueSchema.ListOf.class)
        Map<String, List<Object>> axes,
        @Size(min = 1, max = SweepLimits.MAX_SEEDS)
        @ArraySchema(schema = @Schema(minimum = "0"))
        List<@NotNull @PositiveOrZero Long> seeds) {
}
