package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The fast path against a plain reference written the obvious way: one ND4J op per line, fresh arrays, one-hot
 * matrices for the embedding and its gradient. Same initial parameters, same batch; loss and every gradient must
 * agree (float64 to 1e-12 relative, float32 to 1e-5).
 */
class MlpReferenceTest {

    private static final int P = 11;

    static Examples batch(int n, long seed) {
        SeededRandom random = new SeededRandom(seed);
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

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({
            "RELU, EMBEDDING, CROSS_ENTROPY, DOUBLE", "RELU, EMBEDDING, MSE, DOUBLE",
            "QUADRATIC, EMBEDDING, CROSS_ENTROPY, DOUBLE", "QUADRATIC, ONE_HOT, MSE, DOUBLE",
            "RELU, ONE_HOT, CROSS_ENTROPY, DOUBLE", "RELU, EMBEDDING, CROSS_ENTROPY, FLOAT",
            "QUADRATIC, ONE_HOT, MSE, FLOAT"})
    void fastPathEqualsNaiveReference(Activation activation, InputEncoding encoding, Loss loss, DataType type) {
        MlpSpec spec = new MlpSpec(8, List.of(24, 16), activation, encoding, 1.0);
        Model model = Models.create(spec, P, type, 3);
        Examples batch = batch(50, 9);
        double fast = model.lossAndGradients(batch, loss);
        Map<String, INDArray> params = new LinkedHashMap<>();
        model.parameters().named().forEach((k, v) -> params.put(k, v.castTo(DataType.DOUBLE)));
        Map<String, INDArray> referenceGrads = new LinkedHashMap<>();
        double reference = naive(spec, params, batch, loss, referenceGrads);

        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        assertEquals(reference, fast, tolerance * Math.abs(reference));
        for (Map.Entry<String, INDArray> e : model.parameters().namedGradients().entrySet()) {
            INDArray expected = referenceGrads.get(e.getKey());
            INDArray actual = e.getValue().castTo(DataType.DOUBLE);
            double error = expected.sub(actual).norm2Number().doubleValue()
                    / Math.max(expected.norm2Number().doubleValue(), 1e-300);
            assertTrue(error < tolerance, e.getKey() + ": relative error " + error);
        }
        // Logits and evaluation agree with the reference forward pass too.
        INDArray logits = model.logits(batch.left(), batch.right()).castTo(DataType.DOUBLE);
        INDArray referenceLogits = naiveLogits(spec, params, batch);
        assertTrue(referenceLogits.sub(logits).norm2Number().doubleValue()
                < tolerance * 10 * referenceLogits.norm2Number().doubleValue());
        assertEquals(reference, model.evaluate(batch, loss).loss(), tolerance * 10 * Math.abs(reference));
    }

    private static INDArray oneHot(int[] tokens, int width) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, tokens.length, width);
        for (int i = 0; i < tokens.length; i++) {
            m.putScalar(i, tokens[i], 1.0);
        }
        return m;
    }

    private static INDArray input(MlpSpec spec, Map<String, INDArray> p, Examples batch) {
        INDArray a = oneHot(batch.left(), P);
        INDArray b = oneHot(batch.right(), P);
        if (spec.inputEncoding() == InputEncoding.ONE_HOT) {
            return Nd4j.hstack(a, b);
        }
        INDArray ea = a.mmul(p.get("W_E"));
        INDArray eb = b.mmul(p.get("W_E"));
        return Nd4j.hstack(ea, eb);
    }

    private static INDArray naiveLogits(MlpSpec spec, Map<String, INDArray> p, Examples batch) {
        INDArray h = input(spec, p, batch);
        for (int l = 0; l < spec.hiddenDims().size(); l++) {
            INDArray z = h.mmul(p.get("hidden." + l + ".W")).addRowVector(p.get("hidden." + l + ".b"));
            h = spec.activation() == Activation.RELU ? Transforms.relu(z, true) : z.mul(z);
        }
        return h.mmul(p.get("W_U")).addRowVector(p.get("b_U"));
    }

    /** Loss and gradients, the textbook way. */
    private static double naive(MlpSpec spec, Map<String, INDArray> p, Examples batch, Loss loss,
            Map<String, INDArray> grads) {
        int n = batch.size();
        int layers = spec.hiddenDims().size();
        INDArray x = input(spec, p, batch);
        INDArray[] inputs = new INDArray[layers + 1];
        INDArray[] pre = new INDArray[layers];
        inputs[0] = x;
        for (int l = 0; l < layers; l++) {
            pre[l] = inputs[l].mmul(p.get("hidden." + l + ".W")).addRowVector(p.get("hidden." + l + ".b"));
            inputs[l + 1] = spec.activation() == Activation.RELU ? Transforms.relu(pre[l], true) : pre[l].mul(pre[l]);
        }
        INDArray logits = inputs[layers].mmul(p.get("W_U")).addRowVector(p.get("b_U"));
        INDArray target = oneHot(batch.answer(), P);
        double value;
        INDArray dLogits;
        if (loss == Loss.CROSS_ENTROPY) {
            INDArray probabilities = Transforms.softmax(logits, true);
            INDArray logProbabilities = Transforms.log(probabilities, true);
            value = -logProbabilities.mul(target).sumNumber().doubleValue() / n;
            dLogits = probabilities.sub(target).div(n);
        } else {
            INDArray diff = logits.sub(target);
            value = diff.mul(diff).sumNumber().doubleValue() / (n * P);
            dLogits = diff.mul(2.0 / (n * P));
        }
        grads.put("W_U", inputs[layers].transpose().mmul(dLogits));
        grads.put("b_U", dLogits.sum(0));
        INDArray dh = dLogits.mmul(p.get("W_U").transpose());
        for (int l = layers - 1; l >= 0; l--) {
            INDArray derivative = spec.activation() == Activation.RELU
                    ? pre[l].gt(0).castTo(DataType.DOUBLE) : pre[l].mul(2.0);
            INDArray dz = dh.mul(derivative);
            grads.put("hidden." + l + ".W", inputs[l].transpose().mmul(dz));
            grads.put("hidden." + l + ".b", dz.sum(0));
            dh = dz.mmul(p.get("hidden." + l + ".W").transpose());
        }
        if (spec.inputEncoding() == InputEncoding.EMBEDDING) {
            int e = spec.embedDim();
            INDArray dA = dh.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, e));
            INDArray dB = dh.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(e, 2 * e));
            grads.put("W_E", oneHot(batch.left(), P).transpose().mmul(dA)
                    .add(oneHot(batch.right(), P).transpose().mmul(dB)));
        }
        return value;
    }
}
