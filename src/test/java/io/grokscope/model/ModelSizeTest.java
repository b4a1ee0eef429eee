package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grokscope.task.Examples;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sizes a service checks before it queues a run (parameter count and activation workspaces) are exactly what the
 * real models allocate: each case builds the model, trains one batch and evaluates at other sizes, and compares.
 */
class ModelSizeTest {

    static Stream<ModelSpec> specs() {
        return Stream.of(
                new MlpSpec(8, List.of(16, 12), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
                new MlpSpec(0, List.of(10), Activation.QUADRATIC, InputEncoding.ONE_HOT, 1.0),
                new MlpSpec(128, List.of(512), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
                TransformerSpec.nanda(),
                new TransformerSpec(2, 16, 4, 24, Activation.GELU, LayerNormPlacement.PRE, SequenceFormat.A_OP_B_EQ,
                        1.0),
                new TransformerSpec(3, 8, 2, 12, Activation.RELU, LayerNormPlacement.POST, SequenceFormat.A_B_EQ, 1.0),
                new TransformerSpec(2, 16, 4, 24, Activation.GELU, LayerNormPlacement.PRE_NORMALISED_STREAM,
                        SequenceFormat.A_OP_B_EQ, 1.0, TransformerInit.TORCH_DEFAULT));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void parameterCountIsWhatTheModelAllocates(ModelSpec spec) {
        for (int elements : new int[] {7, 113}) {
            Model model = Models.create(spec, elements, DataType.FLOAT, 1);
            assertEquals(model.parameters().size(), Models.parameterCount(spec, elements), spec + " at p=" + elements);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void workspaceSizesAreWhatTheModelAllocates(ModelSpec spec) {
        int elements = 11;
        Model model = Models.create(spec, elements, DataType.FLOAT, 1);
        model.lossAndGradients(examples(5, elements), Loss.CROSS_ENTROPY);
        long expected = Models.workspaceFloats(spec, elements, 5, true);
        assertEquals(expected, allocated(model), "training workspace of 5");

        model.evaluate(examples(9, elements), Loss.CROSS_ENTROPY);
        expected += Models.workspaceFloats(spec, elements, 9, false);
        assertEquals(expected, allocated(model), "plus a forward workspace of 9");

        model.evaluate(examples(5, elements), Loss.CROSS_ENTROPY); // reuses the training workspace
        model.logits(new int[] {1, 2, 3, 4, 5}, new int[] {0, 1, 2, 3, 4});
        assertEquals(expected, allocated(model), "a size seen before allocates nothing");
    }

    private static long allocated(Model model) {
        return model instanceof Mlp mlp ? mlp.workspaceFloats() : ((Transformer) model).workspaceFloats();
    }

    private static Examples examples(int n, int elements) {
        int[] left = new int[n];
        int[] right = new int[n];
        int[] answer = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = i % elements;
            right[i] = (3 * i + 1) % elements;
            answer[i] = (left[i] + right[i]) % elements;
        }
        return new Examples(left, right, answer);
    }
}
