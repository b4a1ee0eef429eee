package io.grokscope.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Each update rule on a 2x2 tensor against the rule written out by hand, element by element (in float64, so the
 * comparison is to 1e-15). The element with zero gradient checks that decay and momentum still act on it.
 */
class OptimizerTest {

    private static final double[] THETA = {1.0, -2.0, 0.5, 0.25};
    private static final double[][] GRADIENTS = {{0.1, -0.2, 0.3, 0.0}, {-0.05, 0.4, 0.3, 0.0},
            {0.2, 0.1, -0.1, 0.0}};

    private static Parameters parameters() {
        Parameters p = Parameters.allocate(Map.of("W", new long[] {2, 2}), DataType.DOUBLE);
        HostView values = HostView.of(p.values());
        for (int i = 0; i < 4; i++) {
            values.set(i, THETA[i]);
        }
        return p;
    }

    private static void setGradient(Parameters p, double[] g) {
        HostView gradients = HostView.of(p.gradients());
        for (int i = 0; i < 4; i++) {
            gradients.set(i, g[i]);
        }
    }

    private static OptimizerSpec spec(OptimizerType type, double lr, double wd, double momentum) {
        return new OptimizerSpec(type, lr, wd, 0.9, 0.999, 1e-8, momentum, 0, null);
    }

    @Test
    void adamWFirstStepDecaysThenMovesByLrTimesTheSignOfTheGradient() {
        Parameters p = parameters();
        Optimizer adamW = Optimizer.create(spec(OptimizerType.ADAMW, 0.1, 0.5, 0), p);
        setGradient(p, GRADIENTS[0]);
        adamW.step(1, 0.1);
        HostView v = HostView.of(p.values());
        // t = 1: m̂ = g, √v̂ = |g|, so θ ← θ·(1 − 0.1·0.5) − 0.1·g / (|g| + 1e-8).
        assertEquals(0.95 * 1.0 - 0.1 * 0.1 / (0.1 + 1e-8), v.get(0), 1e-15);
        assertEquals(0.95 * -2.0 + 0.1 * 0.2 / (0.2 + 1e-8), v.get(1), 1e-15);
        assertEquals(0.95 * 0.5 - 0.1 * 0.3 / (0.3 + 1e-8), v.get(2), 1e-15);
        assertEquals(0.95 * 0.25, v.get(3), 1e-15);
    }

    @Test
    void adamWAndAdamFollowTorchOverThreeSteps() {
        for (OptimizerType type : new OptimizerType[] {OptimizerType.ADAMW, OptimizerType.ADAM}) {
            double lr = 0.01;
            double wd = 0.3;
            Parameters p = parameters();
            Optimizer optimizer = Optimizer.create(spec(type, lr, wd, 0), p);
            double[] theta = THETA.clone();
            double[] m = new double[4];
            double[] s = new double[4];
            for (int t = 1; t <= 3; t++) {
                setGradient(p, GRADIENTS[t - 1]);
                optimizer.step(t, lr);
                for (int i = 0; i < 4; i++) {
                    double g = GRADIENTS[t - 1][i];
                    if (type == OptimizerType.ADAMW) {
                        theta[i] = theta[i] * (1 - lr * wd);
                    } else {
                        g = g + wd * theta[i];
                    }
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    s[i] = 0.999 * s[i] + 0.001 * g * g;
                    double mHat = m[i] / (1 - Math.pow(0.9, t));
                    double sHat = s[i] / (1 - Math.pow(0.999, t));
                    theta[i] = theta[i] - lr * mHat / (Math.sqrt(sHat) + 1e-8);
                }
                HostView v = HostView.of(p.values());
                for (int i = 0; i < 4; i++) {
                    assertEquals(theta[i], v.get(i), 1e-14, type + " step " + t + " element " + i);
                }
            }
        }
    }

    @Test
    void adamAddsL2BeforeTheMomentsSoAZeroGradientStillMoves() {
        Parameters p = parameters();
        Optimizer adam = Optimizer.create(spec(OptimizerType.ADAM, 0.1, 0.5, 0), p);
        setGradient(p, GRADIENTS[0]);
        adam.step(1, 0.1);
        // Element 3: g = 0 + 0.5·0.25 = 0.125 > 0, so θ ← 0.25 − 0.1·0.125/(0.125 + 1e-8).
        assertEquals(0.25 - 0.1 * 0.125 / (0.125 + 1e-8), HostView.of(p.values()).get(3), 1e-15);
    }

    @Test
    void sgdWithMomentumFollowsTorch() {
        double lr = 0.1;
        double wd = 0.01;
        double mu = 0.9;
        Parameters p = parameters();
        Optimizer sgd = Optimizer.create(spec(OptimizerType.SGD, lr, wd, mu), p);
        // Step 1, element 0: b = 0.1 + 0.01·1 = 0.11; θ = 1 − 0.1·0.11 = 0.989.
        setGradient(p, GRADIENTS[0]);
        sgd.step(1, lr);
        assertEquals(0.989, HostView.of(p.values()).get(0), 1e-15);
        // Step 2, element 0: b = 0.9·0.11 + (−0.05 + 0.01·0.989) = 0.05889; θ = 0.989 − 0.005889 = 0.983111.
        setGradient(p, GRADIENTS[1]);
        sgd.step(2, lr);
        assertEquals(0.983111, HostView.of(p.values()).get(0), 1e-15);
        // Element 3 (zero gradient): b1 = 0.0025, θ1 = 0.24975; b2 = 0.00225 + 0.0024975 = 0.0047475.
        assertEquals(0.24975 - 0.1 * 0.0047475, HostView.of(p.values()).get(3), 1e-15);
    }

    @Test
    void warmUpIsLinearAndNeverZero() {
        OptimizerSpec spec = OptimizerSpec.nanda();
        assertEquals(1e-4, spec.learningRateAt(0), 1e-18);
        assertEquals(1e-4, spec.learningRateAt(1), 1e-18);
        assertEquals(5e-4, spec.learningRateAt(5), 1e-18);
        assertEquals(1e-3, spec.learningRateAt(10), 1e-18);
        assertEquals(1e-3, spec.learningRateAt(11), 1e-18);
        OptimizerSpec none = new OptimizerSpec(OptimizerType.SGD, 0.5, 0, 0.9, 0.98, 1e-8, 0, 0, null);
        assertEquals(0.5, none.learningRateAt(1));
    }

    @Test
    void stateRoundTripsThroughACheckpoint() {
        Parameters p = parameters();
        Optimizer adam = Optimizer.create(spec(OptimizerType.ADAMW, 0.01, 0.1, 0), p);
        setGradient(p, GRADIENTS[0]);
        adam.step(1, 0.01);
        Map<String, float[]> state = new java.util.LinkedHashMap<>();
        Map<String, Long> counters = new java.util.LinkedHashMap<>();
        adam.save(state, counters);
        assertEquals(java.util.List.of("adamw.m", "adamw.v"), java.util.List.copyOf(state.keySet()));
        Parameters q = parameters();
        Optimizer restored = Optimizer.create(spec(OptimizerType.ADAMW, 0.01, 0.1, 0), q);
        restored.restore(new Checkpoint(1, Map.of(), state, counters));
        Map<String, float[]> again = new java.util.LinkedHashMap<>();
        restored.save(again, new java.util.LinkedHashMap<>());
        assertEquals(new Checkpoint(1, Map.of(), state, Map.of()), new Checkpoint(1, Map.of(), again, Map.of()));
    }
}
