package io.grokscope.model;

import java.util.List;

/**
 * The grokking MLP: the two operands are embedded (or one-hot encoded), concatenated, and passed through hidden layers
 * to one logit per answer token.
 *
 * @param embedDim      width of each operand's embedding (ignored for {@link InputEncoding#ONE_HOT})
 * @param hiddenDims    widths of the hidden layers, at least one
 * @param activation    {@link Activation#RELU} or {@link Activation#QUADRATIC}
 * @param inputEncoding learned embedding shared by both operands, or fixed one-hot vectors
 * @param initScale     Omnigrok's alpha
 */
public record MlpSpec(int embedDim, List<Integer> hiddenDims, Activation activation, InputEncoding inputEncoding,
        double initScale) implements ModelSpec {

    public MlpSpec {
        hiddenDims = List.copyOf(hiddenDims);
        if (hiddenDims.isEmpty() || hiddenDims.stream().anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("hiddenDims must hold at least one positive width");
        }
        if (inputEncoding == InputEncoding.EMBEDDING && embedDim < 1) {
            throw new IllegalArgumentException("embedDim must be positive");
        }
        if (activation == Activation.GELU) {
            throw new IllegalArgumentException("an MLP's activation is RELU or QUADRATIC");
        }
        if (!(initScale > 0)) {
            throw new IllegalArgumentException("initScale must be > 0");
        }
    }
}
