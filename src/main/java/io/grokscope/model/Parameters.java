package io.grokscope.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's named parameter tensors and their gradients, each a view into one flat buffer.
 *
 * <p>One flat buffer lets the optimizer, the gradient filters and the checkpoint writer treat the whole model as a
 * single vector (one fused update instead of one small op per tensor), while the model and the analysis still address
 * each tensor by its stable name ("W_E", "W_U", "blocks.0.mlp.W_in", ...). Views are 'c'-ordered.
 */
public final class Parameters {

    private final INDArray values;
    private final INDArray gradients;
    private final Map<String, INDArray> valueViews;
    private final Map<String, INDArray> gradientViews;

    private Parameters(INDArray values, INDArray gradients, Map<String, INDArray> valueViews,
            Map<String, INDArray> gradientViews) {
        this.values = values;
        this.gradients = gradients;
        this.valueViews = Collections.unmodifiableMap(valueViews);
        this.gradientViews = Collections.unmodifiableMap(gradientViews);
    }

    /** Allocates zeroed values and gradients for the given shapes, in the given (iteration) order. */
    public static Parameters allocate(Map<String, long[]> shapes, DataType dataType) {
        long total = 0;
        for (long[] shape : shapes.values()) {
            total += length(shape);
        }
        INDArray values = Nd4j.zeros(dataType, total);
        INDArray gradients = Nd4j.zeros(dataType, total);
        Map<String, INDArray> valueViews = new LinkedHashMap<>();
        Map<String, INDArray> gradientViews = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            long n = length(entry.getValue());
            valueViews.put(entry.getKey(), slice(values, offset, n, entry.getValue()));
            gradientViews.put(entry.getKey(), slice(gradients, offset, n, entry.getValue()));
            offset += n;
        }
        return new Parameters(values, gradients, valueViews, gradientViews);
    }

    /**
     * Named views over buffers the caller owns: {@code values} and {@code gradients} are contiguous vectors of the
     * shapes' total length (e.g. one lane's row of a stacked {@code [lanes, size]} buffer, see {@link BatchedMlp}),
     * laid out exactly as {@link #allocate} lays out its own.
     */
    public static Parameters view(Map<String, long[]> shapes, INDArray values, INDArray gradients) {
        long total = 0;
        for (long[] shape : shapes.values()) {
            total += length(shape);
        }
        if (values.rank() != 1 || gradients.rank() != 1 || values.length() != total || gradients.length() != total) {
            throw new IllegalArgumentException("values and gradients must be vectors of " + total + " elements");
        }
        Map<String, INDArray> valueViews = new LinkedHashMap<>();
        Map<String, INDArray> gradientViews = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            long n = length(entry.getValue());
            valueViews.put(entry.getKey(), slice(values, offset, n, entry.getValue()));
            gradientViews.put(entry.getKey(), slice(gradients, offset, n, entry.getValue()));
            offset += n;
        }
        return new Parameters(values, gradients, valueViews, gradientViews);
    }

    private static INDArray slice(INDArray flat, long offset, long n, long[] shape) {
        INDArray part = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n));
        return part.reshape('c', shape);
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** All values as one vector. Writing to it writes the named tensors. */
    public INDArray values() {
        return values;
    }

    /** All gradients as one vector, in the same layout as {@link #values()}. */
    public INDArray gradients() {
        return gradients;
    }

    /** Named value tensors in a stable order. */
    public Map<String, INDArray> named() {
        return valueViews;
    }

    /** Named gradient tensors, same names and order as {@link #named()}. */
    public Map<String, INDArray> namedGradients() {
        return gradientViews;
    }

    /** The value tensor with this name; fails loudly on an unknown name. */
    public INDArray get(String name) {
        INDArray view = valueViews.get(name);
        if (view == null) {
            throw new IllegalArgumentException("no parameter named " + name + "; have " + valueViews.keySet());
        }
        return view;
    }

    /** The gradient tensor with this name; fails loudly on an unknown name. */
    public INDArray gradient(String name) {
        INDArray view = gradientViews.get(name);
        if (view == null) {
            throw new IllegalArgumentException("no parameter named " + name + "; have " + gradientViews.keySet());
        }
        return view;
    }

    public long size() {
        return values.length();
    }
}
