package io.grokscope.analysis;

import io.grokscope.model.Loss;
import io.grokscope.model.Model;
import io.grokscope.model.Parameters;
import io.grokscope.task.Examples;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stand-in {@link Model} for the analysis tests: given W_E, W_L and a logit function, it answers only what the
 * progress measures read, and counts forward passes so tests can check the table forward is skipped when not needed.
 */
final class FixedWeightsModel implements Model {

    private final INDArray tokenEmbedding;
    private final INDArray logitMap;
    private final BiFunction<int[], int[], INDArray> logits;
    private int forwardPasses;

    FixedWeightsModel(INDArray tokenEmbedding, INDArray logitMap, BiFunction<int[], int[], INDArray> logits) {
        this.tokenEmbedding = tokenEmbedding;
        this.logitMap = logitMap;
        this.logits = logits;
    }

    int forwardPasses() {
        return forwardPasses;
    }

    @Override
    public Parameters parameters() {
        throw new UnsupportedOperationException("not needed by the progress measures");
    }

    @Override
    public int outputs() {
        return (int) logitMap.rows();
    }

    @Override
    public double lossAndGradients(Examples batch, Loss loss) {
        throw new UnsupportedOperationException("not needed by the progress measures");
    }

    @Override
    public Evaluation evaluate(Examples data, Loss loss) {
        throw new UnsupportedOperationException("not needed by the progress measures");
    }

    @Override
    public INDArray logits(int[] left, int[] right) {
        forwardPasses++;
        return logits.apply(left, right);
    }

    @Override
    public INDArray tokenEmbedding() {
        return tokenEmbedding;
    }

    @Override
    public INDArray logitMap() {
        return logitMap.dup();
    }
}
