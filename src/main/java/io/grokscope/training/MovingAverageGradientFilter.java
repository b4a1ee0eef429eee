package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Grokfast-MA: ĝ = g + λ·mean of the last w gradients, the current one included; while fewer than w gradients have
 * been seen the gradient passes unchanged (the reference code's {@code warmup=True}).
 *
 * <p>The window is an exact ring of w flat gradient vectors plus their running sum, both in the parameters' type.
 * Updating the sum incrementally (add the new gradient, subtract the one leaving) costs one pass per step instead of
 * w, but its rounding errors would accumulate over 10⁵ steps; so each time the ring wraps (every w steps) the sum is
 * recomputed from the ring in slot order, in double. The errors are thus bounded by w updates, and since the sum is
 * checkpointed exactly and recomputed on the same schedule, a resumed run stays bit-identical.
 *
 * <p>Memory: w copies of the gradient (w = 100 for the MLP of {@code docs/reference-speeds.md}: 100 x 204 k floats =
 * 82 MB), all of it in every checkpoint.
 */
final class MovingAverageGradientFilter implements GradientFilter {

    private final int window;
    private final double lambda;
    private final int size;
    private final HostView ring; // [window * size], slot k at k * size
    private final HostView sum;
    private long seen;

    MovingAverageGradientFilter(GradientFilterSpec.MovingAverage spec, Parameters parameters) {
        this.window = spec.window();
        this.lambda = spec.lambda();
        this.size = Math.toIntExact(parameters.size());
        if ((long) window * size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window x parameters too large for one ring: " + window + " x " + size);
        }
        this.ring = HostView.of(Nd4j.zeros(parameters.values().dataType(), (long) window * size));
        this.sum = HostView.of(Nd4j.zeros(parameters.values().dataType(), size));
    }

    @Override
    public void apply(HostView gradients) {
        int slot = (int) (seen % window);
        int base = slot * size;
        boolean replacing = seen >= window;
        for (int i = 0; i < size; i++) {
            double g = gradients.get(i);
            double old = replacing ? ring.get(base + i) : 0.0;
            ring.set(base + i, g);
            sum.set(i, sum.get(i) + g - old);
        }
        seen++;
        if (seen % window == 0) {
            recomputeSum();
        }
        if (seen >= window) {
            double scale = lambda / window;
            for (int i = 0; i < size; i++) {
                gradients.set(i, gradients.get(i) + scale * sum.get(i));
            }
        }
    }

    private void recomputeSum() {
        double[] exact = new double[size];
        for (int k = 0; k < window; k++) {
            int base = k * size;
            for (int i = 0; i < size; i++) {
                exact[i] += ring.get(base + i);
            }
        }
        for (int i = 0; i < size; i++) {
            sum.set(i, exact[i]);
        }
    }

    @Override
    public void save(Map<String, float[]> state, Map<String, Long> counters) {
        state.put("grokfast.ma.ring", ring.toFloatArray());
        state.put("grokfast.ma.sum", sum.toFloatArray());
        counters.put("grokfast.ma.seen", seen);
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        ring.setAll(RunState.vector(checkpoint, "grokfast.ma.ring", ring.length()));
        sum.setAll(RunState.vector(checkpoint, "grokfast.ma.sum", sum.length()));
        seen = RunState.counter(checkpoint, "grokfast.ma.seen");
    }
}
