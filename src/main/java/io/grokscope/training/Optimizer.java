package io.grokscope.training;

import io.grokscope.model.Parameters;

/**
 * Updates a model's flat parameter buffer from its flat gradient buffer ({@link Parameters#values()},
 * {@link Parameters#gradients()}), one fused pass over all tensors.
 *
 * <p>Protocol: create one per run with {@link #create}; the trainer computes the gradient, lets the gradient filter
 * rewrite it, then calls {@link #step} with the 1-based update number and that update's learning rate (see
 * {@link OptimizerSpec#learningRateAt}). State (moments, momentum) lives in the parameters' data type and is part of
 * every checkpoint.
 */
interface Optimizer extends RunState {

    /** Applies update number {@code step} (1-based) with learning rate {@code learningRate}. */
    void step(long step, double learningRate);

    /** The optimizer the spec asks for, over these parameters, with fresh (zero) state. */
    static Optimizer create(OptimizerSpec spec, Parameters parameters) {
        return switch (spec.type()) {
            case ADAMW -> new AdamOptimizer(spec, parameters, true);
            case ADAM -> new AdamOptimizer(spec, parameters, false);
            case SGD -> new SgdOptimizer(spec, parameters);
        };
    }
}
