package io.grokscope.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.model.TransformerSpec;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskSpec;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class BatchKeyTest {

    private static final RunConfig BASE = new RunConfig(TaskSpec.of(Operation.ADD, 31, 0.5, 1),
            new MlpSpec(16, List.of(64), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
            TrainingFixtures.adamW(1e-3, 1.0, null), new TrainingSpec(1000, null, Loss.CROSS_ENTROPY, 100, 500, 1), 100);

    private static RunConfig with(UnaryOperator<RunConfig> change) {
        return change.apply(BASE);
    }

    private static RunConfig task(TaskSpec task) {
        return new RunConfig(task, BASE.model(), BASE.optimizer(), BASE.training(), BASE.progressMeasuresEvery());
    }

    private static RunConfig model(MlpSpec model) {
        return new RunConfig(BASE.task(), model, BASE.optimizer(), BASE.training(), BASE.progressMeasuresEvery());
    }

    private static RunConfig training(TrainingSpec training) {
        return new RunConfig(BASE.task(), BASE.model(), BASE.optimizer(), training, BASE.progressMeasuresEvery());
    }

    @Test
    void runsDifferingInSeedsAndScalarHyperparametersShareABatch() {
        List<RunConfig> compatible = List.of(
                task(TaskSpec.of(Operation.ADD, 31, 0.5, 99)),
                model(new MlpSpec(16, List.of(64), Activation.RELU, InputEncoding.EMBEDDING, 0.3)),
                with(c -> new RunConfig(c.task(), c.model(), new OptimizerSpec(OptimizerType.SGD, 0.5, 0.0, 0.9,
                        0.99, 1e-6, 0.9, 0, new GradientFilterSpec.MovingAverage(10, 3.0)), c.training(), 0)),
                with(c -> new RunConfig(c.task(), c.model(), TrainingFixtures.adamW(3e-2, 0.0,
                        new GradientFilterSpec.Ema(0.98, 2.0)), c.training(), 7)),
                training(new TrainingSpec(50, null, Loss.CROSS_ENTROPY, 3, 9, 12345)));
        for (RunConfig c : compatible) {
            assertThat(BatchKey.compatible(BASE, c)).as(c.toString()).isTrue();
            assertThat(BatchKey.of(c)).isEqualTo(BatchKey.of(BASE));
        }
    }

    @Test
    void runsDifferingInShapeTaskSizeBatchOrLossDoNot() {
        List<RunConfig> incompatible = List.of(
                task(TaskSpec.of(Operation.ADD, 59, 0.5, 1)),
                task(TaskSpec.of(Operation.ADD, 31, 0.3, 1)),
                task(TaskSpec.of(Operation.SUBTRACT, 31, 0.5, 1)),
                model(new MlpSpec(32, List.of(64), Activation.RELU, InputEncoding.EMBEDDING, 1.0)),
                model(new MlpSpec(16, List.of(128), Activation.RELU, InputEncoding.EMBEDDING, 1.0)),
                model(new MlpSpec(16, List.of(64, 64), Activation.RELU, InputEncoding.EMBEDDING, 1.0)),
                model(new MlpSpec(16, List.of(64), Activation.QUADRATIC, InputEncoding.EMBEDDING, 1.0)),
                model(new MlpSpec(16, List.of(64), Activation.RELU, InputEncoding.ONE_HOT, 1.0)),
                training(new TrainingSpec(1000, 64, Loss.CROSS_ENTROPY, 100, 500, 1)),
                training(new TrainingSpec(1000, null, Loss.MSE, 100, 500, 1)));
        for (RunConfig c : incompatible) {
            assertThat(BatchKey.compatible(BASE, c)).as(c.toString()).isFalse();
        }
    }

    @Test
    void transformersAreNotBatched() {
        RunConfig t = new RunConfig(BASE.task(), TransformerSpec.nanda(), BASE.optimizer(), BASE.training(), 0);
        assertThat(BatchKey.of(t)).isEmpty();
        assertThat(BatchKey.compatible(t, t)).isFalse();
    }

    @Test
    void oneHotRunsIgnoreTheUnusedEmbeddingWidth() {
        RunConfig a = model(new MlpSpec(16, List.of(64), Activation.RELU, InputEncoding.ONE_HOT, 1.0));
        RunConfig b = model(new MlpSpec(0, List.of(64), Activation.RELU, InputEncoding.ONE_HOT, 1.0));
        assertThat(BatchKey.compatible(a, b)).isTrue();
    }
}
