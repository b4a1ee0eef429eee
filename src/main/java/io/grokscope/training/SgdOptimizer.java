package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SGD with heavy-ball momentum and L2 weight decay, as torch.optim.SGD (dampening 0, no Nesterov):
 *
 * <pre>
 *   g ← g + wd·θ
 *   b ← g                 on the first update
 *   b ← μ·b + g           afterwards
 *   θ ← θ − lr·b
 * </pre>
 *
 * With momentum 0 this is plain gradient descent (Gromov's setting).
 */
final class SgdOptimizer implements Optimizer {

    private final double weightDecay;
    private final double momentum;
    private final HostView values;
    private final HostView gradients;
    private final HostView buffer;
    private boolean started;

    SgdOptimizer(OptimizerSpec spec, Parameters parameters) {
        this.weightDecay = spec.weightDecay();
        this.momentum = spec.momentum();
        this.values = HostView.of(parameters.values());
        this.gradients = HostView.of(parameters.gradients());
        this.buffer = HostView.of(Nd4j.zeros(parameters.values().dataType(), parameters.size()));
    }

    @Override
    public void step(long step, double learningRate) {
        int n = values.length();
        for (int i = 0; i < n; i++) {
            double theta = values.get(i);
            double g = gradients.get(i) + weightDecay * theta;
            double b = started ? momentum * buffer.get(i) + g : g;
            buffer.set(i, b);
            values.set(i, theta - learningRate * buffer.get(i));
        }
        started = true;
    }

    @Override
    public void save(Map<String, float[]> state, Map<String, Long> counters) {
        state.put("sgd.momentum", buffer.toFloatArray());
        counters.put("sgd.started", started ? 1L : 0L);
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        buffer.setAll(RunState.vector(checkpoint, "sgd.momentum", buffer.length()));
        started = RunState.counter(checkpoint, "sgd.started") != 0;
    }
}
