package io.grokscope.model;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds a freshly initialised model from its spec: the one place that maps a {@link ModelSpec} variant to its
 * implementation.
 */
public final class Models {

    /** Evaluation and forward-only passes run in chunks of at most this many examples. */
    public static final int EVAL_CHUNK = 4096;

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

    /**
     * Trainable parameters of {@code spec} for {@code elements} tokens, from the same shape table the model allocates
     * (so never out of step with it), without allocating anything.
     */
    public static long parameterCount(ModelSpec spec, int elements) {
        Map<String, long[]> shapes = spec instanceof MlpSpec mlp ? Mlp.shapes(mlp, elements)
                : Transformer.shapes((TransformerSpec) spec, elements);
        long total = 0;
        for (long[] shape : shapes.values()) {
            long n = 1;
            for (long dimension : shape) {
                n = Math.multiplyExact(n, dimension);
            }
            total = Math.addExact(total, n);
        }
        return total;
    }

    /**
     * Array elements (besides the parameters and their gradients) that the model allocates off-heap for a pass over
     * {@code examples} examples at once: its activation workspace, with the backward pass's buffers when
     * {@code training}, plus what it keeps per model. A model caches one workspace per batch size it has seen.
     */
    public static long workspaceFloats(ModelSpec spec, int elements, long examples, boolean training) {
        return spec instanceof MlpSpec mlp ? Mlp.workspaceFloats(mlp, elements, examples, training)
                : Transformer.workspaceFloats((TransformerSpec) spec, elements, examples, training);
    }

    /** Array elements a model allocates once, whatever the batch size (besides parameters and gradients). */
    public static long fixedScratchFloats(ModelSpec spec) {
        return spec instanceof TransformerSpec transformer ? Transformer.blockScratchFloats(transformer) : 0;
    }
}
