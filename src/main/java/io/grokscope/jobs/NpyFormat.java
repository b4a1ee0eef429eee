package io.grokscope.jobs;

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
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': ("
                + dims + (shape.length == 1 ? "," : "") + "), }";
        int unpadded = MAGIC.length + 2 + header.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String paddedHeader = header + " ".repeat(padding) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(unpadded + padding + values.length * 4);
        out.writeBytes(MAGIC);
        int length = paddedHeader.length();
        out.write(length & 0xff);
        out.write((length >> 8) & 0xff);
        out.writeBytes(paddedHeader.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        out.writeBytes(data.array());
        return out.toByteArray();
    }
}
