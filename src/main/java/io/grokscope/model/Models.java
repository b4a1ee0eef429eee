package io.grokscope.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds a freshly initialised model from its spec: the one place that maps a {@link ModelSpec} variant to its
 * implementation.
 */
public final class Models {

    private Models() {
    }

    /**
     * A new model with its parameters drawn from {@code seed} (a {@link SeededRandom} stream private to this model).
     *
     * @param spec     the architecture
     * @param elements number of element tokens: the input vocabulary of the operands and the number of answer classes
     * @param dtype    {@link DataType#FLOAT} for training, {@link DataType#DOUBLE} for gradient checks
     * @param seed     the initialisation seed; the same seed gives the same parameters bit for bit
     */
    public static Model create(ModelSpec spec, int elements, DataType dtype, long seed) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("models are FLOAT or DOUBLE, not " + dtype);
        }
        if (spec instanceof MlpSpec mlp) {
            return new Mlp(mlp, elements, dtype, seed);
        }
        if (spec instanceof TransformerSpec transformer) {
            return new Transformer(transformer, elements, dtype, seed);
        }
        throw new IllegalArgumentException("unknown model spec " + spec);
    }
}
