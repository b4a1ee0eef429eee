package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.Map;

/**
 * Rewrites the raw gradient in place before the optimizer sees it: Grokfast's amplification of the gradient's slow
 * component (Lee et al. 2024). The trainer measures {@code grad_norm} before calling {@link #apply}.
 */
interface GradientFilter extends RunState {

    /** Filters {@code gradients} (the flat gradient buffer) in place. */
    void apply(HostView gradients);

    /** No filter: the gradient passes unchanged and nothing is checkpointed. */
    GradientFilter NONE = new GradientFilter() {
        @Override
        public void apply(HostView gradients) {
        }

        @Override
        public void save(Map<String, float[]> state, Map<String, Long> counters) {
        }

        @Override
        public void restore(Checkpoint checkpoint) {
        }
    };

    /** The filter the spec asks for (null: {@link #NONE}), sized for these parameters, with empty history. */
    static GradientFilter create(GradientFilterSpec spec, Parameters parameters) {
        if (spec == null) {
            return NONE;
        }
        if (spec instanceof GradientFilterSpec.Ema ema) {
            return new EmaGradientFilter(ema, parameters);
        }
        if (spec instanceof GradientFilterSpec.MovingAverage ma) {
            return new MovingAverageGradientFilter(ma, parameters);
        }
        throw new IllegalArgumentException("unknown gradient filter " + spec);
    }
}
