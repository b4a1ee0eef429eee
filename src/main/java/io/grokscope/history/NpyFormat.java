package io.grokscope.history;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes one float32 tensor in NumPy's {@code .npy} format, version 1.0, so that {@code numpy.load} reads checkpoints
 * with no Grokscope code: magic, a little-endian header length, a Python-literal header padded to a multiple of 64
 * bytes, then the values in C order, little-endian.
 */
final class NpyFormat {

    private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 };
    private static final int ALIGNMENT = 64;

    private NpyFormat() {
    }

    static byte[] float32(long[] shape, float[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + values.length * 4);
        try {
            writeFloat32(out, shape, values);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the array to {@code out} in slices of {@link #SLICE} values, so a download never holds a second copy of
     * a parameter (a 100 M-value embedding would be 400 MB more).
     */
    static void writeFloat32(java.io.OutputStream out, long[] shape, float[] values) throws java.io.IOException {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': ("
                + dims + (shape.length == 1 ? "," : "") + "), }";
        int unpadded = MAGIC.length + 2 + header.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String paddedHeader = header + " ".repeat(padding) + "\n";
        out.write(MAGIC);
        int length = paddedHeader.length();
        out.write(length & 0xff);
        out.write((length >> 8) & 0xff);
        out.write(paddedHeader.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer slice = ByteBuffer.allocate(SLICE * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < values.length; from += SLICE) {
            int count = Math.min(SLICE, values.length - from);
            slice.clear();
            slice.asFloatBuffer().put(values, from, count);
            out.write(slice.array(), 0, count * 4);
        }
    }

    private static final int SLICE = 16_384;
}
