package io.grokscope.task;

/**
 * A list of equations {@code left ∘ right = answer}, as parallel arrays of element tokens (0..elements-1).
 *
 * <p>The arrays are owned by this record and must not be modified by anyone; they are exposed without copying because
 * the training loop reads them on every step.
 */
public record Examples(int[] left, int[] right, int[] answer) {

    public Examples {
        if (left.length != right.length || left.length != answer.length) {
            throw new IllegalArgumentException("left, right and answer must have the same length");
        }
    }

    public int size() {
        return left.length;
    }
}
