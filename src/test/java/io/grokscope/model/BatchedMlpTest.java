package io.grokscope.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grokscope.task.Examples;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class BatchedMlpTest {

    private static final int P = 11;

    @BeforeAll
    static void threads() {
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
    }

    private static Examples batch(long seed, int n) {
        Random random = new Random(seed);
        int[] left = new int[n];
        int[] right = new int[n];
        int[] answer = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = random.nextInt(P);
            right[i] = random.nextInt(P);
            answer[i] = (left[i] + right[i]) % P;
        }
        return new Examples(left, right, answer);
    }

    private static MlpSpec spec(InputEncoding encoding, Activation activation, double initScale) {
        return new MlpSpec(6, List.of(16, 12), activation, encoding, initScale);
    }

    /** Every lane's loss and gradient equal, bit for bit, its solo model's on the same batch; a sitting-out lane too. */
    @ParameterizedTest
    @CsvSource({"EMBEDDING, RELU, CROSS_ENTROPY, 40, 2", "EMBEDDING, QUADRATIC, MSE, 41, 2",
            "ONE_HOT, RELU, MSE, 300, 2", "ONE_HOT, QUADRATIC, CROSS_ENTROPY, 7, 2",
            // at one BLAS thread the products run as two half-stacks on two threads at once
            "EMBEDDING, RELU, CROSS_ENTROPY, 200, 1", "ONE_HOT, QUADRATIC, MSE, 33, 1"})
    void lanesEqualSoloModelsBitForBit(InputEncoding encoding, Activation activation, Loss loss, int n, int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        try {
            assertLanesEqualSoloModels(encoding, activation, loss, n);
        } finally {
            threads();
        }
    }

    private static void assertLanesEqualSoloModels(InputEncoding encoding, Activation activation, Loss loss, int n) {
        double[] scales = {1.0, 0.5, 2.0};
        long[] seeds = {3, 4, 5};
        List<MlpSpec> specs = List.of(spec(encoding, activation, scales[0]), spec(encoding, activation, scales[1]),
                spec(encoding, activation, scales[2]));
        BatchedMlp batched = new BatchedMlp(specs, P, DataType.FLOAT, seeds);
        Examples[] batches = {batch(1, n), null, batch(2, n)};
        for (int round = 0; round < 2; round++) {
            double[] losses = batched.lossAndGradients(batches, loss);
            if (batches[1] == null) {
                assertThat(losses[1]).isNaN();
            }
            for (int l = 0; l < 3; l++) {
                Model solo = Models.create(specs.get(l), P, DataType.FLOAT, seeds[l]);
                assertThat(batched.lane(l).parameters().values().toFloatVector())
                        .isEqualTo(solo.parameters().values().toFloatVector());
                if (batches[l] == null) {
                    continue;
                }
                double expected = solo.lossAndGradients(batches[l], loss);
                assertThat(losses[l]).isEqualTo(expected);
                assertThat(batched.lane(l).parameters().gradients().toFloatVector())
                        .isEqualTo(solo.parameters().gradients().toFloatVector());
            }
            batches = new Examples[] {batch(5, n), batch(6, n), batch(7, n)}; // the sitting-out lane joins
        }
    }

    @ParameterizedTest
    @CsvSource({"EMBEDDING, RELU", "ONE_HOT, QUADRATIC"})
    void theWorkspaceEstimateIsWhatATrainingStepAllocates(InputEncoding encoding, Activation activation) {
        MlpSpec spec = spec(encoding, activation, 1.0);
        BatchedMlp batched = new BatchedMlp(List.of(spec, spec, spec), P, DataType.FLOAT, new long[] {1, 2, 3});
        batched.lossAndGradients(new Examples[] {batch(1, 20), batch(2, 20), batch(3, 20)}, Loss.CROSS_ENTROPY);
        assertThat(batched.workspaceFloats()).isEqualTo(BatchedMlp.workspaceFloats(spec, P, 3, 20));
        batched.lossAndGradients(new Examples[] {batch(1, 9), null, batch(3, 9)}, Loss.MSE);
        assertThat(batched.workspaceFloats()).isEqualTo(BatchedMlp.workspaceFloats(spec, P, 3, 20)
                + BatchedMlp.workspaceFloats(spec, P, 3, 9));
    }

    @Test
    void refusesLanesOfDifferentShapesAndBatchesOfDifferentSizes() {
        assertThatThrownBy(() -> new BatchedMlp(List.of(spec(InputEncoding.EMBEDDING, Activation.RELU, 1),
                spec(InputEncoding.ONE_HOT, Activation.RELU, 1)), P, DataType.FLOAT, new long[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        BatchedMlp batched = new BatchedMlp(List.of(spec(InputEncoding.EMBEDDING, Activation.RELU, 1),
                spec(InputEncoding.EMBEDDING, Activation.RELU, 1)), P, DataType.FLOAT, new long[] {1, 2});
        assertThatThrownBy(() -> batched.lossAndGradients(new Examples[] {batch(1, 5), batch(1, 6)},
                Loss.CROSS_ENTROPY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batched.lossAndGradients(new Examples[] {null, null}, Loss.CROSS_ENTROPY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
