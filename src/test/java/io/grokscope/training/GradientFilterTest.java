package io.grokscope.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grokscope.model.HostView;
import io.grokscope.model.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Grokfast's filters against their formulas, step by step, on a 3-element gradient. */
class GradientFilterTest {

    private static final double[][] G = {{1, -2, 0.5}, {3, 0, -1}, {-1, 4, 2}, {2, 2, 2}, {0, -3, 1}, {5, 1, -2},
            {1, 1, 1}};

    private static Parameters parameters() {
        return Parameters.allocate(Map.of("x", new long[] {3}), DataType.DOUBLE);
    }

    private static HostView gradient(double[] g) {
        HostView view = HostView.of(Nd4j.zeros(DataType.DOUBLE, 3));
        for (int i = 0; i < 3; i++) {
            view.set(i, g[i]);
        }
        return view;
    }

    @Test
    void emaStartsAtTheFirstGradientAndAddsLambdaTimesTheAverage() {
        double alpha = 0.8;
        double lambda = 2.0;
        GradientFilter ema = GradientFilter.create(new GradientFilterSpec.Ema(alpha, lambda), parameters());
        double[] mu = null;
        for (double[] g : G) {
            HostView view = gradient(g);
            ema.apply(view);
            if (mu == null) {
                mu = g.clone();
            } else {
                for (int i = 0; i < 3; i++) {
                    mu[i] = alpha * mu[i] + (1 - alpha) * g[i];
                }
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(g[i] + lambda * mu[i], view.get(i), 1e-14);
            }
        }
        // First step by hand: ĝ = (1 + λ)·g.
        GradientFilter fresh = GradientFilter.create(new GradientFilterSpec.Ema(alpha, lambda), parameters());
        HostView first = gradient(G[0]);
        fresh.apply(first);
        assertEquals(3.0, first.get(0), 1e-15);
        assertEquals(-6.0, first.get(1), 1e-15);
    }

    @Test
    void movingAverageWaitsForAFullWindowThenAddsLambdaTimesTheWindowMean() {
        int window = 3;
        double lambda = 5.0;
        GradientFilter ma = GradientFilter.create(new GradientFilterSpec.MovingAverage(window, lambda), parameters());
        for (int t = 0; t < G.length; t++) {
            HostView view = gradient(G[t]);
            ma.apply(view);
            for (int i = 0; i < 3; i++) {
                double expected = G[t][i];
                if (t + 1 >= window) { // the window (current gradient included) is full
                    double mean = 0;
                    for (int k = t - window + 1; k <= t; k++) {
                        mean += G[k][i] / window;
                    }
                    expected += lambda * mean;
                }
                assertEquals(expected, view.get(i), 1e-13, "step " + (t + 1) + " element " + i);
            }
        }
    }

    @Test
    void movingAverageWithWindowOneDoublesTheGradientScaledByLambda() {
        GradientFilter ma = GradientFilter.create(new GradientFilterSpec.MovingAverage(1, 0.5), parameters());
        HostView view = gradient(G[1]);
        ma.apply(view);
        assertEquals(4.5, view.get(0), 1e-15);
    }

    @Test
    void filtersResumeExactlyFromTheirSavedState() {
        for (GradientFilterSpec spec : new GradientFilterSpec[] {new GradientFilterSpec.Ema(0.9, 1.5),
                new GradientFilterSpec.MovingAverage(3, 2.0)}) {
            GradientFilter a = GradientFilter.create(spec, parameters());
            for (int t = 0; t < 4; t++) {
                a.apply(gradient(G[t]));
            }
            Map<String, float[]> state = new LinkedHashMap<>();
            Map<String, Long> counters = new LinkedHashMap<>();
            a.save(state, counters);
            GradientFilter b = GradientFilter.create(spec, parameters());
            b.restore(new Checkpoint(4, Map.of(), state, counters));
            for (int t = 4; t < G.length; t++) {
                HostView x = gradient(G[t]);
                HostView y = gradient(G[t]);
                // The state went through float32: compare the continuation of a float32-exact history.
                a.apply(x);
                b.apply(y);
                for (int i = 0; i < 3; i++) {
                    assertEquals(x.get(i), y.get(i), 1e-6, spec + " step " + (t + 1));
                }
            }
        }
    }
}
