package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.grokscope.model.Loss;
import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FourierLogitProjectionTest {

    /**
     * The unit vectors over the (a, b) axis, built literally from outer products of the 1-D basis rows as the
     * projection's Javadoc defines them, for a + b and for a − b.
     */
    static double[][] directionsFromOuterProducts(FourierBasis basis, Operation operation, int k) {
        int p = basis.modulus();
        double[] c = basis.cosine(k);
        double[] s = basis.sine(k);
        double[] cos = new double[p * p];
        double[] sin = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                if (operation == Operation.ADD) {
                    cos[a * p + b] = (c[a] * c[b] - s[a] * s[b]) / Math.sqrt(2);
                    sin[a * p + b] = (s[a] * c[b] + c[a] * s[b]) / Math.sqrt(2);
                } else {
                    cos[a * p + b] = (c[a] * c[b] + s[a] * s[b]) / Math.sqrt(2);
                    sin[a * p + b] = (s[a] * c[b] - c[a] * s[b]) / Math.sqrt(2);
                }
            }
        }
        return new double[][] {cos, sin};
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"ADD", "SUBTRACT"})
    void outerProductDirectionsAreOrthonormalWavesInAOpB(Operation operation) {
        int p = 11;
        FourierBasis basis = FourierBasis.of(p);
        double[][][] all = new double[5][][];
        for (int k = 1; k <= 5; k++) {
            all[k - 1] = directionsFromOuterProducts(basis, operation, k);
            double w = basis.angularFrequency(k);
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    int m = operation == Operation.ADD ? a + b : a - b;
                    assertThat(all[k - 1][0][a * p + b]).isCloseTo(Math.sqrt(2) / p * Math.cos(w * m), within(1e-14));
                    assertThat(all[k - 1][1][a * p + b]).isCloseTo(Math.sqrt(2) / p * Math.sin(w * m), within(1e-14));
                }
            }
        }
        double[] constant = new double[p * p];
        java.util.Arrays.fill(constant, 1.0 / p);
        for (int i = 0; i < 10; i++) {
            double[] u = all[i / 2][i % 2];
            assertThat(FourierBasisTest.dot(u, constant)).isCloseTo(0, within(1e-13));
            for (int j = 0; j < 10; j++) {
                double[] v = all[j / 2][j % 2];
                assertThat(FourierBasisTest.dot(u, v)).isCloseTo(i == j ? 1 : 0, within(1e-13));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"ADD", "SUBTRACT"})
    void fastProjectionEqualsTheExplicitRankTwoProjections(Operation operation) {
        int p = 13;
        FourierBasis basis = FourierBasis.of(p);
        FourierLogitProjection projection = FourierLogitProjection.of(basis, operation);
        double[] logits = randomLogits(p, new Random(7));
        List<Integer> keys = List.of(2, 5);
        double[] expected = new double[p * p * p];
        for (int k : keys) {
            for (double[] u : directionsFromOuterProducts(basis, operation, k)) {
                for (int j = 0; j < p; j++) {
                    double coefficient = 0;
                    for (int r = 0; r < p * p; r++) {
                        coefficient += u[r] * logits[r * p + j];
                    }
                    for (int r = 0; r < p * p; r++) {
                        expected[r * p + j] += coefficient * u[r];
                    }
                }
            }
        }
        double[] excluded = projection.excludedLogits(logits, keys);
        double[] restricted = projection.restrictedLogits(logits, keys);
        double[] means = projection.classMeans(logits);
        for (int r = 0; r < p * p; r++) {
            for (int j = 0; j < p; j++) {
                int i = r * p + j;
                assertThat(excluded[i]).isCloseTo(logits[i] - expected[i], within(1e-12));
                assertThat(restricted[i]).isCloseTo(means[j] + expected[i], within(1e-12));
                // keeping and removing split the logits: restricted + excluded = logits + class means
                assertThat(restricted[i] + excluded[i]).isCloseTo(logits[i] + means[j], within(1e-12));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"ADD", "SUBTRACT"})
    void logitsMadeOfTheKeyDirectionsKeepTheirLossWhenRestrictedAndLoseItWhenExcluded(Operation operation) {
        int p = 23;
        TaskData task = ModularTasks.split(operation, p, 0.3, 0);
        List<Integer> keys = List.of(3, 7, 10);
        double[] logits = circuitLogits(p, operation, keys, 15);
        FourierLogitProjection projection = FourierLogitProjection.of(FourierBasis.of(p), operation);

        double full = trainingLoss(logits, p, task.train());
        KeyFrequencyLosses losses = projection.losses(logits, keys, task.train());

        assertThat(full).isLessThan(0.01);
        assertThat(losses.restricted()).isCloseTo(full, within(1e-9));
        assertThat(losses.excluded()).isCloseTo(Math.log(p), within(1e-9));
    }

    @Test
    void logitsWithoutKeyFrequencyContentLoseNothingWhenExcludedAndEverythingWhenRestricted() {
        int p = 23;
        TaskData task = ModularTasks.split(Operation.ADD, p, 0.3, 0);
        double[] logits = circuitLogits(p, Operation.ADD, List.of(2, 9), 6);
        FourierLogitProjection projection = FourierLogitProjection.of(FourierBasis.of(p), Operation.ADD);

        double full = trainingLoss(logits, p, task.train());
        KeyFrequencyLosses losses = projection.losses(logits, List.of(4, 11), task.train());

        assertThat(losses.excluded()).isCloseTo(full, within(1e-9));
        assertThat(losses.restricted()).isCloseTo(Math.log(p), within(1e-9));
    }

    @Test
    void aMemorisedLookupTableHasLowExcludedAndHighRestrictedLoss() {
        int p = 31;
        TaskData task = ModularTasks.split(Operation.ADD, p, 0.3, 3);
        double[] logits = new double[p * p * p];
        Examples train = task.train();
        for (int i = 0; i < train.size(); i++) {
            logits[(train.left()[i] * p + train.right()[i]) * p + train.answer()[i]] = 12;
        }
        FourierLogitProjection projection = FourierLogitProjection.of(FourierBasis.of(p), Operation.ADD);
        double full = trainingLoss(logits, p, train);
        KeyFrequencyLosses losses = projection.losses(logits, List.of(4, 9, 13), train);
        // three of fifteen frequencies carry a fifth of a spread-out solution
        assertThat(losses.excluded()).isLessThan(full + 0.5);
        assertThat(losses.restricted()).isGreaterThan(Math.log(p) - 1);
        assertThat(losses.restricted()).isGreaterThan(losses.excluded() + 2);
    }

    @Test
    void theDifferenceDirectionsAreNeededForSubtraction() {
        int p = 23;
        TaskData task = ModularTasks.split(Operation.SUBTRACT, p, 0.3, 1);
        List<Integer> keys = List.of(4, 8);
        double[] logits = circuitLogits(p, Operation.SUBTRACT, keys, 20);
        KeyFrequencyLosses right = FourierLogitProjection.of(FourierBasis.of(p), Operation.SUBTRACT)
                .losses(logits, keys, task.train());
        KeyFrequencyLosses wrong = FourierLogitProjection.of(FourierBasis.of(p), Operation.ADD)
                .losses(logits, keys, task.train());
        double full = trainingLoss(logits, p, task.train());
        assertThat(right.restricted()).isCloseTo(full, within(1e-9));
        assertThat(right.excluded()).isCloseTo(Math.log(p), within(1e-9));
        // the a + b waves are orthogonal to the a − b ones: they keep nothing and remove nothing
        assertThat(wrong.restricted()).isCloseTo(Math.log(p), within(1e-9));
        assertThat(wrong.excluded()).isCloseTo(full, within(1e-9));
    }

    @Test
    void otherOperationsHaveAReasonAndAreRefused() {
        assertThat(FourierLogitProjection.unsupportedReason(Operation.ADD)).isEmpty();
        assertThat(FourierLogitProjection.unsupportedReason(Operation.MULTIPLY)).get().asString()
                .contains("MULTIPLY");
        assertThatThrownBy(() -> FourierLogitProjection.of(FourierBasis.of(7), Operation.DIVIDE))
                .isInstanceOf(IllegalArgumentException.class);
        FourierLogitProjection add = FourierLogitProjection.of(FourierBasis.of(7), Operation.ADD);
        assertThatThrownBy(() -> add.keyComponent(new double[7 * 7 * 7], List.of(4)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> add.keyComponent(new double[10], List.of(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** logits(a, b)[c] = scale·Σ_k cos(w_k(a∘b − c)): the Fourier multiplication algorithm's output. */
    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"ADD", "SUBTRACT"})
    void singleFrequencyExcludedLossesEqualTheExplicitExcludedTables(Operation operation) {
        int p = 23;
        TaskData task = ModularTasks.split(operation, p, 0.3, 4);
        FourierLogitProjection projection = FourierLogitProjection.of(FourierBasis.of(p), operation);
        Random random = new Random(9);
        double[] circuit = circuitLogits(p, operation, List.of(3, 7), 8);
        double[] noisy = randomLogits(p, random);
        double[] huge = randomLogits(p, random);
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] = circuit[i] + 2 * noisy[i];
            huge[i] = 400 * huge[i]; // margins of hundreds: the factored sums under- and overflow, the fallback answers
        }
        for (double[] logits : List.of(circuit, noisy, huge)) {
            double[] fast = projection.singleFrequencyExcludedLosses(logits, task.train(), Loss.CROSS_ENTROPY);
            double[] fastMse = projection.singleFrequencyExcludedLosses(logits, task.train(), Loss.MSE);
            assertThat(fast).hasSize(11);
            for (int k = 1; k <= 11; k++) {
                double[] excluded = projection.excludedLogits(logits, List.of(k));
                double expected = trainingLoss(excluded, p, task.train());
                assertThat(fast[k - 1]).isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
                assertThat(fast[k - 1]).isCloseTo(projection.losses(logits, List.of(k), task.train()).excluded(),
                        within(1e-9 * Math.max(1, expected)));
                assertThat(fastMse[k - 1]).isCloseTo(
                        projection.losses(logits, List.of(k), task.train(), Loss.MSE).excluded(), within(1e-9));
            }
        }
        // removing one of the circuit's two frequencies costs loss, removing any other costs nothing
        double[] circuitLosses = projection.singleFrequencyExcludedLosses(circuit, task.train(), Loss.CROSS_ENTROPY);
        double full = trainingLoss(circuit, p, task.train());
        assertThat(circuitLosses[2]).isGreaterThan(full + 1);
        assertThat(circuitLosses[6]).isGreaterThan(full + 1);
        assertThat(circuitLosses[0]).isCloseTo(full, within(1e-9));
    }

    @Test
    void mseLossesAreTheMeanSquaredErrorOfTheModifiedTables() {
        int p = 11;
        TaskData task = ModularTasks.split(Operation.ADD, p, 0.5, 1);
        double[] logits = randomLogits(p, new Random(3));
        FourierLogitProjection projection = FourierLogitProjection.of(FourierBasis.of(p), Operation.ADD);
        List<Integer> keys = List.of(2, 5);
        KeyFrequencyLosses losses = projection.losses(logits, keys, task.train(), Loss.MSE);
        assertThat(losses.restricted()).isCloseTo(explicitMse(projection.restrictedLogits(logits, keys), p,
                task.train()), within(1e-12));
        assertThat(losses.excluded()).isCloseTo(explicitMse(projection.excludedLogits(logits, keys), p,
                task.train()), within(1e-12));
    }

    private static double explicitMse(double[] table, int p, Examples train) {
        double total = 0;
        for (int i = 0; i < train.size(); i++) {
            int row = train.left()[i] * p + train.right()[i];
            for (int c = 0; c < p; c++) {
                double error = table[row * p + c] - (c == train.answer()[i] ? 1 : 0);
                total += error * error;
            }
        }
        return total / (train.size() * (double) p);
    }

    static double[] circuitLogits(int p, Operation operation, List<Integer> keys, double scale) {
        double[] logits = new double[p * p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int m = ModularTasks.combine(operation, a, b, p);
                for (int c = 0; c < p; c++) {
                    double sum = 0;
                    for (int k : keys) {
                        sum += Math.cos(2 * Math.PI * k * (m - c) / p);
                    }
                    logits[(a * p + b) * p + c] = scale * sum;
                }
            }
        }
        return logits;
    }

    static double trainingLoss(double[] logits, int p, Examples train) {
        int[] rows = new int[train.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = train.left()[i] * p + train.right()[i];
        }
        return CrossEntropy.mean(logits, p, rows, train.answer(), null, null, 0);
    }

    private static double[] randomLogits(int p, Random random) {
        double[] logits = new double[p * p * p];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = random.nextGaussian();
        }
        return logits;
    }
}
