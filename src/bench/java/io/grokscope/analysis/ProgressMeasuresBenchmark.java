package io.grokscope.analysis;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.model.Model;
import io.grokscope.model.ModelSpec;
import io.grokscope.model.Models;
import io.grokscope.model.TransformerSpec;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cost of the Fourier progress measures (Gini of W_E and W_L, key frequencies, restricted and excluded loss over
 * the full p² table) against a full-batch training step, on the shapes of {@code docs/reference-speeds.md} (p = 113,
 * 30 % train), both measured in the same run: the share they take of training time at one measurement every k steps
 * is measure / (k · step + measure).
 *
 * <p>Run: {@code mvn -Pbench -q test-compile exec:exec -Dbench.main=io.grokscope.analysis.ProgressMeasuresBenchmark}.
 * The step timed is forward and backward ({@link Model#lossAndGradients}) without the optimizer update, so the
 * reported share slightly overstates the real one.
 */
public final class ProgressMeasuresBenchmark {

    private ProgressMeasuresBenchmark() {
    }

    public static void main(String[] args) {
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 113, 0.3, 0));
        System.out.printf(Locale.ROOT, "Progress measures vs a full-batch step: (a + b) mod 113, %d train examples,"
                + " measures over all %d pairs%n", data.train().size(), data.table().size());
        List<ModelSpec> models = List.of(
                new MlpSpec(128, List.of(512), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
                TransformerSpec.nanda());
        for (ModelSpec spec : models) {
            Model model = Models.create(spec, data.elements(), DataType.FLOAT, 0);
            ProgressMeasures measures = ProgressMeasures.forTask(data);
            double[] step = new double[15];
            double[] measure = new double[15];
            ProgressMeasurement last = null;
            for (int i = 0; i < step.length; i++) {
                long start = System.nanoTime();
                model.lossAndGradients(data.train(), Loss.CROSS_ENTROPY);
                step[i] = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                // The full cost: a W_L whose energy sits in five frequencies, so the key set is not empty and
                // restricted and excluded loss are computed over the model's logits of all p² pairs.
                last = measures.measure(model.tokenEmbedding(), keyedLogitMap(data.elements()),
                        model.logits(data.table().left(), data.table().right()));
                measure[i] = (System.nanoTime() - start) / 1e6;
            }
            double s = median(Arrays.copyOfRange(step, 5, step.length));
            double m = median(Arrays.copyOfRange(measure, 5, measure.length));
            System.out.printf(Locale.ROOT, "  %s%n    step %.1f ms, measures %.1f ms (%d values: %s);"
                    + " share at k = 100: %.1f%%, at k = 10: %.1f%% (target <= 10%% at k = 100)%n",
                    spec, s, m, last.values().size(), last.values().keySet(), 100 * m / (100 * s + m),
                    100 * m / (10 * s + m));
        }
    }

    /** [p, 64]: each column a cosine at one of Nanda et al.'s five key frequencies, with its own phase. */
    private static org.nd4j.linalg.api.ndarray.INDArray keyedLogitMap(int p) {
        int[] keys = { 14, 35, 41, 42, 52 };
        double[][] map = new double[p][64];
        for (int x = 0; x < p; x++) {
            for (int j = 0; j < 64; j++) {
                map[x][j] = Math.cos(2 * Math.PI * keys[j % keys.length] * x / p + j);
            }
        }
        return Nd4j.create(map).castTo(DataType.FLOAT);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
