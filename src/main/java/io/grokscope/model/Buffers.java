package io.grokscope.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Allocates a model's workspace arrays ('c' order, the model's data type) and counts their elements, so that a test
 * can hold the static memory estimate of each model ({@code workspaceFloats(spec, ...)}) to what it really allocates.
 */
final class Buffers {

    private final DataType dataType;
    private long floats;

    Buffers(DataType dataType) {
        this.dataType = dataType;
    }

    /** A fresh zeroed {@code [rows, columns]} array. */
    INDArray matrix(long rows, long columns) {
        floats += rows * columns;
        return Nd4j.create(dataType, new long[] {rows, columns}, 'c');
    }

    /** A fresh zeroed {@code [stacks, rows, columns]} array. */
    INDArray stack(long stacks, long rows, long columns) {
        floats += stacks * rows * columns;
        return Nd4j.create(dataType, new long[] {stacks, rows, columns}, 'c');
    }

    /** Elements allocated so far. */
    long floats() {
        return floats;
    }
}
