package io.grokscope.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access from Java loops to a contiguous ND4J array, without copying: a window onto the array's off-heap
 * memory through an NIO buffer.
 *
 * <p>Why this exists: on the shapes of the grokking models an ND4J element-wise op costs about 10 µs of call overhead
 * and, worse, competes for the two cores with OpenBLAS's spinning threads (a ReLU over 3830x512 took ~24 ms through
 * ND4J in {@code docs/reference-speeds.md}, 7-25 ms in other runs, under 1 ms as a Java loop). The fused passes of the
 * models and optimizers (bias + activation, softmax cross-entropy + its gradient, ReLU backward + bias gradient,
 * embedding gather and scatter, Adam) therefore run as plain loops over a {@code HostView}, and only the matrix
 * products go to BLAS.
 *
 * <p>Values are read and written as {@code double} whatever the storage type, so each kernel is written once and
 * serves both the FP32 production path and the FP64 gradient checks; for FP32 storage each write rounds once to
 * float. In one process the production path sees only {@link F32}, so the JIT inlines the accessors.
 *
 * <p>Index {@code i} is relative to the array's first element; arrays must be contiguous in 'c' order (every buffer
 * and parameter view in this package is).
 */
public abstract sealed class HostView permits HostView.F32, HostView.F64 {

    /** A view of {@code array}, which must be FLOAT or DOUBLE and contiguous in 'c' order. */
    public static HostView of(INDArray array) {
        if (array.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array too long for a host view: " + array.length());
        }
        if (array.rank() > 1 && array.ordering() != 'c') {
            throw new IllegalArgumentException("host views need 'c' order, was " + array.ordering());
        }
        if (array.rank() > 1 && array.elementWiseStride() != 1) {
            throw new IllegalArgumentException("host views need contiguous arrays");
        }
        int offset = Math.toIntExact(array.offset());
        int length = (int) array.length();
        DataType type = array.dataType();
        if (type == DataType.FLOAT) {
            return new F32(array, array.data().asNioFloat(), offset, length);
        }
        if (type == DataType.DOUBLE) {
            return new F64(array, array.data().asNioDouble(), offset, length);
        }
        throw new IllegalArgumentException("host views support FLOAT and DOUBLE, not " + type);
    }

    final int offset;
    final int length;
    /**
     * Keeps the array reachable: an NIO buffer does not own ND4J's native memory, which ND4J frees when the INDArray
     * is collected, so a view that outlived its array would read and write freed memory.
     */
    private final INDArray owner;

    private HostView(INDArray owner, int offset, int length) {
        this.owner = owner;
        this.offset = offset;
        this.length = length;
    }

    /** The array this view reads and writes. */
    public final INDArray array() {
        return owner;
    }

    /** Number of elements. */
    public final int length() {
        return length;
    }

    /** Element {@code i}. */
    public abstract double get(int i);

    /** Sets element {@code i} (rounded to the storage type). */
    public abstract void set(int i, double value);

    /**
     * Reads {@code n} elements starting at {@code from} into {@code dst[to..to+n-1]}. One tight loop is several times
     * faster than {@code n} calls of {@link #get} from a kernel's inner loop, so kernels that touch short rows many
     * times (attention) stage them in double[] scratch.
     */
    public abstract void read(int from, double[] dst, int to, int n);

    /** Writes {@code src[from..from+n-1]} to the elements starting at {@code to} (rounded to the storage type). */
    public abstract void write(double[] src, int from, int to, int n);

    /** Copies {@code n} elements starting at {@code from} into {@code target}, starting at {@code to}. */
    public abstract void copyTo(int from, HostView target, int to, int n);

    /** All elements as floats (for checkpoints), rounded if the storage is double. */
    public abstract float[] toFloatArray();

    /** Overwrites all elements from {@code values}, which must have {@link #length()} elements. */
    public final void setAll(float[] values) {
        if (values.length != length) {
            throw new IllegalArgumentException("expected " + length + " values, got " + values.length);
        }
        for (int i = 0; i < length; i++) {
            set(i, values[i]);
        }
    }

    /** Sets every element to {@code value}. */
    public final void fill(double value) {
        for (int i = 0; i < length; i++) {
            set(i, value);
        }
    }

    /** The buffer may extend past this view (a slice of a larger array): keep bulk access inside the view. */
    final void checkRange(int from, int n) {
        if (from < 0 || n < 0 || from > length - n) {
            throw new IndexOutOfBoundsException("elements " + from + ".." + (from + n - 1) + " of " + length);
        }
    }

    /** Sum of squares accumulated in double in index order, so the result does not depend on threads. */
    public final double sumOfSquares() {
        double[] chunk = new double[Math.min(length, 4096)];
        double sum = 0;
        for (int start = 0; start < length; start += chunk.length) {
            int n = Math.min(chunk.length, length - start);
            read(start, chunk, 0, n);
            for (int k = 0; k < n; k++) {
                sum += chunk[k] * chunk[k];
            }
        }
        return sum;
    }

    /** {@code value} as this view would store it: what {@link #get} returns after {@link #set}{@code (i, value)}. */
    public abstract double stored(double value);

    /** FP32 storage. */
    public static final class F32 extends HostView {
        /**
         * Per-thread float[] through which bulk reads and writes pass: one absolute bulk get/put on the direct buffer
         * is a memory copy, and widening or narrowing a heap array is a loop the JIT vectorises, where a
         * {@code get(i)} per element pays a bounds check and an off-heap access each. Per thread because the kernels
         * run their lanes on two threads at once.
         */
        private static final ThreadLocal<float[]> STAGING = ThreadLocal.withInitial(() -> new float[1024]);

        private final FloatBuffer buffer;

        F32(INDArray owner, FloatBuffer buffer, int offset, int length) {
            super(owner, offset, length);
            this.buffer = buffer;
        }

        @Override
        public double get(int i) {
            return buffer.get(offset + i);
        }

        @Override
        public void set(int i, double value) {
            buffer.put(offset + i, (float) value);
        }

        @Override
        public double stored(double value) {
            return (float) value;
        }

        @Override
        public void copyTo(int from, HostView target, int to, int n) {
            if (target instanceof F32 t) {
                for (int k = 0; k < n; k++) {
                    t.buffer.put(t.offset + to + k, buffer.get(offset + from + k));
                }
            } else {
                for (int k = 0; k < n; k++) {
                    target.set(to + k, get(from + k));
                }
            }
        }

        @Override
        public float[] toFloatArray() {
            float[] out = new float[length];
            buffer.get(offset, out, 0, length);
            return out;
        }

        private static float[] staging(int n) {
            float[] staged = STAGING.get();
            if (staged.length < n) {
                staged = new float[Math.max(n, 2 * staged.length)];
                STAGING.set(staged);
            }
            return staged;
        }

        @Override
        public void read(int from, double[] dst, int to, int n) {
            checkRange(from, n);
            float[] staged = staging(n);
            buffer.get(offset + from, staged, 0, n);
            for (int k = 0; k < n; k++) {
                dst[to + k] = staged[k];
            }
        }

        @Override
        public void write(double[] src, int from, int to, int n) {
            checkRange(to, n);
            float[] staged = staging(n);
            for (int k = 0; k < n; k++) {
                staged[k] = (float) src[from + k];
            }
            buffer.put(offset + to, staged, 0, n);
        }
    }

    /** FP64 storage, for gradient checks. */
    public static final class F64 extends HostView {
        private final DoubleBuffer buffer;

        F64(INDArray owner, DoubleBuffer buffer, int offset, int length) {
            super(owner, offset, length);
            this.buffer = buffer;
        }

        @Override
        public double get(int i) {
            return buffer.get(offset + i);
        }

        @Override
        public void set(int i, double value) {
            buffer.put(offset + i, value);
        }

        @Override
        public double stored(double value) {
            return value;
        }

        @Override
        public void copyTo(int from, HostView target, int to, int n) {
            for (int k = 0; k < n; k++) {
                target.set(to + k, get(from + k));
            }
        }

        @Override
        public float[] toFloatArray() {
            float[] out = new float[length];
            for (int i = 0; i < length; i++) {
                out[i] = (float) buffer.get(offset + i);
            }
            return out;
        }

        @Override
        public void read(int from, double[] dst, int to, int n) {
            checkRange(from, n);
            buffer.get(offset + from, dst, to, n);
        }

        @Override
        public void write(double[] src, int from, int to, int n) {
            checkRange(to, n);
            buffer.put(offset + to, src, from, n);
        }
    }
}
