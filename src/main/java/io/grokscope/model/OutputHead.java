package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The last step of every model, written once: from the logits (plus an output bias where the model has one, as the
 * MLP's {@code b_U}) to the loss, the accuracy, and the gradient into the logits.
 *
 * <h2>Losses</h2>
 * <ul>
 *   <li>{@link Loss#CROSS_ENTROPY}: the mean over examples of log-sum-exp(z) - z_answer, per row as
 *       log(Σ_j exp(z_j - max)) - (z_answer - max). The answer's shifted logit is subtracted from the logarithm, never
 *       the maximum added back: when the answer is the row's maximum its shift is exactly 0 and a small loss keeps all
 *       its digits instead of being rounded to the maximum's ulp. Fused with its gradient (softmax - one-hot)/n.</li>
 *   <li>{@link Loss#MSE}: torch's {@code MSELoss()} on one-hot targets, i.e. the mean over all n·classes entries of
 *       (z - onehot)². Chosen over "sum over classes" because the Omnigrok and Gromov-style references use torch's
 *       default reduction, so their learning rates carry over. Each row's squares are summed first, then the rows.</li>
 * </ul>
 * Accuracy counts the first maximal logit (ties resolve to the lowest class).
 *
 * <h2>Training and evaluation</h2>
 * In training the exponentials run as one ND4J op over the whole array of shifted logits (a {@code Math.exp} per
 * element was the slowest part of the loss: about 6 ms per step of Nanda's model, the vectorised op well under 1);
 * element-wise, it gives the same values whatever the thread count. Evaluation runs in chunks of at most
 * {@link Models#EVAL_CHUNK} examples (the full p² table needs no huge buffers) and computes each row's loss in double
 * with {@link #crossEntropy} or {@link #squaredError}, the plain-Java losses that {@code analysis} uses too.
 *
 * <h2>Fixed-order sums</h2>
 * Every sum outside BLAS (the loss, the output bias's gradient, hits) is taken in double in row order within each of
 * the two {@link Lanes} and the lanes are combined in lane order, so the bits do not depend on the cores. The row
 * kernels ({@link #shiftRow}, {@link #crossEntropyGradientRow}, {@link #squaredErrorGradientRow}) are static so that
 * {@link BatchedMlp} runs exactly the same arithmetic over its stacked lanes.
 *
 * <p>Public only for {@link #crossEntropy} and {@link #squaredError}, the per-row losses {@code analysis} scores its
 * modified logit tables with; the head itself is the models' own.
 */
public final class OutputHead {

    private final int classes;
    private final HostView bias; // the output bias, or null
    private final HostView biasGradient;
    private final double[] stagedBias;
    private final Lanes<Scratch> lanes;

    /**
     * @param classes      logits per row
     * @param bias         the output bias added to every row of logits, or null for a model without one
     * @param biasGradient where the bias's gradient goes (null with {@code bias})
     */
    OutputHead(int classes, HostView bias, HostView biasGradient) {
        this.classes = classes;
        this.bias = bias;
        this.biasGradient = biasGradient;
        this.stagedBias = bias == null ? null : new double[classes];
        this.lanes = new Lanes<>(Scratch::new);
    }

    /** One lane's scratch. */
    private final class Scratch {
        final double[] row = new double[classes];
        final double[] biasGradient = new double[classes];
        double total;
        long hits;
    }

    /**
     * The model's forward pass over one chunk: pairs {@code start..start+n-1} of (left, right), in a workspace of n
     * rows; returns the workspace's logits, bias not added.
     */
    @FunctionalInterface
    interface Forward {
        HostView logits(int[] left, int[] right, int start, int n);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Evaluation and forward-only logits, in chunks

    /** Mean loss and accuracy over {@code data}, chunk by chunk. */
    Model.Evaluation evaluate(Examples data, Loss loss, Forward forward) {
        int total = data.size();
        int[] answer = data.answer();
        if (total == 0) {
            return new Model.Evaluation(Double.NaN, Double.NaN);
        }
        double[] b = stageBias();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < total; start += Models.EVAL_CHUNK) {
            int n = Math.min(Models.EVAL_CHUNK, total - start);
            HostView logits = forward.logits(data.left(), data.right(), start, n);
            int offset = start;
            lanes.run(n, (lane, from, to) -> {
                double[] z = lane.row;
                double sum = 0;
                long hits = 0;
                for (int i = from; i < to; i++) {
                    logits.read(i * classes, z, 0, classes);
                    addBias(z, 0, b, classes);
                    int y = answer[offset + i];
                    if (firstMaximum(z, 0, classes) == y) {
                        hits++;
                    }
                    sum += loss == Loss.CROSS_ENTROPY
                            ? crossEntropy(z, 0, classes, y)
                            : squaredError(z, 0, classes, y) / classes;
                }
                lane.total = sum;
                lane.hits = hits;
            });
            for (Scratch lane : lanes.all()) {
                lossSum += lane.total;
                correct += lane.hits;
            }
        }
        return new Model.Evaluation(lossSum / total, (double) correct / total);
    }

    /** Logits {@code [pairs, classes]} (bias included), a fresh array of {@code dataType}, chunk by chunk. */
    INDArray logits(int[] left, int[] right, DataType dataType, Forward forward) {
        if (left.length != right.length) {
            throw new IllegalArgumentException("left and right must have the same length");
        }
        int total = left.length;
        INDArray out = Nd4j.create(dataType, total, classes);
        HostView target = HostView.of(out);
        double[] b = stageBias();
        for (int start = 0; start < total; start += Models.EVAL_CHUNK) {
            int n = Math.min(Models.EVAL_CHUNK, total - start);
            HostView logits = forward.logits(left, right, start, n);
            if (b == null) {
                logits.copyTo(0, target, start * classes, n * classes);
                continue;
            }
            double[] row = lanes.all().get(0).row;
            for (int i = 0; i < n; i++) {
                logits.read(i * classes, row, 0, classes);
                addBias(row, 0, b, classes);
                target.write(row, 0, (start + i) * classes, classes);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Training: the mean loss, fused with its gradient into the logits

    /**
     * The mean loss of rows {@code 0..n-1} of {@code logits} (bias not yet added) against {@code answer}; writes the
     * gradient w.r.t. the logits into {@code logitGradient} and, where the model has an output bias, that bias's
     * gradient.
     *
     * @param answerShift scratch of at least n: per row, the answer's logit minus the row maximum
     */
    double lossAndGradient(Loss loss, HostView logits, HostView logitGradient, int[] answer, int n,
            double[] answerShift) {
        double[] b = stageBias();
        double value;
        if (loss == Loss.CROSS_ENTROPY) {
            lanes.run(n, (lane, from, to) -> {
                double[] row = lane.row;
                for (int i = from; i < to; i++) {
                    logits.read(i * classes, row, 0, classes);
                    answerShift[i] = shiftRow(row, 0, b, classes, answer[i]);
                    logitGradient.write(row, 0, i * classes, classes);
                }
            });
            INDArray shifted = logitGradient.array();
            Nd4j.exec(new Exp(shifted, shifted));
            double invN = 1.0 / n;
            value = gradientPass(logitGradient, logitGradient, n, b != null, (row, i, biasGrad) ->
                    crossEntropyGradientRow(row, 0, classes, answer[i], answerShift[i], invN, biasGrad)) * invN;
        } else {
            double count = (double) n * classes;
            value = gradientPass(logits, logitGradient, n, b != null, (row, i, biasGrad) ->
                    squaredErrorGradientRow(row, 0, b, classes, answer[i], count, biasGrad)) / count;
        }
        if (b != null) {
            double[] sum = b; // the staged bias is no longer needed
            lanes.sum(lane -> lane.biasGradient, sum, classes);
            biasGradient.write(sum, 0, 0, classes);
        }
        return value;
    }

    /** A loss kernel over row {@code i}, staged in {@code row}: returns the row's loss. */
    @FunctionalInterface
    private interface RowGradient {
        double row(double[] row, int i, double[] biasGradient);
    }

    /**
     * Runs {@code kernel} over rows 0..n-1 of {@code source}, writing each row to {@code target}; with a bias, each lane
     * sums its bias gradient apart. Returns the rows' losses summed in row order per lane, lanes in order.
     */
    private double gradientPass(HostView source, HostView target, int n, boolean withBias, RowGradient kernel) {
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.row;
            double[] biasGrad = withBias ? lane.biasGradient : null;
            if (withBias) {
                Arrays.fill(biasGrad, 0.0);
            }
            double total = 0;
            for (int i = from; i < to; i++) {
                source.read(i * classes, row, 0, classes);
                total += kernel.row(row, i, biasGrad);
                target.write(row, 0, i * classes, classes);
            }
            lane.total = total;
        });
        return lanes.sum(lane -> lane.total);
    }

    private double[] stageBias() {
        if (bias == null) {
            return null;
        }
        bias.read(0, stagedBias, 0, classes);
        return stagedBias;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Row kernels: one row of {@code classes} logits at {@code row[at..]}, all arithmetic in double

    /** Adds the output bias to one row in place; a null bias adds nothing. */
    static void addBias(double[] row, int at, double[] bias, int classes) {
        if (bias == null) {
            return;
        }
        for (int j = 0; j < classes; j++) {
            row[at + j] += bias[j];
        }
    }

    /** The first index of the row's maximum (ties and NaN rows resolve to the lowest class). */
    static int firstMaximum(double[] row, int at, int classes) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            if (row[at + j] > bestValue) {
                bestValue = row[at + j];
                best = j;
            }
        }
        return best;
    }

    /**
     * Softmax cross-entropy of one row of logits against class {@code target}, in double with the log-sum-exp shift:
     * log(Σ_j exp(z_j - max)) - (z_target - max). The one plain-Java softmax cross-entropy of the project:
     * evaluation and {@code analysis} both score rows with it.
     */
    public static double crossEntropy(double[] row, int at, int classes, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, row[at + j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(row[at + j] - max);
        }
        return Math.log(sum) - (row[at + target] - max);
    }

    /** Σ_j (z_j - onehot(target)_j)² of one row, in double, in class order. */
    public static double squaredError(double[] row, int at, int classes, int target) {
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            double d = row[at + j] - (j == target ? 1.0 : 0.0);
            sum += d * d;
        }
        return sum;
    }

    /**
     * The first pass of the fused cross-entropy: adds the bias (if any), subtracts the row maximum, and returns the
     * answer's shifted logit. The row is then exponentiated as a whole array (see the class comment).
     */
    static double shiftRow(double[] row, int at, double[] bias, int classes, int answer) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            if (bias != null) {
                row[at + j] += bias[j];
            }
            max = Math.max(max, row[at + j]);
        }
        for (int j = 0; j < classes; j++) {
            row[at + j] -= max;
        }
        return row[at + answer];
    }

    /**
     * The second pass: the row holds exp(z - max); turns it into the gradient (softmax - onehot)/n, adds it to
     * {@code biasGradient} (when not null) and returns the row's loss log(Σ exp(z - max)) - answerShift.
     */
    static double crossEntropyGradientRow(double[] row, int at, int classes, int answer, double answerShift,
            double invN, double[] biasGradient) {
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += row[at + j];
        }
        double loss = Math.log(sum) - answerShift;
        double scale = invN / sum;
        for (int j = 0; j < classes; j++) {
            row[at + j] *= scale;
        }
        row[at + answer] -= invN;
        if (biasGradient != null) {
            for (int j = 0; j < classes; j++) {
                biasGradient[j] += row[at + j];
            }
        }
        return loss;
    }

    /**
     * Squared error of one row with the bias (if any) added, against the one-hot answer: overwrites the row with
     * the gradient 2(z - onehot)/count of the mean over {@code count} entries, adds it to {@code biasGradient}
     * (when not null) and returns the row's Σ (z - onehot)².
     */
    static double squaredErrorGradientRow(double[] row, int at, double[] bias, int classes, int answer, double count,
            double[] biasGradient) {
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            double z = bias == null ? row[at + j] : row[at + j] + bias[j];
            double d = z - (j == answer ? 1.0 : 0.0);
            sum += d * d;
            double g = 2.0 * d / count;
            row[at + j] = g;
            if (biasGradient != null) {
                biasGradient[j] += g;
            }
        }
        return sum;
    }
}
