package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in float64 against the production backward pass, for every element of every parameter
 * tensor, for each activation x input encoding x loss, with one and with two hidden layers.
 *
 * <p>Tolerance: the relative error ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) per tensor must be below 1e-6.
 * With h = 1e-5 in float64 the central difference's truncation error is O(h²·f''') ≈ 1e-10 and its rounding error
 * O(ε·f/h) ≈ 1e-11, so a correct gradient lands near 1e-9; a wrong index or a missing factor 2 gives O(1). ReLU's kink
 * could spoil single elements if a pre-activation were within h of 0; with these seeds none is, and the check would
 * report it as a failure rather than hide it.
 */
class MlpGradientCheckTest {

    private static final double H = 1e-5;
    private static final int P = 7;

    static Stream<Arguments> variants() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Activation activation : List.of(Activation.RELU, Activation.QUADRATIC)) {
            for (InputEncoding encoding : InputEncoding.values()) {
                for (Loss loss : Loss.values()) {
                    b.add(Arguments.of(activation, encoding, loss, List.of(6)));
                    b.add(Arguments.of(activation, encoding, loss, List.of(6, 5)));
                }
            }
        }
        return b.build();
    }

    /** A batch with repeated tokens (both as a and as b), so the scatter-add of the first layer must accumulate. */
    static Examples batch() {
        int[] left = {0, 3, 3, 6, 1, 5, 2, 3, 0, 4, 6};
        int[] right = {3, 3, 1, 6, 0, 5, 2, 4, 0, 6, 6};
        int[] answer = new int[left.length];
        for (int i = 0; i < left.length; i++) {
            answer[i] = (left[i] + right[i]) % P;
        }
        return new Examples(left, right, answer);
    }

    @ParameterizedTest(name = "{0} {1} {2} hidden {3}")
    @MethodSource("variants")
    void analyticGradientsMatchFiniteDifferences(Activation activation, InputEncoding encoding, Loss loss,
            List<Integer> hidden) {
        MlpSpec spec = new MlpSpec(4, hidden, activation, encoding, 0.9);
        Model model = Models.create(spec, P, DataType.DOUBLE, 42);
        Examples batch = batch();
        model.lossAndGradients(batch, loss);
        Parameters parameters = model.parameters();
        Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
        parameters.namedGradients().forEach((name, g) -> analytic.put(name, g.dup()));

        for (Map.Entry<String, INDArray> entry : parameters.named().entrySet()) {
            String name = entry.getKey();
            HostView values = HostView.of(entry.getValue());
            HostView expected = HostView.of(analytic.get(name));
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < values.length(); i++) {
                double original = values.get(i);
                values.set(i, original + H);
                double plus = model.lossAndGradients(batch, loss);
                values.set(i, original - H);
                double minus = model.lossAndGradients(batch, loss);
                values.set(i, original);
                double numeric = (plus - minus) / (2 * H);
                double a = expected.get(i);
                diff += (a - numeric) * (a - numeric);
                norm += a * a + numeric * numeric;
            }
            double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
            assertTrue(norm > 0, name + " has an all-zero gradient: the check would be vacuous");
            assertTrue(relative < 1e-6, name + ": relative error " + relative);
        }
    }
}
