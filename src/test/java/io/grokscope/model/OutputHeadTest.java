package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The shared output head: its row losses, and its fused training pass against the plain-Java evaluation. */
class OutputHeadTest {

    @Test
    void crossEntropyKeepsALossBelowTheMaximumsUlp() {
        // The answer holds the maximum 36: the loss log(1 + e^-36) ≈ 2.3e-16 is far below ulp(36) ≈ 7e-15, so adding
        // the maximum back before subtracting the answer's logit (max + log Σ - z_y) rounds it to exactly 0.
        double[] row = {36.0, 0.0};
        double loss = OutputHead.crossEntropy(row, 0, 2, 0);
        double exact = Math.log1p(Math.exp(-36.0));
        assertTrue(loss > 0, "loss " + loss);
        assertEquals(exact, loss, 0.1 * exact);
    }

    @Test
    void crossEntropyOfAWrongAnswerIsItsGapPlusTheLogSumExp() {
        double[] row = {9.0, 1.0, 2.0, 0.0, 0.0};
        double loss = OutputHead.crossEntropy(row, 1, 3, 0); // the row {1, 2, 0} at offset 1, answer class 0 (logit 1)
        assertEquals(Math.log(Math.exp(-1) + 1 + Math.exp(-2)) + 1.0, loss, 1e-15);
    }

    @Test
    void squaredErrorSumsTheRowAgainstTheOneHot() {
        assertEquals(0.25 + 0.0625 + 4.0, OutputHead.squaredError(new double[] {0.5, 0.25, 2.0}, 0, 3, 0));
    }

    @Test
    void firstMaximumResolvesTiesToTheLowestClass() {
        assertEquals(1, OutputHead.firstMaximum(new double[] {0.0, 3.0, 3.0, 1.0}, 0, 4));
    }

    @Test
    void trainingLossAndGradientMatchTheEvaluationAndSoftmaxMinusOneHot() {
        int classes = 5;
        int n = 7;
        INDArray bias = Nd4j.create(new double[] {0.1, -0.2, 0.3, 0.0, 0.05});
        INDArray biasGradient = Nd4j.create(DataType.DOUBLE, classes);
        OutputHead head = new OutputHead(classes, HostView.of(bias), HostView.of(biasGradient));
        INDArray logits = Nd4j.create(DataType.DOUBLE, n, classes);
        HostView logitView = HostView.of(logits);
        for (int i = 0; i < n * classes; i++) {
            logitView.set(i, Math.sin(1.7 * i) * 3);
        }
        int[] answer = {0, 4, 2, 2, 1, 3, 0};
        Examples data = new Examples(new int[n], new int[n], answer);
        for (Loss loss : Loss.values()) {
            INDArray logitGradient = Nd4j.create(DataType.DOUBLE, n, classes);
            double value = head.lossAndGradient(loss, logitView, HostView.of(logitGradient), answer, n,
                    new double[n]);
            Model.Evaluation evaluation = head.evaluate(data, loss, (left, right, start, rows) -> logitView);
            assertEquals(evaluation.loss(), value, 1e-14 * value, loss.name());

            double[] expectedBias = new double[classes];
            for (int i = 0; i < n; i++) {
                double[] z = new double[classes];
                double sum = 0;
                for (int j = 0; j < classes; j++) {
                    z[j] = logitView.get(i * classes + j) + bias.getDouble(j);
                    sum += Math.exp(z[j]);
                }
                for (int j = 0; j < classes; j++) {
                    double onehot = j == answer[i] ? 1 : 0;
                    double expected = loss == Loss.CROSS_ENTROPY
                            ? (Math.exp(z[j]) / sum - onehot) / n
                            : 2 * (z[j] - onehot) / (n * classes);
                    assertEquals(expected, logitGradient.getDouble(i, j), 1e-15, loss + " row " + i);
                    expectedBias[j] += expected;
                }
            }
            assertArrayEquals(expectedBias, biasGradient.toDoubleVector(), 1e-15, loss.name());
        }
    }
}
