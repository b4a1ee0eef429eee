package io.grokscope.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.model.Loss;
import io.grokscope.model.Models;
import io.grokscope.model.TransformerSpec;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The estimate of Nanda et al.'s run, term by term, against the real model and hand-counted sizes. */
class MemoryEstimateTest {

    private static RunConfig nanda(GradientFilterSpec filter, OptimizerType optimizer, Integer batchSize,
            int progressMeasuresEvery) {
        OptimizerSpec n = OptimizerSpec.nanda();
        return new RunConfig(TaskSpec.of(Operation.ADD, 113, 0.3, 0), TransformerSpec.nanda(),
                new OptimizerSpec(optimizer, n.learningRate(), n.weightDecay(), n.beta1(), n.beta2(), n.epsilon(),
                        n.momentum(), n.warmupSteps(), filter),
                new TrainingSpec(40_000, batchSize, Loss.CROSS_ENTROPY, 100, 1000, 0), progressMeasuresEvery);
    }

    @Test
    void nandasRunTermByTerm() {
        MemoryEstimate estimate = MemoryEstimate.of(nanda(new GradientFilterSpec.MovingAverage(100, 5),
                OptimizerType.ADAMW, null, 100), true);

        long p = Models.create(TransformerSpec.nanda(), 113, DataType.FLOAT, 0).parameters().size();
        assertThat(estimate.parameters()).isEqualTo(p).isEqualTo(226_688);
        assertThat(estimate.offHeapParts().get("parameters and gradients")).isEqualTo(8 * p);
        assertThat(estimate.offHeapParts().get("optimizer state")).isEqualTo(8 * p);
        assertThat(estimate.offHeapParts().get("gradient filter state")).isEqualTo(4 * 101 * p);
        // 12769 pairs: 3830 to train on (full batch, which evaluation of the train split shares), 8939 to test in
        // chunks of 4096, 4096 and 747, and the whole table (for the progress measures) in 4096 x 3 and 481
        TransformerSpec model = TransformerSpec.nanda();
        long activations = Models.workspaceFloats(model, 113, 3830, true)
                + Models.workspaceFloats(model, 113, 4096, false) + Models.workspaceFloats(model, 113, 747, false)
                + Models.workspaceFloats(model, 113, 481, false)
                + Models.fixedScratchFloats(model);
        assertThat(estimate.offHeapParts().get("activations")).isEqualTo(4 * activations);
        assertThat(estimate.offHeapParts().get("progress-measure logits")).isEqualTo(4L * 12769 * 113);
        assertThat(estimate.offHeapBytes()).isEqualTo(estimate.offHeapParts().values().stream()
                .mapToLong(Long::longValue).sum());
        assertThat(estimate.checkpointBytes()).isEqualTo(4 * (p + 2 * p + 101 * p));
        assertThat(estimate.heapBytes()).isEqualTo(24L * 12769 + 2 * estimate.checkpointBytes() + 8L * 12769 * 113
                + 8L * 12769);
        // what the run needs in all: about 190 MB off-heap, of which the MA window is nearly half
        assertThat(estimate.offHeapBytes()).isBetween(150_000_000L, 250_000_000L);
    }

    @Test
    void optimizerFilterBatchAndMeasuresEachChangeTheirTerm() {
        MemoryEstimate sgd = MemoryEstimate.of(nanda(null, OptimizerType.SGD, 512, 0), false);
        long p = sgd.parameters();
        assertThat(sgd.offHeapParts()).doesNotContainKeys("gradient filter state", "progress-measure logits");
        assertThat(sgd.offHeapParts().get("optimizer state")).isEqualTo(4 * p);
        assertThat(sgd.checkpointBytes()).isEqualTo(4 * 2 * p);

        MemoryEstimate ema = MemoryEstimate.of(nanda(new GradientFilterSpec.Ema(0.98, 2), OptimizerType.ADAM, 512, 0),
                false);
        assertThat(ema.offHeapParts().get("gradient filter state")).isEqualTo(4 * p);

        // a minibatch trains in a workspace of its own size; the train split is then evaluated in one of 3830
        TransformerSpec model = TransformerSpec.nanda();
        long expected = Models.workspaceFloats(model, 113, 512, true) + Models.workspaceFloats(model, 113, 3830, false)
                + Models.workspaceFloats(model, 113, 4096, false) + Models.workspaceFloats(model, 113, 747, false)
                + Models.fixedScratchFloats(model);
        assertThat(sgd.offHeapParts().get("activations")).isEqualTo(4 * expected);

        // progress measures without restricted/excluded loss need no table logits
        assertThat(MemoryEstimate.of(nanda(null, OptimizerType.ADAMW, null, 100), false).offHeapParts())
                .doesNotContainKey("progress-measure logits");
    }

    @Test
    void bytesReadForPeople() {
        assertThat(MemoryEstimate.bytes(950)).isEqualTo("950 B");
        assertThat(MemoryEstimate.bytes(12_345_678)).isEqualTo("12.3 MB");
        assertThat(MemoryEstimate.bytes(4_100_000_000L)).isEqualTo("4.1 GB");
    }
}
