package io.grokscope.task;

/**
 * A generated task: the complete operation table and its seeded train/test split.
 *
 * @param spec     what was generated
 * @param elements number of distinct element tokens (p for Z_p, 120 for S5); operands and answers are 0..elements-1
 * @param table    every valid pair in row-major (left, right) order; for the modular tasks without excluded divisors
 *                 index = left * p + right
 * @param train    the training split
 * @param test     the rest of the table
 */
public record TaskData(TaskSpec spec, int elements, Examples table, Examples train, Examples test) {
}
