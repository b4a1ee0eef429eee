package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ProgressMeasuresTest {

    /**
     * Rows x = 0..p−1; each column is Σ_f amplitude_f·cos(w_f x + random phase), so frequency f holds exactly
     * amplitude_f²·p/2 of every column's energy whatever the phases.
     */
    static double[][] waves(int p, int width, int[] frequencies, double[] amplitudes, Random random) {
        double[][] matrix = new double[p][width];
        for (int j = 0; j < width; j++) {
            for (int f = 0; f < frequencies.length; f++) {
                double phase = 2 * Math.PI * random.nextDouble();
                double weight = amplitudes[f];
                for (int x = 0; x < p; x++) {
                    matrix[x][j] += weight * Math.cos(2 * Math.PI * frequencies[f] * x / p + phase);
                }
            }
        }
        return matrix;
    }

    static double[][] gaussian(int p, int width, Random random) {
        double[][] matrix = new double[p][width];
        for (double[] row : matrix) {
            for (int j = 0; j < width; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return matrix;
    }

    static INDArray matrix(double[][] values) {
        return Nd4j.create(values).castTo(DataType.FLOAT);
    }

    private static final TaskData ADD_113 = ModularTasks.split(Operation.ADD, 113, 0.3, 0);

    @Test
    void aPureSingleFrequencyHasGiniNearOneAndIsTheOnlyKeyFrequency() {
        Random random = new Random(1);
        double[][] single = waves(113, 128, new int[] {14}, new double[] {1}, random);
        ProgressMeasurement measured = ProgressMeasures.forTask(ADD_113).measure(matrix(single), matrix(single), null);

        // two of the 113 components (cos 14 and sin 14) hold everything, nearly equally: G ≈ 1 − 2/113
        assertThat(measured.value(Metric.FOURIER_GINI_EMBED).getAsDouble()).isCloseTo(1 - 2.0 / 113, within(2e-3));
        assertThat(measured.value(Metric.FOURIER_GINI_UNEMBED).getAsDouble()).isGreaterThan(0.98);
        assertThat(measured.keyFrequencies()).containsExactly(14);
        assertThat(measured.value(Metric.FOURIER_KEY_FRACTION).getAsDouble()).isCloseTo(1, within(1e-6));
    }

    @Test
    void twoFrequenciesAreBothFound() {
        Random random = new Random(2);
        double[][] two = waves(113, 512, new int[] {35, 41}, new double[] {1, 0.8}, random);
        ProgressMeasurement measured = ProgressMeasures.forTask(ADD_113).measure(matrix(two), matrix(two), null);

        assertThat(measured.keyFrequencies()).containsExactly(35, 41);
        assertThat(measured.value(Metric.FOURIER_GINI_UNEMBED).getAsDouble()).isGreaterThan(0.95);
        double[] norms = measured.spectrum().unembedNorms();
        assertThat(norms[34]).isGreaterThan(norms[40]).isGreaterThan(100 * norms[0]);
    }

    @Test
    void fiveNandaFrequenciesWithNoiseAreFound() {
        Random random = new Random(3);
        // five equal frequencies hold 96 % of the energy, the noise the rest: four of them hold < 80 %, so all five
        double[][] weights = nandaLikeLogitMap(random);
        ProgressMeasurement measured = ProgressMeasures.forTask(ADD_113).measure(matrix(gaussian(113, 128, random)),
                matrix(weights), null);
        assertThat(measured.keyFrequencies()).containsExactly(14, 35, 41, 42, 52);
        assertThat(measured.value(Metric.FOURIER_KEY_FRACTION).getAsDouble()).isGreaterThan(0.9);
        assertThat(measured.absenceReason(Metric.RESTRICTED_LOSS)).get().asString().contains("not supplied");
    }

    static double[][] nandaLikeLogitMap(Random random) {
        double[][] weights = waves(113, 512, new int[] {14, 35, 41, 42, 52}, new double[] {1, 1, 1, 1, 1}, random);
        for (double[] row : weights) {
            for (int j = 0; j < 512; j++) {
                row[j] += 0.3 * random.nextGaussian();
            }
        }
        return weights;
    }

    @Test
    void randomGaussianWeightsHaveLowGiniAndAFlatKeySet() {
        Random random = new Random(4);
        ProgressMeasurement measured = ProgressMeasures.forTask(ADD_113)
                .measure(matrix(gaussian(113, 128, random)), matrix(gaussian(113, 512, random)), null);

        // the component norms of a Gaussian matrix are nearly equal: ‖rowᵀM‖² ~ chi-squared with width degrees of
        // freedom
        assertThat(measured.value(Metric.FOURIER_GINI_EMBED).getAsDouble()).isLessThan(0.1);
        assertThat(measured.value(Metric.FOURIER_GINI_UNEMBED).getAsDouble()).isLessThan(0.05);
        // nothing stands out, so every frequency passes the relative rule
        assertThat(measured.keyFrequencies()).hasSize(56);
        assertThat(measured.value(Metric.FOURIER_KEY_FRACTION).getAsDouble()).isCloseTo(1, within(1e-9));
    }

    @Test
    void aPlantedFourierCircuitHasAllSixMeasures() {
        int p = 59;
        List<Integer> keys = List.of(4, 17, 23);
        TaskData task = ModularTasks.split(Operation.ADD, p, 0.3, 5);
        FixedWeightsModel model = plantedCircuit(p, Operation.ADD, keys, 15);

        ProgressMeasurement measured = ProgressMeasures.forTask(task).measure(model);

        assertThat(measured.values().keySet()).containsExactlyInAnyOrderElementsOf(ProgressMeasures.MEASURES);
        assertThat(measured.absent()).isEmpty();
        assertThat(measured.keyFrequencies()).containsExactly(4, 17, 23);
        double full = FourierLogitProjectionTest.trainingLoss(
                FourierLogitProjectionTest.circuitLogits(p, Operation.ADD, keys, 15), p, task.train());
        assertThat(measured.value(Metric.RESTRICTED_LOSS).getAsDouble()).isCloseTo(full, within(1e-5));
        assertThat(measured.value(Metric.EXCLUDED_LOSS).getAsDouble()).isCloseTo(Math.log(p), within(1e-5));
        // the largest single-frequency excluded loss is one key frequency's; removing a non-key one changes nothing
        List<Double> single = measured.singleFrequencyExcludedLosses();
        assertThat(single).hasSize(29);
        assertThat(single.get(0)).isCloseTo(full, within(1e-5));
        double max = single.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertThat(measured.value(Metric.EXCLUDED_LOSS_MAX).getAsDouble()).isEqualTo(max);
        assertThat(max).isEqualTo(Math.max(single.get(3), Math.max(single.get(16), single.get(22))));
        assertThat(max).isGreaterThan(full + 0.1).isLessThan(Math.log(p));
        // six equal components (cos and sin of three frequencies) of 59: G = 1 − (2/6)·(5.5 + … + 0.5)/59 = 1 − 6/59
        assertThat(measured.value(Metric.FOURIER_GINI_UNEMBED).getAsDouble()).isCloseTo(1 - 6.0 / 59, within(1e-5));
        assertThat(measured.spectrum().modulus()).isEqualTo(p);
        assertThat(model.forwardPasses()).isEqualTo(1);
    }

    @Test
    void aFreshModelHasExcludedLossMaxFromTheFirstMeasurement() {
        Random random = new Random(6);
        TaskData task = ModularTasks.split(Operation.ADD, 31, 0.3, 6);
        double[] table = new double[31 * 31 * 31];
        for (int i = 0; i < table.length; i++) {
            table[i] = 0.1 * random.nextGaussian();
        }
        INDArray logits = Nd4j.create(table, new long[] {31 * 31, 31}, 'c');
        FixedWeightsModel model = new FixedWeightsModel(matrix(gaussian(31, 16, random)),
                matrix(gaussian(31, 64, random)), (a, b) -> logits.dup());
        ProgressMeasurement measured = ProgressMeasures.forTask(task).measure(model);
        assertThat(measured.value(Metric.EXCLUDED_LOSS_MAX).getAsDouble()).isCloseTo(Math.log(31), within(0.1));
        assertThat(measured.value(Metric.EXCLUDED_LOSS)).isPresent();
        assertThat(model.forwardPasses()).isEqualTo(1);
    }

    @Test
    void multiplyAndDivideHaveNoFourierMeasuresAndSayWhy() {
        int p = 31;
        TaskData multiply = ModularTasks.split(Operation.MULTIPLY, p, 0.5, 0);
        FixedWeightsModel model = plantedCircuit(p, Operation.ADD, List.of(3), 10);
        ProgressMeasurement measured = ProgressMeasures.forTask(multiply).measure(model);
        assertThat(measured.values()).isEmpty();
        assertThat(measured.absent()).containsOnlyKeys(ProgressMeasures.MEASURES);
        assertThat(measured.absenceReason(Metric.FOURIER_GINI_EMBED)).get().asString()
                .contains("MULTIPLY", "multiplicative group");
        assertThat(ProgressMeasures.unavailable(TaskSpec.of(Operation.DIVIDE, 97, 0.5, 0)))
                .containsOnlyKeys(ProgressMeasures.MEASURES);
        assertThat(model.forwardPasses()).isZero();
    }

    @Test
    void otherModularOperationsHaveGiniButNoLosses() {
        assertThat(ProgressMeasures.unavailable(TaskSpec.of(Operation.SQUARE_SUM, 97, 0.5, 0)))
                .containsOnlyKeys(Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS, Metric.EXCLUDED_LOSS_MAX);
    }

    @Test
    void anMseRunIsMeasuredUnderSquaredError() {
        int p = 23;
        List<Integer> keys = List.of(2, 7);
        TaskData task = ModularTasks.split(Operation.ADD, p, 0.3, 2);
        FixedWeightsModel model = plantedCircuit(p, Operation.ADD, keys, 0.5);
        ProgressMeasurement measured = ProgressMeasures.forTask(task, io.grokscope.model.Loss.MSE).measure(model);
        double[] logits = FourierLogitProjectionTest.circuitLogits(p, Operation.ADD, keys, 0.5);
        int[] rows = new int[task.train().size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = task.train().left()[i] * p + task.train().right()[i];
        }
        double full = SquaredError.mean(logits, p, rows, task.train().answer(), null, null, 0);
        // the logits are all key-frequency content: restricted keeps the loss, excluded leaves the zero table's MSE
        assertThat(measured.value(Metric.RESTRICTED_LOSS).getAsDouble()).isCloseTo(full, within(1e-6));
        assertThat(measured.value(Metric.EXCLUDED_LOSS).getAsDouble()).isCloseTo(1.0 / p, within(1e-6));
    }

    @Test
    void s5TasksHaveNoFourierMeasuresAndSayWhy() {
        Examples none = new Examples(new int[0], new int[0], new int[0]);
        TaskData s5 = new TaskData(TaskSpec.of(Operation.S5_COMPOSE, 0, 0.5, 0), 120, none, none, none);
        ProgressMeasurement measured = ProgressMeasures.forTask(s5).measure(new FixedWeightsModel(null, null, null));
        assertThat(measured.values()).isEmpty();
        assertThat(measured.absent()).containsOnlyKeys(ProgressMeasures.MEASURES);
        assertThat(measured.absenceReason(Metric.FOURIER_GINI_EMBED)).get().asString().contains("S5");
        assertThat(measured.spectrum()).isNull();
        assertThat(ProgressMeasures.unavailable(s5.spec())).containsOnlyKeys(ProgressMeasures.MEASURES);
        assertThat(ProgressMeasures.unavailable(ADD_113.spec())).isEmpty();
    }

    @Test
    void matricesAreReadWhateverTheirOrderingOrOffset() {
        INDArray big = Nd4j.arange(0, 60).castTo(DataType.FLOAT).reshape('f', 6, 10);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5));
        double[] expected = new double[9];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                expected[r * 3 + c] = big.getDouble(r + 1, c + 2);
            }
        }
        assertThat(ProgressMeasures.toRowMajorDoubles(view)).containsExactly(expected);
    }

    /**
     * The cost at Nanda's size, p = 113 with d = 128 and a 512-wide W_L, with a key set present so that every measure
     * is computed. Logged, not asserted: timings depend on the machine and its load.
     */
    @Test
    void costAtNandasSizeIsLogged() {
        int p = 113;
        Random random = new Random(8);
        double[][] embedding = gaussian(p, 128, random);
        double[][] logitMap = nandaLikeLogitMap(random);
        double[] tableLogits = FourierLogitProjectionTest.circuitLogits(p, Operation.ADD, List.of(14, 35, 41, 42, 52),
                3);
        INDArray table = Nd4j.create(tableLogits, new long[] {(long) p * p, p}, 'c').castTo(DataType.FLOAT);
        FixedWeightsModel model = new FixedWeightsModel(matrix(embedding), matrix(logitMap), (a, b) -> table.dup());
        ProgressMeasures measures = ProgressMeasures.forTask(ADD_113);

        for (int i = 0; i < 5; i++) {
            measures.measure(model); // warm-up: JIT and ND4J first-call costs
        }
        long[] all = new long[10];
        long[] spectraOnly = new long[10];
        ProgressMeasurement measured = null;
        INDArray embeddingArray = matrix(embedding);
        INDArray logitMapArray = matrix(logitMap);
        for (int i = 0; i < all.length; i++) {
            long start = System.nanoTime();
            measured = measures.measure(model);
            all[i] = System.nanoTime() - start;
            start = System.nanoTime();
            measures.measure(embeddingArray, logitMapArray, null);
            spectraOnly[i] = System.nanoTime() - start;
        }
        Arrays.sort(all);
        Arrays.sort(spectraOnly);
        System.out.printf("ProgressMeasures at p=113, d=128, W_L 113x512 (model forward not included): all five "
                + "measures min %.1f ms, median %.1f ms; spectra, Gini and key set only min %.1f ms, median %.1f ms "
                + "(%d calls each)%n", all[0] / 1e6, all[all.length / 2] / 1e6, spectraOnly[0] / 1e6,
                spectraOnly[spectraOnly.length / 2] / 1e6, all.length);
        assertThat(measured.values()).hasSize(6);
        assertThat(measured.keyFrequencies()).containsExactly(14, 35, 41, 42, 52);
    }

    /** A model whose logits are the Fourier multiplication algorithm at the given frequencies. */
    static FixedWeightsModel plantedCircuit(int p, Operation operation, List<Integer> keys, double scale) {
        double[][] embedding = new double[p][2 * keys.size()];
        double[][] logitMap = new double[p][2 * keys.size()];
        for (int x = 0; x < p; x++) {
            for (int f = 0; f < keys.size(); f++) {
                double angle = 2 * Math.PI * keys.get(f) * x / p;
                embedding[x][2 * f] = Math.cos(angle);
                embedding[x][2 * f + 1] = Math.sin(angle);
                logitMap[x][2 * f] = Math.cos(angle);
                logitMap[x][2 * f + 1] = Math.sin(angle);
            }
        }
        double[] table = FourierLogitProjectionTest.circuitLogits(p, operation, keys, scale);
        return new FixedWeightsModel(matrix(embedding), matrix(logitMap), (left, right) -> {
            double[][] rows = new double[left.length][];
            for (int i = 0; i < left.length; i++) {
                int row = left[i] * p + right[i];
                rows[i] = Arrays.copyOfRange(table, row * p, row * p + p);
            }
            return Nd4j.create(rows).castTo(DataType.FLOAT);
        });
    }
}
