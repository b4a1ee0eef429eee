package io.grokscope.training;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to resume a run bit for bit: the step, the named parameters, the optimizer's and the gradient
 * filter's state, and the minibatch sampler's random state.
 *
 * <p>The maps keep their insertion order (parameters in the model's buffer order), because the order is part of the
 * meaning: the binary form ({@link CheckpointCodec}) and the exported archives list tensors in it. Arrays are owned by
 * this record and never modified after construction; equality compares their contents.
 *
 * @param step       updates done
 * @param parameters named parameter tensors, flattened in 'c' order, with their shapes
 * @param state      named optimizer and filter state vectors (e.g. "adamw.m", "adamw.v", "grokfast.ema.mu")
 * @param counters   named scalar state (e.g. "sampler.epochStart", "grokfast.ma.seen")
 */
public record Checkpoint(long step, Map<String, Tensor> parameters, Map<String, float[]> state,
        Map<String, Long> counters) {

    public Checkpoint {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, was " + step);
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        state = Collections.unmodifiableMap(new LinkedHashMap<>(state));
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Checkpoint that) || step != that.step || !parameters.equals(that.parameters)
                || !counters.equals(that.counters) || !state.keySet().equals(that.state.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> entry : state.entrySet()) {
            if (!Arrays.equals(entry.getValue(), that.state.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(step, parameters, counters);
        for (Map.Entry<String, float[]> entry : state.entrySet()) {
            hash = 31 * hash + entry.getKey().hashCode() ^ Arrays.hashCode(entry.getValue());
        }
        return hash;
    }

    @Override
    public String toString() {
        return "Checkpoint[step=" + step + ", parameters=" + parameters.keySet() + ", state=" + state.keySet()
                + ", counters=" + counters + "]";
    }

    /** A named tensor's shape and 'c'-ordered values. */
    public record Tensor(long[] shape, float[] values) {

        public Tensor {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, got " + values.length);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tensor that && Arrays.equals(shape, that.shape)
                    && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape);
        }
    }
}
