package io.grokscope.training;

import java.util.Map;

/**
 * Everything needed to resume a run bit for bit: the step, the named parameters, the optimizer's and the gradient
 * filter's state, and the random generator's state.
 *
 * <p>Arrays are owned by this record and never modified after construction.
 *
 * @param step       updates done
 * @param parameters named parameter tensors, flattened in 'c' order, with their shapes
 * @param state      named optimizer and filter state vectors (e.g. "adam.m", "adam.v", "grokfast.ema")
 * @param counters   named scalar state (e.g. "rng", "adam.t", "grokfast.ma.filled")
 */
public record Checkpoint(long step, Map<String, Tensor> parameters, Map<String, float[]> state,
        Map<String, Long> counters) {

    public Checkpoint {
        parameters = Map.copyOf(parameters);
        state = Map.copyOf(state);
        counters = Map.copyOf(counters);
    }

    /** A named tensor's shape and 'c'-ordered values. */
    public record Tensor(long[] shape, float[] values) {
    }
}
