package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Lanes;
import io.grokscope.model.Parameters;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam with either decoupled weight decay (AdamW, Loshchilov and Hutter) or L2 weight decay added to the gradient
 * (torch.optim.Adam, used by the Grokfast reference), following PyTorch's update order exactly:
 *
 * <pre>
 *   ADAMW: θ ← θ·(1 − lr·wd)            ADAM: g ← g + wd·θ
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 *
 * Each element is computed in double and stored once in the parameters' type, so the result does not depend on
 * thread count or vector width. The vectors are walked in chunks staged in double[] (bulk reads and writes, a loop
 * the JIT can keep in registers), the two halves of the buffer in two {@link Lanes}: element-wise, so the split
 * cannot change a bit.
 */
final class AdamOptimizer implements Optimizer {

    private final boolean decoupled;
    private final double weightDecay;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final HostView values;
    private final HostView gradients;
    private final HostView m;
    private final HostView v;
    private final String prefix;
    private final Lanes<Chunk> lanes = new Lanes<>(Chunk::new);

    AdamOptimizer(OptimizerSpec spec, Parameters parameters, boolean decoupled) {
        this.decoupled = decoupled;
        this.weightDecay = spec.weightDecay();
        this.beta1 = spec.beta1();
        this.beta2 = spec.beta2();
        this.epsilon = spec.epsilon();
        this.values = HostView.of(parameters.values());
        this.gradients = HostView.of(parameters.gradients());
        this.m = HostView.of(Nd4j.zeros(parameters.values().dataType(), parameters.size()));
        this.v = HostView.of(Nd4j.zeros(parameters.values().dataType(), parameters.size()));
        this.prefix = decoupled ? "adamw." : "adam.";
    }

    @Override
    public void step(long step, double learningRate) {
        double biasCorrection1 = 1.0 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, step));
        double stepSize = learningRate / biasCorrection1;
        double shrink = 1.0 - learningRate * weightDecay;
        lanes.run(values.length(), (chunk, from, to) -> {
            for (int start = from; start < to; start += Chunk.SIZE) {
                int n = Math.min(Chunk.SIZE, to - start);
                values.read(start, chunk.theta, 0, n);
                gradients.read(start, chunk.g, 0, n);
                m.read(start, chunk.m, 0, n);
                v.read(start, chunk.v, 0, n);
                for (int k = 0; k < n; k++) {
                    double theta = chunk.theta[k];
                    double g = chunk.g[k];
                    if (decoupled) {
                        theta *= shrink;
                    } else {
                        g += weightDecay * theta;
                    }
                    // Continue from the stored (rounded) moments, as torch does, so a resumed run sees exactly the
                    // same values.
                    double mi = m.stored(beta1 * chunk.m[k] + (1.0 - beta1) * g);
                    double vi = v.stored(beta2 * chunk.v[k] + (1.0 - beta2) * g * g);
                    chunk.m[k] = mi;
                    chunk.v[k] = vi;
                    double denom = Math.sqrt(vi) / biasCorrection2Sqrt + epsilon;
                    chunk.theta[k] = theta - stepSize * mi / denom;
                }
                m.write(chunk.m, 0, start, n);
                v.write(chunk.v, 0, start, n);
                values.write(chunk.theta, 0, start, n);
            }
        });
    }

    /** One lane's staging: a chunk of each vector in double. */
    private static final class Chunk {
        static final int SIZE = 1024;
        final double[] theta = new double[SIZE];
        final double[] g = new double[SIZE];
        final double[] m = new double[SIZE];
        final double[] v = new double[SIZE];
    }

    @Override
    public void save(Map<String, float[]> state, Map<String, Long> counters) {
        state.put(prefix + "m", m.toFloatArray());
        state.put(prefix + "v", v.toFloatArray());
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        m.setAll(RunState.vector(checkpoint, prefix + "m", m.length()));
        v.setAll(RunState.vector(checkpoint, prefix + "v", v.length()));
    }
}
