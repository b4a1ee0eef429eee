package io.grokscope.task;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;

/**
 * Generates the data of a {@link TaskSpec}: the complete operation table and its seeded train/test split.
 *
 * <p><b>Table.</b> Every pair {@code (left, right)} of tokens in row-major order, leaving out the pairs where the
 * operation is undefined: {@code right = 0} for {@code MULTIPLY}, {@code DIVIDE} and
 * {@code DIVIDE_IF_ODD_ELSE_SUBTRACT} (as in Power et al.), and the pairs where an expression divides by 0 or takes
 * {@code % 0}. So p = 7 gives 49 pairs for {@code ADD}, 42 for {@code DIVIDE}, and S5 gives 120² = 14400.
 *
 * <p><b>Split.</b> The table is shuffled by Fisher-Yates driven by {@code SplitMix64} seeded with
 * {@link TaskSpec#seed()}; the first {@code floor(n · trainFraction)} shuffled pairs are the training set, in
 * shuffled order, and the rest the test set. Floor (Python's {@code int(n * frac)}) rather than rounding reproduces
 * Nanda et al. (2023): 12769 pairs for p = 113 at 0.3 give 3830 train and 8939 test. The count is then clamped to
 * {@code 1..n-1} so that neither set is empty. The same spec gives the same split on every JVM.
 *
 * <p><b>Limits.</b> The modulus is at most {@link #MAX_MODULUS}. With it every polynomial operation fits a
 * {@code long} without reduction in between (a³ + ab² < 2·10¹²). Memory, not arithmetic, is what binds in practice:
 * the table and its split hold 24 bytes per pair, so p = 113 needs 0.3 MB but p = 10 000 needs 2.4 GB; a service
 * should set its own, lower limit for what its heap can hold. {@code DIVIDE}, {@code DIVIDE_IF_ODD_ELSE_SUBTRACT}
 * and any expression with {@code /} need a prime modulus, without which some non-zero divisors have no inverse.
 */
public final class AlgorithmicTask {

    /** Largest supported modulus. */
    public static final int MAX_MODULUS = 10_000;

    private AlgorithmicTask() {
    }

    /**
     * Builds the table and the split.
     *
     * @throws ExpressionSyntaxException if the expression of an {@link Operation#EXPRESSION} task does not parse
     * @throws IllegalArgumentException  if the modulus is too large, or composite where the operation divides, or
     *                                   the table has fewer than 2 pairs and cannot be split
     */
    public static TaskData generate(TaskSpec spec) {
        IntBinaryOperator operation = definition(spec);
        int elements = spec.operation().isPermutationGroup() ? S5.ORDER : spec.modulus();
        Examples table = tabulate(elements, operation);
        int trainSize = trainSize(table.size(), spec.trainFraction());
        int[] order = shuffledIndices(table.size(), spec.seed());
        Examples train = select(table, order, 0, trainSize);
        Examples test = select(table, order, trainSize, table.size());
        return new TaskData(spec, elements, table, train, test);
    }

    /**
     * Checks everything {@link #generate} checks before it builds anything big, so that a service can refuse a bad
     * spec when it is submitted. (A table that turns out too small to split is only found by generating it.)
     *
     * @throws ExpressionSyntaxException if the expression does not parse
     * @throws IllegalArgumentException  if the modulus is too large or composite where the operation divides
     */
    public static void validate(TaskSpec spec) {
        definition(spec);
    }

    /** The training-set size for a table of {@code n} pairs; see the class comment. */
    static int trainSize(int n, double trainFraction) {
        if (n < 2) {
            throw new IllegalArgumentException(
                    "the table has " + n + " pair(s), but a train/test split needs at least 2");
        }
        int floor = (int) Math.floor(n * trainFraction);
        return Math.max(1, Math.min(n - 1, floor));
    }

    /**
     * The operation as a function of two tokens that answers a token, or {@link Expression#UNDEFINED} for a pair
     * that is left out. Package-private so that tests can probe single pairs of tables too large to build.
     */
    static IntBinaryOperator definition(TaskSpec spec) {
        return spec.operation().isPermutationGroup()
                ? permutationDefinition(spec.operation())
                : modularDefinition(spec);
    }

    private static IntBinaryOperator permutationDefinition(Operation operation) {
        return switch (operation) {
            case S5_COMPOSE -> S5::compose;
            case S5_CONJUGATE -> (x, y) -> S5.compose(S5.compose(x, y), S5.inverse(x));
            case S5_SANDWICH -> (x, y) -> S5.compose(S5.compose(x, y), x);
            default -> throw new IllegalArgumentException(operation + " is not an operation on S5");
        };
    }

    private static IntBinaryOperator modularDefinition(TaskSpec spec) {
        int p = spec.modulus();
        if (p > MAX_MODULUS) {
            throw new IllegalArgumentException("modulus must be <= " + MAX_MODULUS + ", was " + p);
        }
        ResidueRing ring = new ResidueRing(p);
        return switch (spec.operation()) {
            case ADD -> ring::add;
            case SUBTRACT -> ring::subtract;
            case MULTIPLY -> nonZeroRight(ring::multiply);
            case DIVIDE -> {
                requireField(ring, "DIVIDE");
                yield nonZeroRight(ring::divide);
            }
            case DIVIDE_IF_ODD_ELSE_SUBTRACT -> {
                requireField(ring, "DIVIDE_IF_ODD_ELSE_SUBTRACT");
                yield nonZeroRight((a, b) -> b % 2 == 1 ? ring.divide(a, b) : ring.subtract(a, b));
            }
            // The polynomials read as their definitions: with p <= MAX_MODULUS no term overflows a long.
            case SQUARE_SUM -> (a, b) -> ring.reduce((long) a * a + (long) b * b);
            case QUAD_SUM -> (a, b) -> ring.reduce((long) a * a + (long) a * b + (long) b * b);
            case QUAD_SUM_PLUS_A -> (a, b) -> ring.reduce((long) a * a + (long) a * b + (long) b * b + a);
            case CUBE_PLUS_AB -> (a, b) -> ring.reduce((long) a * a * a + (long) a * b);
            case CUBE_MIXED -> (a, b) -> ring.reduce((long) a * a * a + (long) a * b * b + b);
            case EXPRESSION -> {
                // The widest limits: whatever a service accepted under its own (narrower) ones must build.
                Expression expression = Expression.parse(spec.expression(), Expression.Limits.MAXIMUM);
                if (expression.divides()) {
                    requireField(ring, "an expression with '/'");
                }
                yield (a, b) -> expression.evaluate(a, b, ring);
            }
            case S5_COMPOSE, S5_CONJUGATE, S5_SANDWICH ->
                    throw new IllegalArgumentException(spec.operation() + " is not an operation on Z_p");
        };
    }

    private static IntBinaryOperator nonZeroRight(IntBinaryOperator operation) {
        return (a, b) -> b == 0 ? Expression.UNDEFINED : operation.applyAsInt(a, b);
    }

    private static void requireField(ResidueRing ring, String what) {
        if (!ring.isField()) {
            throw new IllegalArgumentException(what + " needs a prime modulus (division mod p is only defined "
                    + "for every non-zero divisor when p is prime), but " + ring.modulus() + " is not prime");
        }
    }

    private static Examples tabulate(int elements, IntBinaryOperator operation) {
        int capacity = elements * elements;
        int[] left = new int[capacity];
        int[] right = new int[capacity];
        int[] answer = new int[capacity];
        int n = 0;
        for (int a = 0; a < elements; a++) {
            for (int b = 0; b < elements; b++) {
                int c = operation.applyAsInt(a, b);
                if (c != Expression.UNDEFINED) {
                    left[n] = a;
                    right[n] = b;
                    answer[n] = c;
                    n++;
                }
            }
        }
        return n == capacity ? new Examples(left, right, answer)
                : new Examples(Arrays.copyOf(left, n), Arrays.copyOf(right, n), Arrays.copyOf(answer, n));
    }

    /** A uniformly random permutation of {@code 0..n-1} (Durstenfeld's Fisher-Yates). */
    private static int[] shuffledIndices(int n, long seed) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplitMix64 random = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Examples select(Examples table, int[] order, int from, int to) {
        int size = to - from;
        int[] left = new int[size];
        int[] right = new int[size];
        int[] answer = new int[size];
        for (int k = 0; k < size; k++) {
            int i = order[from + k];
            left[k] = table.left()[i];
            right[k] = table.right()[i];
            answer[k] = table.answer()[i];
        }
        return new Examples(left, right, answer);
    }
}
