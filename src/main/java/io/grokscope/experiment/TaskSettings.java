package io.grokscope.experiment;

import io.grokscope.task.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * The algorithmic task of an experiment. Absent fields take the defaults of Nanda et al. (2023).
 *
 * @param operation     the binary operation (required)
 * @param modulus       p; ignored for the S5 operations; at most {@code grokscope.limits.modulus}
 * @param trainFraction share of the operation table used for training
 * @param seed          seeds the train/test split
 * @param expression    for EXPRESSION only, e.g. {@code a^2 + a*b + b^2}
 */
@Schema(description = "The algorithmic task: an operation table over Z_p (or S5) and its train/test split.")
public record TaskSettings(
        @NotNull Operation operation,
        @Min(2) Integer modulus,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false) Double trainFraction,
        @PositiveOrZero Long seed,
        String expression) {

    static final int DEFAULT_MODULUS = 113;
    static final double DEFAULT_TRAIN_FRACTION = 0.3;

    TaskSettings withDefaults() {
        return new TaskSettings(operation, modulus == null ? DEFAULT_MODULUS : modulus,
                trainFraction == null ? DEFAULT_TRAIN_FRACTION : trainFraction, seed == null ? 0L : seed, expression);
    }
}
