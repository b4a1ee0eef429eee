package io.grokscope.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    static Checkpoint sample() {
        Map<String, Checkpoint.Tensor> parameters = new LinkedHashMap<>();
        // Deliberately not alphabetical: the order must survive.
        parameters.put("W_E", new Checkpoint.Tensor(new long[] {3, 2}, new float[] {1, -2, 3.5f, Float.MIN_VALUE,
                Float.MAX_VALUE, -0.0f}));
        parameters.put("hidden.0.b", new Checkpoint.Tensor(new long[] {2}, new float[] {Float.NaN, 7}));
        parameters.put("b_U", new Checkpoint.Tensor(new long[] {0}, new float[0]));
        Map<String, float[]> state = new LinkedHashMap<>();
        state.put("adamw.v", new float[] {0.5f, 0.25f});
        state.put("adamw.m", new float[] {1e-30f});
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("sampler.epochStart", Long.MIN_VALUE);
        counters.put("grokfast.ma.seen", 42L);
        return new Checkpoint(1234, parameters, state, counters);
    }

    @Test
    void roundTripKeepsEveryValueAndTheOrder() {
        Checkpoint original = sample();
        Checkpoint decoded = CheckpointCodec.decode(CheckpointCodec.encode(original));
        assertEquals(original, decoded);
        assertEquals(List.of("W_E", "hidden.0.b", "b_U"), List.copyOf(decoded.parameters().keySet()));
        assertEquals(List.of("adamw.v", "adamw.m"), List.copyOf(decoded.state().keySet()));
        assertEquals(List.of("sampler.epochStart", "grokfast.ma.seen"), List.copyOf(decoded.counters().keySet()));
        assertEquals(Float.floatToRawIntBits(-0.0f),
                Float.floatToRawIntBits(decoded.parameters().get("W_E").values()[5]));
    }

    @Test
    void theHeaderIsVersionedAndTheManifestReadable() {
        byte[] bytes = CheckpointCodec.encode(sample());
        assertEquals("GSCK", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(CheckpointCodec.VERSION, bytes[4]);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("\"step\":1234"), text);
        assertTrue(text.contains("\"hidden.0.b\""));
    }

    @Test
    void damagedOrForeignBytesAreRejected() {
        byte[] bytes = CheckpointCodec.encode(sample());
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 12] ^= 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode(flipped)).getMessage()
                .contains("checksum"));
        byte[] future = bytes.clone();
        future[4] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode(future)).getMessage()
                .contains("version"));
        assertThrows(IllegalArgumentException.class, () -> CheckpointCodec.decode("not a checkpoint at all"
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theRecordCopiesItsMapsAndChecksShapes() {
        Map<String, float[]> state = new LinkedHashMap<>();
        Checkpoint checkpoint = new Checkpoint(1, Map.of(), state, Map.of());
        state.put("late", new float[1]);
        assertTrue(checkpoint.state().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> checkpoint.state().put("x", new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Tensor(new long[] {2, 2}, new float[3]));
    }
}
