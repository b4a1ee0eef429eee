package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskSpec;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.Nd4jTrainer;
import io.grokscope.training.OptimizerSpec;
import io.grokscope.training.OptimizerType;
import io.grokscope.training.RunConfig;
import io.grokscope.training.StepMetrics;
import io.grokscope.training.StopSignal;
import io.grokscope.training.TrainingListener;
import io.grokscope.training.TrainingOutcome;
import io.grokscope.training.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Names, shapes, initialisation, the analysis views and a short training run of the transformer. */
class TransformerTest {

    @Test
    void nandaModelHasItsNamedTensorsAndParameterCount() {
        Model model = Models.create(TransformerSpec.nanda(), 113, DataType.FLOAT, 1);
        Parameters p = model.parameters();
        assertEquals(List.of("W_E", "W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V",
                "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out",
                "blocks.0.mlp.b_out", "W_U"), List.copyOf(p.named().keySet()));
        assertArrayEquals(new long[] {114, 128}, p.get("W_E").shape());
        assertArrayEquals(new long[] {3, 128}, p.get("W_pos").shape());
        for (String w : List.of("W_Q", "W_K", "W_V", "W_O")) {
            assertArrayEquals(new long[] {128, 128}, p.get("blocks.0.attn." + w).shape());
        }
        assertArrayEquals(new long[] {128, 512}, p.get("blocks.0.mlp.W_in").shape());
        assertArrayEquals(new long[] {512}, p.get("blocks.0.mlp.b_in").shape());
        assertArrayEquals(new long[] {512, 128}, p.get("blocks.0.mlp.W_out").shape());
        assertArrayEquals(new long[] {128}, p.get("blocks.0.mlp.b_out").shape());
        assertArrayEquals(new long[] {128, 113}, p.get("W_U").shape());
        // docs/reference-speeds.md: 226 688 = 114·128 + 3·128 + 4·128² + (128·512 + 512) + (512·128 + 128) + 128·113.
        assertEquals(226_688, p.size());
        assertEquals(113, model.outputs());
    }

    @Test
    void layerNormAndTheOperatorTokenAddTheirTensors() {
        TransformerSpec pre = new TransformerSpec(2, 16, 4, 32, Activation.GELU, LayerNormPlacement.PRE,
                SequenceFormat.A_OP_B_EQ, 1.0);
        Parameters p = Models.create(pre, 97, DataType.FLOAT, 1).parameters();
        List<String> names = List.copyOf(p.named().keySet());
        assertEquals(List.of("W_E", "W_pos", "blocks.0.ln1.w", "blocks.0.ln1.b", "blocks.0.attn.W_Q",
                "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O", "blocks.0.ln2.w", "blocks.0.ln2.b",
                "blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out"),
                names.subList(0, 14));
        assertEquals(List.of("blocks.1.mlp.b_out", "ln_final.w", "ln_final.b", "W_U"),
                names.subList(names.size() - 4, names.size()));
        assertArrayEquals(new long[] {99, 16}, p.get("W_E").shape()); // 97 elements, "=", "op"
        assertArrayEquals(new long[] {4, 16}, p.get("W_pos").shape());
        long perBlock = 4 * 16 + 4 * 16 * 16 + 16 * 32 + 32 + 32 * 16 + 16;
        assertEquals(99 * 16 + 4 * 16 + 2 * perBlock + 2 * 16 + 16 * 97, p.size());

        TransformerSpec post = new TransformerSpec(2, 16, 4, 32, Activation.RELU, LayerNormPlacement.POST,
                SequenceFormat.A_B_EQ, 1.0);
        List<String> postNames = List.copyOf(Models.create(post, 97, DataType.FLOAT, 1).parameters().named().keySet());
        assertTrue(postNames.contains("blocks.1.ln2.w"));
        assertTrue(postNames.stream().noneMatch(n -> n.startsWith("ln_final")), "POST has no final LayerNorm");
    }

    @Test
    void initialisationFollowsNandaTimesInitScale() {
        double alpha = 2.0;
        TransformerSpec spec = new TransformerSpec(1, 128, 4, 512, Activation.RELU, LayerNormPlacement.PRE,
                SequenceFormat.A_B_EQ, alpha);
        Parameters p = Models.create(spec, 113, DataType.DOUBLE, 5).parameters();
        double perModel = alpha / Math.sqrt(128);
        for (String name : List.of("W_E", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V",
                "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out")) {
            INDArray w = p.get(name);
            assertEquals(0.0, w.meanNumber().doubleValue(), 0.03 * perModel, name);
            assertEquals(perModel, w.stdNumber().doubleValue(), 0.03 * perModel, name);
        }
        // W_pos has only 384 entries: a looser band.
        assertEquals(perModel, p.get("W_pos").stdNumber().doubleValue(), 0.12 * perModel);
        double perVocab = alpha / Math.sqrt(114);
        assertEquals(perVocab, p.get("W_U").stdNumber().doubleValue(), 0.03 * perVocab);
        for (String bias : List.of("blocks.0.mlp.b_in", "blocks.0.mlp.b_out", "blocks.0.ln1.b", "ln_final.b")) {
            assertEquals(0.0, p.get(bias).amaxNumber().doubleValue(), bias);
        }
        for (String gain : List.of("blocks.0.ln1.w", "blocks.0.ln2.w", "ln_final.w")) {
            assertEquals(alpha, p.get(gain).minNumber().doubleValue(), gain);
            assertEquals(alpha, p.get(gain).maxNumber().doubleValue(), gain);
        }
    }

    /**
     * {@link TransformerInit#TORCH_DEFAULT}: per tensor, the documented distribution's mean and standard deviation
     * (N(0, 1); U(±b) has standard deviation b/√3) within a band wide enough for the tensor's size, and every uniform
     * draw inside ±b with the extremes near it. d = 64 and dMlp = 256 keep the bounds of W_in (1/8), W_out (1/16)
     * and W_Q (Xavier over [3d, d]: √(6/256)) apart, so a tensor given another's bound fails.
     */
    @Test
    void torchDefaultInitialisationHasTheDocumentedDistributions() {
        double alpha = 1.5;
        TransformerSpec spec = new TransformerSpec(2, 64, 4, 256, Activation.GELU,
                LayerNormPlacement.PRE_NORMALISED_STREAM, SequenceFormat.A_OP_B_EQ, alpha, TransformerInit.TORCH_DEFAULT);
        Parameters p = Models.create(spec, 97, DataType.DOUBLE, 5).parameters();
        for (String name : List.of("W_E", "W_pos")) {
            assertMoments(p.get(name), alpha, name);
        }
        double xavier = Math.sqrt(6.0 / (64 + 3 * 64));
        for (int l = 0; l < 2; l++) {
            String b = "blocks." + l + ".";
            for (String w : List.of("attn.W_Q", "attn.W_K", "attn.W_V")) {
                assertUniform(p.get(b + w), alpha * xavier, b + w);
            }
            assertUniform(p.get(b + "attn.W_O"), alpha / 8, b + "attn.W_O");
            assertUniform(p.get(b + "mlp.W_in"), alpha / 8, b + "mlp.W_in");
            assertUniform(p.get(b + "mlp.b_in"), alpha / 8, b + "mlp.b_in");
            assertUniform(p.get(b + "mlp.W_out"), alpha / 16, b + "mlp.W_out");
            assertUniform(p.get(b + "mlp.b_out"), alpha / 16, b + "mlp.b_out");
            for (String norm : List.of("ln1", "ln2")) {
                assertConstant(p.get(b + norm + ".w"), alpha, b + norm + ".w");
                assertConstant(p.get(b + norm + ".b"), 0.0, b + norm + ".b");
            }
        }
        assertConstant(p.get("ln_final.w"), alpha, "ln_final.w");
        assertConstant(p.get("ln_final.b"), 0.0, "ln_final.b");
        assertUniform(p.get("W_U"), alpha / 8, "W_U");
    }

    @Test
    void nandaIsTheDefaultInitialisation() {
        TransformerSpec implicit = new TransformerSpec(2, 16, 4, 32, Activation.GELU, LayerNormPlacement.PRE,
                SequenceFormat.A_OP_B_EQ, 1.0);
        assertEquals(TransformerInit.NANDA, implicit.init());
        TransformerSpec explicit = new TransformerSpec(2, 16, 4, 32, Activation.GELU, LayerNormPlacement.PRE,
                SequenceFormat.A_OP_B_EQ, 1.0, TransformerInit.TORCH_DEFAULT);
        assertNotEquals(Models.create(implicit, 11, DataType.FLOAT, 3).parameters().values(),
                Models.create(explicit, 11, DataType.FLOAT, 3).parameters().values());
    }

    /** Mean 0 and the given standard deviation, each within 4 standard errors. */
    private static void assertMoments(INDArray w, double std, String name) {
        double n = w.length();
        assertEquals(0.0, w.meanNumber().doubleValue(), 4 * std / Math.sqrt(n), name + " mean");
        // The sample standard deviation's standard error is about std/√(2n) (a little more for a uniform: kurtosis).
        assertEquals(std, w.stdNumber().doubleValue(), 4 * std / Math.sqrt(n), name + " std");
    }

    /**
     * U(±bound): the moments, every value inside the bound, and both extremes beyond (1 − 20/n)·bound (n uniform
     * draws all miss the top 10/n of the range with probability about e^-10).
     */
    private static void assertUniform(INDArray w, double bound, String name) {
        assertMoments(w, bound / Math.sqrt(3), name);
        double max = w.maxNumber().doubleValue();
        double min = w.minNumber().doubleValue();
        assertTrue(max <= bound && min >= -bound, name + " outside ±" + bound + ": " + min + ".." + max);
        double reach = (1 - 20.0 / w.length()) * bound;
        assertTrue(max > reach && min < -reach, name + " does not reach ±" + reach + ": " + min + ".." + max);
    }

    private static void assertConstant(INDArray w, double value, String name) {
        assertEquals(value, w.minNumber().doubleValue(), name);
        assertEquals(value, w.maxNumber().doubleValue(), name);
    }

    @Test
    void theSameSeedGivesTheSameParametersAndAnotherSeedDoesNot() {
        TransformerSpec spec = tiny(LayerNormPlacement.NONE);
        INDArray a = Models.create(spec, 11, DataType.FLOAT, 3).parameters().values();
        INDArray b = Models.create(spec, 11, DataType.FLOAT, 3).parameters().values();
        INDArray c = Models.create(spec, 11, DataType.FLOAT, 4).parameters().values();
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void aStepIsBitReproducible() {
        // Large enough for the kernels' two lanes to run on two threads.
        Examples batch = TransformerReferenceTest.batch(2 * Lanes.PARALLEL_ROWS + 1, 1);
        float[][] gradients = new float[2][];
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            Model model = Models.create(tiny(LayerNormPlacement.PRE), 11, DataType.FLOAT, 3);
            losses[run] = model.lossAndGradients(batch, Loss.CROSS_ENTROPY);
            model.lossAndGradients(batch, Loss.CROSS_ENTROPY); // reused buffers give the same answer again
            gradients[run] = HostView.of(model.parameters().gradients()).toFloatArray();
        }
        assertEquals(losses[0], losses[1]);
        assertArrayEquals(gradients[0], gradients[1]);
    }

    @Test
    void tokenEmbeddingIsAViewOfTheElementRowsOfWE() {
        Model model = Models.create(tiny(LayerNormPlacement.NONE), 11, DataType.FLOAT, 3);
        INDArray embedding = model.tokenEmbedding();
        INDArray we = model.parameters().get("W_E");
        assertArrayEquals(new long[] {11, 16}, embedding.shape()); // not the "=" row
        assertEquals(we.get(NDArrayIndex.interval(0, 11), NDArrayIndex.all()), embedding);
        embedding.putScalar(2, 3, 42.0);
        assertEquals(42.0, we.getDouble(2, 3));
    }

    @Test
    void logitMapIsTheLastMlpOutputThroughTheUnembeddingWithRowsPerAnswer() {
        TransformerSpec spec = new TransformerSpec(2, 16, 4, 24, Activation.RELU, LayerNormPlacement.NONE,
                SequenceFormat.A_B_EQ, 1.0);
        Model model = Models.create(spec, 11, DataType.DOUBLE, 3);
        INDArray map = model.logitMap();
        assertArrayEquals(new long[] {11, 24}, map.shape());
        INDArray expected = model.parameters().get("blocks.1.mlp.W_out").mmul(model.parameters().get("W_U"))
                .transpose();
        assertTrue(expected.equalsWithEps(map, 1e-12));
        map.addi(1.0); // a fresh array: the model is untouched
        assertTrue(expected.equalsWithEps(model.logitMap(), 1e-12));
    }

    @Test
    void evaluationCountsTheArgmaxOfTheLogits() {
        Model model = Models.create(tiny(LayerNormPlacement.POST), 11, DataType.FLOAT, 3);
        Examples data = TransformerReferenceTest.batch(40, 2);
        INDArray logits = model.logits(data.left(), data.right());
        assertArrayEquals(new long[] {40, 11}, logits.shape());
        long correct = 0;
        for (int i = 0; i < data.size(); i++) {
            if (logits.getRow(i).argMax().getInt(0) == data.answer()[i]) {
                correct++;
            }
        }
        assertEquals((double) correct / data.size(), model.evaluate(data, Loss.CROSS_ENTROPY).accuracy());
    }

    @Test
    void evaluationInChunksEqualsOneBatch() {
        TransformerSpec spec = new TransformerSpec(1, 8, 2, 8, Activation.GELU, LayerNormPlacement.PRE,
                SequenceFormat.A_B_EQ, 1.0);
        Model model = Models.create(spec, 11, DataType.DOUBLE, 3);
        Examples data = TransformerReferenceTest.batch(Transformer.EVAL_CHUNK + 100, 4);
        for (Loss loss : Loss.values()) {
            double value = model.lossAndGradients(data, loss);
            assertEquals(value, model.evaluate(data, loss).loss(), 1e-12 * value);
        }
    }

    @Test
    void tokensOutsideTheElementsAreRejected() {
        Model model = Models.create(tiny(LayerNormPlacement.NONE), 5, DataType.FLOAT, 3);
        // 5 would be the "=" token: not an operand.
        Examples bad = new Examples(new int[] {0}, new int[] {5}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> model.lossAndGradients(bad, Loss.CROSS_ENTROPY));
        assertThrows(IllegalArgumentException.class, () -> model.logits(new int[] {-1}, new int[] {0}));
    }

    @Test
    void memorisesAdditionModElevenThroughTheTrainer() {
        TaskSpec task = TaskSpec.of(Operation.ADD, 11, 0.5, 7);
        TransformerSpec model = new TransformerSpec(1, 32, 4, 64, Activation.RELU, LayerNormPlacement.NONE,
                SequenceFormat.A_B_EQ, 1.0);
        OptimizerSpec adamW = new OptimizerSpec(OptimizerType.ADAMW, 3e-3, 0.1, 0.9, 0.98, 1e-8, 0.0, 10, null);
        RunConfig config = new RunConfig(task, model, adamW,
                new TrainingSpec(300, null, Loss.CROSS_ENTROPY, 50, 1000, 1), 0);
        List<Double> trainAccuracy = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEvaluation(StepMetrics metrics) {
                trainAccuracy.add(metrics.trainAccuracy());
            }
        };
        TrainingOutcome outcome = new Nd4jTrainer().run(config, null, listener, StopSignal.NEVER);
        assertTrue(outcome.completed());
        assertTrue(trainAccuracy.get(0) < 0.5, "starts near chance: " + trainAccuracy);
        assertEquals(1.0, outcome.last().trainAccuracy(), "after 300 steps: " + outcome.last());
    }

    /**
     * A run stopped, checkpointed and resumed ends bit for bit where the uninterrupted run does: the model keeps no
     * state across steps except its parameters (the fused [W_K | W_V] copy is refreshed from them on every pass).
     */
    @Test
    void resumingFromACheckpointContinuesBitForBit() {
        TransformerSpec model = new TransformerSpec(2, 16, 4, 32, Activation.GELU, LayerNormPlacement.PRE,
                SequenceFormat.A_OP_B_EQ, 1.0);
        OptimizerSpec adamW = new OptimizerSpec(OptimizerType.ADAMW, 3e-3, 0.1, 0.9, 0.98, 1e-8, 0.0, 5, null);
        RunConfig config = new RunConfig(TaskSpec.of(Operation.SUBTRACT, 11, 0.5, 3), model, adamW,
                new TrainingSpec(24, 16, Loss.CROSS_ENTROPY, 4, 8, 2), 0);
        Recorder uninterrupted = new Recorder();
        new Nd4jTrainer().run(config, null, uninterrupted, StopSignal.NEVER);

        Recorder first = new Recorder();
        long[] polls = {0};
        TrainingOutcome stopped = new Nd4jTrainer().run(config, null, first, () -> ++polls[0] > 10);
        assertEquals(10, stopped.lastStep());
        Checkpoint atStop = first.checkpoints.get(first.checkpoints.size() - 1);
        Recorder second = new Recorder();
        assertTrue(new Nd4jTrainer().run(config, atStop, second, StopSignal.NEVER).completed());

        List<StepMetrics> stitched = new ArrayList<>(first.metrics);
        stitched.addAll(second.metrics);
        assertEquals(uninterrupted.metrics, stitched);
        assertEquals(uninterrupted.checkpoints.get(uninterrupted.checkpoints.size() - 1),
                second.checkpoints.get(second.checkpoints.size() - 1));
    }

    private static final class Recorder implements TrainingListener {
        final List<StepMetrics> metrics = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();

        @Override
        public void onEvaluation(StepMetrics m) {
            metrics.add(m);
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            checkpoints.add(checkpoint);
        }
    }

    private static TransformerSpec tiny(LayerNormPlacement placement) {
        return new TransformerSpec(1, 16, 4, 32, Activation.RELU, placement, SequenceFormat.A_B_EQ, 1.0);
    }
}
