package io.grokscope.model;

import io.grokscope.task.Examples;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable network over element tokens: given pairs (left, right) it produces one logit per answer token.
 *
 * <p>Parameters are named (see {@link Parameters}) and live in one flat buffer, so optimizers, checkpoints, weight
 * norms and Fourier analysis address them by name, never by position. A model is not thread-safe: one training run
 * owns it.
 */
public interface Model {

    /** The named parameters and their gradients. */
    Parameters parameters();

    /** Number of answer classes (the task's element count). */
    int outputs();

    /**
     * One forward and backward pass over {@code batch}: overwrites {@link Parameters#gradients()} with the gradient of
     * the mean loss and returns that loss.
     */
    double lossAndGradients(Examples batch, Loss loss);

    /** Forward only: mean loss and accuracy over {@code data}. Leaves gradients untouched. */
    Evaluation evaluate(Examples data, Loss loss);

    /** Forward only: logits {@code [n, outputs]} for the given pairs, a fresh array owned by the caller. */
    INDArray logits(int[] left, int[] right);

    /**
     * The input-side token representation, rows indexed by element token: {@code [elements, d]}. For a learned
     * embedding this is W_E; for one-hot input it is the first layer's weights for the left operand.
     * A view: copy it to keep it.
     */
    INDArray tokenEmbedding();

    /**
     * W_L, the linear map into the logits with rows indexed by answer token: {@code [outputs, k]}. For the MLP the
     * last layer's weights; for the transformer W_U^T composed with the last MLP's output weights. A fresh array.
     */
    INDArray logitMap();

    /** Mean loss and accuracy over a set of examples. */
    record Evaluation(double loss, double accuracy) {
    }
}
