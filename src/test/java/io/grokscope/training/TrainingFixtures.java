package io.grokscope.training;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskSpec;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/** Small configurations shared by the training tests. */
final class TrainingFixtures {

    private TrainingFixtures() {
    }

    /**
     * Fixes the thread counts of ND4J's own ops and of BLAS, so that bit-for-bit comparisons within a test do not
     * depend on what another test or the machine chose.
     */
    static void fixThreads() {
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
    }

    static TaskSpec addMod(int p, double trainFraction) {
        return TaskSpec.of(Operation.ADD, p, trainFraction, 7);
    }

    static MlpSpec mlp(int embed, int hidden) {
        return new MlpSpec(embed, List.of(hidden), Activation.RELU, InputEncoding.EMBEDDING, 1.0);
    }

    static OptimizerSpec adamW(double lr, double wd, GradientFilterSpec filter) {
        return new OptimizerSpec(OptimizerType.ADAMW, lr, wd, 0.9, 0.98, 1e-8, 0.0, 10, filter);
    }

    static TrainingSpec training(int steps, Integer batchSize, int evalEvery, int checkpointEvery, long seed) {
        return new TrainingSpec(steps, batchSize, Loss.CROSS_ENTROPY, evalEvery, checkpointEvery, seed);
    }
}
