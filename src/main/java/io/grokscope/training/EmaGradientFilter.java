package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grokfast-EMA: μ ← α·μ + (1 − α)·g, then ĝ = g + λ·μ. As in the reference code, μ starts equal to the first
 * gradient (so the first filtered gradient is (1 + λ)·g), not at zero and not at θ₀ as the paper's Algorithm 2 reads.
 */
final class EmaGradientFilter implements GradientFilter {

    private final double alpha;
    private final double lambda;
    private final HostView mu;
    private boolean started;

    EmaGradientFilter(GradientFilterSpec.Ema spec, Parameters parameters) {
        this.alpha = spec.alpha();
        this.lambda = spec.lambda();
        this.mu = HostView.of(Nd4j.zeros(parameters.values().dataType(), parameters.size()));
    }

    @Override
    public void apply(HostView gradients) {
        int n = gradients.length();
        for (int i = 0; i < n; i++) {
            double g = gradients.get(i);
            mu.set(i, started ? alpha * mu.get(i) + (1.0 - alpha) * g : g);
            gradients.set(i, g + lambda * mu.get(i));
        }
        started = true;
    }

    @Override
    public void save(Map<String, float[]> state, Map<String, Long> counters) {
        state.put("grokfast.ema.mu", mu.toFloatArray());
        counters.put("grokfast.ema.started", started ? 1L : 0L);
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        mu.setAll(RunState.vector(checkpoint, "grokfast.ema.mu", mu.length()));
        started = RunState.counter(checkpoint, "grokfast.ema.started") != 0;
    }
}
