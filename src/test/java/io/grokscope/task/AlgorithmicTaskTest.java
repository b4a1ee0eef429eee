package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlgorithmicTaskTest {

    static TaskData generate(Operation operation, int p) {
        return AlgorithmicTask.generate(TaskSpec.of(operation, p, 0.5, 0));
    }

    static TaskData generateExpression(String expression, int p) {
        return AlgorithmicTask.generate(new TaskSpec(Operation.EXPRESSION, p, 0.5, 0, expression));
    }

    /**
     * The expected table, built independently of the production code: BigInteger arithmetic, and the quotient a/b
     * found by searching for the c with b·c ≡ a rather than by computing an inverse.
     */
    static List<Equation> expectedTable(int p, BiFunction<BigInteger, BigInteger, BigInteger> formula,
                                        boolean rightMustBeNonZero) {
        List<Equation> result = new ArrayList<>();
        BigInteger modulus = BigInteger.valueOf(p);
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                if (rightMustBeNonZero && b == 0) {
                    continue;
                }
                BigInteger value = formula.apply(BigInteger.valueOf(a), BigInteger.valueOf(b)).mod(modulus);
                result.add(new Equation(a, b, value.intValueExact()));
            }
        }
        return result;
    }

    static BigInteger quotientBySearch(BigInteger a, BigInteger b, int p) {
        for (int c = 0; c < p; c++) {
            if (b.multiply(BigInteger.valueOf(c)).subtract(a).mod(BigInteger.valueOf(p)).signum() == 0) {
                return BigInteger.valueOf(c);
            }
        }
        throw new AssertionError(a + "/" + b + " has no quotient mod " + p);
    }

    // Table sizes

    @Test
    void modularOperationsCoverEveryPairExceptThoseWithRightZero() {
        assertThat(generate(Operation.ADD, 7).table().size()).isEqualTo(49);
        assertThat(generate(Operation.SUBTRACT, 7).table().size()).isEqualTo(49);
        assertThat(generate(Operation.SQUARE_SUM, 7).table().size()).isEqualTo(49);
        assertThat(generate(Operation.CUBE_MIXED, 7).table().size()).isEqualTo(49);
        assertThat(generate(Operation.MULTIPLY, 7).table().size()).isEqualTo(42);
        assertThat(generate(Operation.DIVIDE, 7).table().size()).isEqualTo(42);
        assertThat(generate(Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT, 7).table().size()).isEqualTo(42);
    }

    @Test
    void powerEtAlDivisionModNinetySevenHas9312Equations() {
        assertThat(generate(Operation.DIVIDE, 97).table().size()).isEqualTo(9312);
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"S5_COMPOSE", "S5_CONJUGATE", "S5_SANDWICH"})
    void s5HasAllPairsOf120PermutationsAndIgnoresTheModulus(Operation operation) {
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(operation, 0, 0.5, 0));
        assertThat(data.elements()).isEqualTo(120);
        assertThat(data.table().size()).isEqualTo(14400);
    }

    @Test
    void modularTasksHavePElements() {
        assertThat(generate(Operation.ADD, 7).elements()).isEqualTo(7);
    }

    @Test
    void tableIsRowMajorSoThatIndexIsLeftTimesPPlusRight() {
        Examples table = generate(Operation.ADD, 7).table();
        for (int i = 0; i < table.size(); i++) {
            assertThat(table.left()[i]).isEqualTo(i / 7);
            assertThat(table.right()[i]).isEqualTo(i % 7);
        }
    }

    // Modular operations

    @ParameterizedTest
    @ValueSource(ints = {2, 7, 13})
    void everyOperationMatchesDirectArithmeticOnEveryPair(int p) {
        assertThat(Equation.listOf(generate(Operation.ADD, p).table()))
                .containsExactlyElementsOf(expectedTable(p, BigInteger::add, false));
        assertThat(Equation.listOf(generate(Operation.SUBTRACT, p).table()))
                .containsExactlyElementsOf(expectedTable(p, BigInteger::subtract, false));
        assertThat(Equation.listOf(generate(Operation.MULTIPLY, p).table()))
                .containsExactlyElementsOf(expectedTable(p, BigInteger::multiply, true));
        assertThat(Equation.listOf(generate(Operation.DIVIDE, p).table()))
                .containsExactlyElementsOf(expectedTable(p, (a, b) -> quotientBySearch(a, b, p), true));
        assertThat(Equation.listOf(generate(Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT, p).table()))
                .containsExactlyElementsOf(expectedTable(p,
                        (a, b) -> b.testBit(0) ? quotientBySearch(a, b, p) : a.subtract(b), true));
        assertThat(Equation.listOf(generate(Operation.SQUARE_SUM, p).table()))
                .containsExactlyElementsOf(expectedTable(p, (a, b) -> a.pow(2).add(b.pow(2)), false));
        assertThat(Equation.listOf(generate(Operation.QUAD_SUM, p).table()))
                .containsExactlyElementsOf(expectedTable(p,
                        (a, b) -> a.pow(2).add(a.multiply(b)).add(b.pow(2)), false));
        assertThat(Equation.listOf(generate(Operation.QUAD_SUM_PLUS_A, p).table()))
                .containsExactlyElementsOf(expectedTable(p,
                        (a, b) -> a.pow(2).add(a.multiply(b)).add(b.pow(2)).add(a), false));
        assertThat(Equation.listOf(generate(Operation.CUBE_PLUS_AB, p).table()))
                .containsExactlyElementsOf(expectedTable(p, (a, b) -> a.pow(3).add(a.multiply(b)), false));
        assertThat(Equation.listOf(generate(Operation.CUBE_MIXED, p).table()))
                .containsExactlyElementsOf(expectedTable(p,
                        (a, b) -> a.pow(3).add(a.multiply(b.pow(2))).add(b), false));
    }

    @Test
    void handWorkedValuesModSeven() {
        // 3/5 mod 7 = 2 because 5·2 = 10 ≡ 3; 2/4 (4 is even) = 2 - 4 ≡ 5; 3³ + 3·5² + 5 = 107 ≡ 2.
        assertThat(answer(Operation.DIVIDE, 7, 3, 5)).isEqualTo(2);
        assertThat(answer(Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT, 7, 2, 4)).isEqualTo(5);
        assertThat(answer(Operation.CUBE_MIXED, 7, 3, 5)).isEqualTo(2);
    }

    @Test
    void polynomialsDoNotOverflowAtTheLargestModulus() {
        int p = 9973; // the largest prime <= MAX_MODULUS
        long a = p - 1;
        long b = p - 2;
        long expected = BigInteger.valueOf(a).pow(3)
                .add(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b).pow(2)))
                .add(BigInteger.valueOf(b)).mod(BigInteger.valueOf(p)).longValueExact();
        // The full table would need 2.4 GB, so probe the one pair with the largest intermediate values.
        int answer = AlgorithmicTask.definition(TaskSpec.of(Operation.CUBE_MIXED, p, 0.5, 0))
                .applyAsInt((int) a, (int) b);
        assertThat(answer).isEqualTo((int) expected);
    }

    private int answer(Operation operation, int p, int a, int b) {
        Examples table = generate(operation, p).table();
        for (int i = 0; i < table.size(); i++) {
            if (table.left()[i] == a && table.right()[i] == b) {
                return table.answer()[i];
            }
        }
        throw new AssertionError("no pair (" + a + ", " + b + ")");
    }

    // Permutation operations

    /** x·y as arrays: apply x, then y. */
    private int[] then(int[] x, int[] y) {
        int[] result = new int[5];
        for (int i = 0; i < 5; i++) {
            result[i] = y[x[i]];
        }
        return result;
    }

    private int[] inverted(int[] x) {
        int[] result = new int[5];
        for (int i = 0; i < 5; i++) {
            result[x[i]] = i;
        }
        return result;
    }

    private void assertTableFollows(Operation operation, BiFunction<int[], int[], int[]> definition) {
        List<int[]> permutations = S5Test.lexicographicPermutationsByBruteForce();
        Examples table = AlgorithmicTask.generate(TaskSpec.of(operation, 0, 0.5, 0)).table();
        for (int i = 0; i < table.size(); i++) {
            int[] x = permutations.get(table.left()[i]);
            int[] y = permutations.get(table.right()[i]);
            assertThat(permutations.get(table.answer()[i]))
                    .as("%s of %s and %s", operation, Arrays.toString(x), Arrays.toString(y))
                    .containsExactly(definition.apply(x, y));
        }
    }

    @Test
    void composeAppliesLeftThenRight() {
        assertTableFollows(Operation.S5_COMPOSE, this::then);
    }

    @Test
    void conjugateIsXYXInverse() {
        assertTableFollows(Operation.S5_CONJUGATE, (x, y) -> then(then(x, y), inverted(x)));
    }

    @Test
    void sandwichIsXYX() {
        assertTableFollows(Operation.S5_SANDWICH, (x, y) -> then(then(x, y), x));
    }

    // Expressions

    @Test
    void quadraticExpressionEqualsQuadSum() {
        assertThat(Equation.listOf(generateExpression("a^2 + a*b + b^2", 13).table()))
                .containsExactlyElementsOf(Equation.listOf(generate(Operation.QUAD_SUM, 13).table()));
    }

    @Test
    void divisionIsTheModularInverseAndMatchesDivide() {
        assertThat(Equation.listOf(generateExpression("a/b", 13).table()))
                .containsExactlyElementsOf(Equation.listOf(generate(Operation.DIVIDE, 13).table()));
    }

    @Test
    void pairsWhoseDivisorIsZeroAreLeftOut() {
        // a - b ≡ 0 exactly on the diagonal, so 7·7 - 7 pairs remain, none with a = b.
        Examples table = generateExpression("1/(a-b)", 7).table();
        assertThat(table.size()).isEqualTo(42);
        for (Equation e : Equation.listOf(table)) {
            assertThat(e.left()).isNotEqualTo(e.right());
            assertThat((e.answer() * (e.left() - e.right()) % 7 + 7) % 7).isEqualTo(1);
        }
    }

    @Test
    void remainderByZeroIsLeftOut() {
        Examples table = generateExpression("a % b", 5).table();
        assertThat(table.size()).isEqualTo(20);
        assertThat(Equation.listOf(table)).contains(new Equation(4, 3, 1), new Equation(2, 4, 2));
    }

    @Test
    void nonPrimeModulusIsRejectedWhereTheExpressionDivides() {
        assertThatThrownBy(() -> generateExpression("a/b", 12))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prime")
                .hasMessageContaining("12");
        assertThat(generateExpression("a*b + 1", 12).table().size()).isEqualTo(144);
    }

    @Test
    void syntaxErrorsSurfaceFromGenerate() {
        assertThatThrownBy(() -> generateExpression("a + c", 7))
                .isInstanceOf(ExpressionSyntaxException.class);
    }

    // Validation

    @Test
    void divisionRequiresAPrimeModulus() {
        assertThatThrownBy(() -> generate(Operation.DIVIDE, 12))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DIVIDE needs a prime modulus")
                .hasMessageContaining("12 is not prime");
        assertThatThrownBy(() -> generate(Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT, 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prime");
    }

    @Test
    void multiplicationDoesNotNeedAPrime() {
        assertThat(generate(Operation.MULTIPLY, 12).table().size()).isEqualTo(132);
    }

    @Test
    void modulusAboveTheLimitIsRejected() {
        assertThatThrownBy(() -> AlgorithmicTask.validate(TaskSpec.of(Operation.ADD, 10_007, 0.5, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10000");
    }

    @Test
    void validateChecksWithoutGenerating() {
        AlgorithmicTask.validate(TaskSpec.of(Operation.DIVIDE, 9973, 0.5, 0));
        assertThatThrownBy(() -> AlgorithmicTask.validate(
                new TaskSpec(Operation.EXPRESSION, 7, 0.5, 0, "a +")))
                .isInstanceOf(ExpressionSyntaxException.class);
    }

    @Test
    void tableTooSmallToSplitIsRejected() {
        // Mod 2, a·b is non-zero only at a = b = 1, so the table has a single equation.
        assertThatThrownBy(() -> generateExpression("1/(a*b)", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 pair");
    }
}
