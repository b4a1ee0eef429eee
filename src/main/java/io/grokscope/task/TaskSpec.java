package io.grokscope.task;

import java.util.Objects;

/**
 * What to learn: an operation table over Z_p (or S5) and how it is split into train and test.
 *
 * @param operation     the binary operation
 * @param modulus       p; ignored for the S5 operations
 * @param trainFraction share of the table's pairs used for training, in (0, 1); the count is rounded down
 * @param seed          seeds the shuffle that splits the table; the same seed always gives the same split
 * @param expression    for {@link Operation#EXPRESSION} only: e.g. {@code "a^2 + a*b + b^2"}; otherwise null
 */
public record TaskSpec(Operation operation, int modulus, double trainFraction, long seed, String expression) {

    public TaskSpec {
        Objects.requireNonNull(operation, "operation");
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be in (0, 1), was " + trainFraction);
        }
        if (operation.isModular() && modulus < 2) {
            throw new IllegalArgumentException("modulus must be >= 2, was " + modulus);
        }
        if ((operation == Operation.EXPRESSION) != (expression != null)) {
            throw new IllegalArgumentException("expression is required for EXPRESSION and only for it");
        }
    }

    public static TaskSpec of(Operation operation, int modulus, double trainFraction, long seed) {
        return new TaskSpec(operation, modulus, trainFraction, seed, null);
    }
}
