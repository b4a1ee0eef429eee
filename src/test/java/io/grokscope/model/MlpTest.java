package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Names, shapes, initialisation and the analysis views of the MLP. */
class MlpTest {

    @Test
    void embeddingModelHasNamedTensorsInBufferOrder() {
        Model model = Models.create(new MlpSpec(8, List.of(16, 12), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
                13, DataType.FLOAT, 1);
        Parameters p = model.parameters();
        assertEquals(List.of("W_E", "hidden.0.W", "hidden.0.b", "hidden.1.W", "hidden.1.b", "W_U", "b_U"),
                List.copyOf(p.named().keySet()));
        assertArrayEquals(new long[] {13, 8}, p.get("W_E").shape());
        assertArrayEquals(new long[] {16, 16}, p.get("hidden.0.W").shape());
        assertArrayEquals(new long[] {12, 13}, p.get("W_U").shape());
        assertEquals(13 * 8 + 16 * 16 + 16 + 16 * 12 + 12 + 12 * 13 + 13, p.size());
        assertEquals(13, model.outputs());
    }

    @Test
    void oneHotModelHasNoEmbeddingAndAFirstLayerOverBothOneHots() {
        Model model = Models.create(new MlpSpec(0, List.of(10), Activation.QUADRATIC, InputEncoding.ONE_HOT, 1.0),
                7, DataType.FLOAT, 1);
        assertEquals(List.of("hidden.0.W", "hidden.0.b", "W_U", "b_U"), List.copyOf(model.parameters().named().keySet()));
        assertArrayEquals(new long[] {14, 10}, model.parameters().get("hidden.0.W").shape());
        INDArray embedding = model.tokenEmbedding();
        assertArrayEquals(new long[] {7, 10}, embedding.shape());
        assertEquals(model.parameters().get("hidden.0.W").get(NDArrayIndex.interval(0, 7), NDArrayIndex.all()),
                embedding);
    }

    @Test
    void initialisationFollowsTorchDefaultsTimesInitScale() {
        double alpha = 2.0;
        int p = 97;
        Model model = Models.create(new MlpSpec(128, List.of(512), Activation.RELU, InputEncoding.EMBEDDING, alpha),
                p, DataType.DOUBLE, 5);
        INDArray embed = model.parameters().get("W_E");
        assertEquals(0.0, embed.meanNumber().doubleValue(), 0.02 * alpha);
        assertEquals(alpha, embed.stdNumber().doubleValue(), 0.02 * alpha);
        double bound1 = alpha / Math.sqrt(256);
        INDArray w1 = model.parameters().get("hidden.0.W");
        assertTrue(w1.amaxNumber().doubleValue() <= bound1);
        assertEquals(bound1 / Math.sqrt(3), w1.stdNumber().doubleValue(), 0.01 * bound1); // std of U(-b, b)
        assertTrue(model.parameters().get("hidden.0.b").amaxNumber().doubleValue() <= bound1);
        double boundU = alpha / Math.sqrt(512);
        assertTrue(model.parameters().get("W_U").amaxNumber().doubleValue() <= boundU);
        assertTrue(model.parameters().get("b_U").amaxNumber().doubleValue() <= boundU);
        assertTrue(model.parameters().get("W_U").amaxNumber().doubleValue() > 0.9 * boundU);
    }

    @Test
    void theSameSeedGivesTheSameParametersAndAnotherSeedDoesNot() {
        MlpSpec spec = new MlpSpec(8, List.of(16), Activation.RELU, InputEncoding.EMBEDDING, 1.0);
        INDArray a = Models.create(spec, 11, DataType.FLOAT, 3).parameters().values();
        INDArray b = Models.create(spec, 11, DataType.FLOAT, 3).parameters().values();
        INDArray c = Models.create(spec, 11, DataType.FLOAT, 4).parameters().values();
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void logitMapIsTheUnembeddingWithRowsPerAnswerToken() {
        Model model = Models.create(new MlpSpec(8, List.of(16), Activation.RELU, InputEncoding.EMBEDDING, 1.0), 11,
                DataType.FLOAT, 3);
        INDArray map = model.logitMap();
        assertArrayEquals(new long[] {11, 16}, map.shape());
        assertEquals(model.parameters().get("W_U").transpose(), map);
        map.addi(1.0); // a fresh array: the model is untouched
        assertNotEquals(model.parameters().get("W_U").transpose(), map);
    }

    @Test
    void evaluationCountsTheArgmaxOfTheLogits() {
        Model model = Models.create(new MlpSpec(8, List.of(16), Activation.RELU, InputEncoding.EMBEDDING, 1.0), 11,
                DataType.FLOAT, 3);
        Examples data = MlpReferenceTest.batch(40, 2);
        INDArray logits = model.logits(data.left(), data.right());
        long correct = 0;
        for (int i = 0; i < data.size(); i++) {
            if (logits.getRow(i).argMax().getInt(0) == data.answer()[i]) {
                correct++;
            }
        }
        assertEquals((double) correct / data.size(), model.evaluate(data, Loss.CROSS_ENTROPY).accuracy());
    }

    @Test
    void evaluationInChunksEqualsOneBatch() {
        Model model = Models.create(new MlpSpec(4, List.of(8), Activation.RELU, InputEncoding.EMBEDDING, 1.0), 101,
                DataType.DOUBLE, 3);
        Examples data = MlpReferenceTest.batch(Mlp.EVAL_CHUNK + 100, 4);
        double loss = model.lossAndGradients(data, Loss.CROSS_ENTROPY);
        assertEquals(loss, model.evaluate(data, Loss.CROSS_ENTROPY).loss(), 1e-12);
    }

    @Test
    void tokensOutsideTheVocabularyAreRejected() {
        Model model = Models.create(new MlpSpec(4, List.of(8), Activation.RELU, InputEncoding.EMBEDDING, 1.0), 5,
                DataType.FLOAT, 3);
        Examples bad = new Examples(new int[] {5}, new int[] {0}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> model.lossAndGradients(bad, Loss.CROSS_ENTROPY));
    }
}
