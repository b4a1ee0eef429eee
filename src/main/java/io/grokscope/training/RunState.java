package io.grokscope.training;

import java.util.Map;

/**
 * A piece of a run's mutable state that a {@link Checkpoint} must carry so that a resumed run continues bit for bit:
 * optimizer moments, gradient-filter history, the minibatch sampler's position.
 *
 * <p>Each implementation writes its vectors and counters under its own name prefix ("adam.", "sgd.", "grokfast.",
 * "sampler.") and reads back exactly what it wrote; FP32 values round-trip exactly.
 */
interface RunState {

    /** Adds this component's state to the checkpoint being assembled. */
    void save(Map<String, float[]> state, Map<String, Long> counters);

    /** Restores what {@link #save} wrote; fails loudly when an entry is missing or has the wrong length. */
    void restore(Checkpoint checkpoint);

    static float[] vector(Checkpoint checkpoint, String name, int length) {
        float[] values = checkpoint.state().get(name);
        if (values == null) {
            throw new IllegalArgumentException("checkpoint has no state vector " + name + "; has "
                    + checkpoint.state().keySet());
        }
        if (values.length != length) {
            throw new IllegalArgumentException("checkpoint state " + name + " has " + values.length
                    + " values, expected " + length);
        }
        return values;
    }

    static long counter(Checkpoint checkpoint, String name) {
        Long value = checkpoint.counters().get(name);
        if (value == null) {
            throw new IllegalArgumentException("checkpoint has no counter " + name + "; has "
                    + checkpoint.counters().keySet());
        }
        return value;
    }
}
