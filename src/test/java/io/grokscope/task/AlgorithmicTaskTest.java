package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlgorithmicTaskTest {

    /** One equation of a table, for comparisons that read well in failure messages. */
    record Equation(int left, int right, int answer) {
    }

    static List<Equation> equations(Examples examples) {
        List<Equation> result = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            result.add(new Equation(examples.left()[i], examples.right()[i], examples.answer()[i]));
        }
        return result;
    }

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

    @Nested
    class TableSizes {

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
    }

    @Nested
    class ModularOperations {

        @ParameterizedTest
        @ValueSource(ints = {2, 7, 13})
        void everyOperationMatchesDirectArithmeticOnEveryPair(int p) {
            assertThat(equations(generate(Operation.ADD, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, BigInteger::add, false));
            assertThat(equations(generate(Operation.SUBTRACT, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, BigInteger::subtract, false));
            assertThat(equations(generate(Operation.MULTIPLY, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, BigInteger::multiply, true));
            assertThat(equations(generate(Operation.DIVIDE, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, (a, b) -> quotientBySearch(a, b, p), true));
            assertThat(equations(generate(Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT, p).table()))
                    .containsExactlyElementsOf(expectedTable(p,
                            (a, b) -> b.testBit(0) ? quotientBySearch(a, b, p) : a.subtract(b), true));
            assertThat(equations(generate(Operation.SQUARE_SUM, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, (a, b) -> a.pow(2).add(b.pow(2)), false));
            assertThat(equations(generate(Operation.QUAD_SUM, p).table()))
                    .containsExactlyElementsOf(expectedTable(p,
                            (a, b) -> a.pow(2).add(a.multiply(b)).add(b.pow(2)), false));
            assertThat(equations(generate(Operation.QUAD_SUM_PLUS_A, p).table()))
                    .containsExactlyElementsOf(expectedTable(p,
                            (a, b) -> a.pow(2).add(a.multiply(b)).add(b.pow(2)).add(a), false));
            assertThat(equations(generate(Operation.CUBE_PLUS_AB, p).table()))
                    .containsExactlyElementsOf(expectedTable(p, (a, b) -> a.pow(3).add(a.multiply(b)), false));
            assertThat(equations(generate(Operation.CUBE_MIXED, p).table()))
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
    }

    @Nested
    class PermutationOperations {

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
    }

    @Nested
    class Expressions {

        @Test
        void quadraticExpressionEqualsQuadSum() {
            assertThat(equations(generateExpression("a^2 + a*b + b^2", 13).table()))
                    .containsExactlyElementsOf(equations(generate(Operation.QUAD_SUM, 13).table()));
        }

        @Test
        void divisionIsTheModularInverseAndMatchesDivide() {
            assertThat(equations(generateExpression("a/b", 13).table()))
                    .containsExactlyElementsOf(equations(generate(Operation.DIVIDE, 13).table()));
        }

        @Test
        void pairsWhoseDivisorIsZeroAreLeftOut() {
            // a - b ≡ 0 exactly on the diagonal, so 7·7 - 7 pairs remain, none with a = b.
            Examples table = generateExpression("1/(a-b)", 7).table();
            assertThat(table.size()).isEqualTo(42);
            for (Equation e : equations(table)) {
                assertThat(e.left()).isNotEqualTo(e.right());
                assertThat((e.answer() * (e.left() - e.right()) % 7 + 7) % 7).isEqualTo(1);
            }
        }

        @Test
        void remainderByZeroIsLeftOut() {
            Examples table = generateExpression("a % b", 5).table();
            assertThat(table.size()).isEqualTo(20);
            assertThat(equations(table)).contains(new Equation(4, 3, 1), new Equation(2, 4, 2));
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
    }

    @Nested
    class Validation {

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

    @Nested
    class Split {

        @Test
        void nandaSplitForP113AtThirtyPercent() {
            TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 113, 0.3, 0));
            assertThat(data.table().size()).isEqualTo(12769);
            assertThat(data.train().size()).isEqualTo(3830);
            assertThat(data.test().size()).isEqualTo(8939);
        }

        @ParameterizedTest
        @EnumSource(value = Operation.class, names = {"ADD", "DIVIDE", "S5_CONJUGATE"})
        void trainAndTestAreDisjointAndCoverTheTable(Operation operation) {
            TaskData data = AlgorithmicTask.generate(TaskSpec.of(operation, 13, 0.4, 7));
            List<Equation> train = equations(data.train());
            List<Equation> test = equations(data.test());
            Set<Equation> union = new HashSet<>(train);
            union.addAll(test);
            assertThat(union).hasSize(train.size() + test.size());
            assertThat(union).containsExactlyInAnyOrderElementsOf(equations(data.table()));
        }

        @Test
        void sameSeedGivesTheSameSplit() {
            TaskData first = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 123));
            TaskData second = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 123));
            assertThat(equations(second.train())).containsExactlyElementsOf(equations(first.train()));
            assertThat(equations(second.test())).containsExactlyElementsOf(equations(first.test()));
        }

        @Test
        void differentSeedsGiveDifferentSplits() {
            Set<Equation> seed1 = new HashSet<>(equations(
                    AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 1)).train()));
            Set<Equation> seed2 = new HashSet<>(equations(
                    AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 2)).train()));
            assertThat(seed1).hasSameSizeAs(seed2).isNotEqualTo(seed2);
        }

        @Test
        void splitIsPinnedToSplitMix64AndFisherYates() {
            // Computed by an independent Python implementation of SplitMix64 and the same Fisher-Yates loop; a
            // change here silently changes every experiment's training set.
            TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 5, 0.4, 42));
            int[] trainIndices = {6, 21, 20, 10, 24, 17, 13, 3, 18, 1};
            int[] testIndices = {9, 7, 19, 12, 23, 8, 4, 0, 16, 14, 22, 5, 15, 11, 2};
            assertThat(data.train().left()).containsExactly(Arrays.stream(trainIndices).map(i -> i / 5).toArray());
            assertThat(data.train().right()).containsExactly(Arrays.stream(trainIndices).map(i -> i % 5).toArray());
            assertThat(data.test().left()).containsExactly(Arrays.stream(testIndices).map(i -> i / 5).toArray());
            assertThat(data.test().right()).containsExactly(Arrays.stream(testIndices).map(i -> i % 5).toArray());
        }

        @Test
        void trainSizeIsTheFloorClampedToLeaveBothSetsNonEmpty() {
            assertThat(AlgorithmicTask.trainSize(12769, 0.3)).isEqualTo(3830);
            assertThat(AlgorithmicTask.trainSize(10, 0.99)).isEqualTo(9);
            assertThat(AlgorithmicTask.trainSize(10, 0.01)).isEqualTo(1);
            assertThat(AlgorithmicTask.trainSize(2, 0.5)).isEqualTo(1);
            assertThatThrownBy(() -> AlgorithmicTask.trainSize(1, 0.5)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void smallestTableSplitsOneAndOne() {
            TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.DIVIDE, 2, 0.9, 0));
            assertThat(data.train().size()).isEqualTo(1);
            assertThat(data.test().size()).isEqualTo(1);
        }
    }
}
