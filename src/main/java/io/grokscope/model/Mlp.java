package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The grokking MLP: both operands through one token map, concatenated, then hidden layers with biases, then one logit
 * per answer token.
 *
 * <h2>Parameters (in this order, which is also the order of the flat buffer and of the initialisation draws)</h2>
 * <ul>
 *   <li>{@code W_E} {@code [elements, embedDim]} — the embedding, shared by a and b ({@link InputEncoding#EMBEDDING}
 *       only);</li>
 *   <li>{@code hidden.l.W} {@code [in_l, hidden_l]} and {@code hidden.l.b} {@code [hidden_l]} for each hidden layer
 *       l = 0, 1, ...; the first layer's input is {@code [E(a), E(b)]} (2·embedDim wide) or, for
 *       {@link InputEncoding#ONE_HOT}, the concatenated one-hots (2·elements wide: rows 0..p-1 act on a, rows p..2p-1 on
 *       b);</li>
 *   <li>{@code W_U} {@code [hidden_last, elements]} and {@code b_U} {@code [elements]} — the unembedding.</li>
 * </ul>
 * Weights are stored {@code [in, out]} (the transpose of torch's {@code Linear.weight}) so that every forward product
 * is a plain {@code x·W}.
 *
 * <h2>Initialisation</h2>
 * As PyTorch's defaults, each then multiplied by {@link MlpSpec#initScale()} (Omnigrok's alpha): the embedding
 * N(0, 1) (as {@code nn.Embedding}); every linear weight and bias U(-1/√fan_in, 1/√fan_in) (as {@code nn.Linear},
 * whose Kaiming-uniform with a = √5 reduces to that bound), where fan_in is the layer's input width (2·elements for
 * the one-hot first layer). Draws come from one {@link SeededRandom} in parameter order, row-major.
 *
 * <h2>Losses</h2>
 * <ul>
 *   <li>{@link Loss#CROSS_ENTROPY}: the mean over examples of log-sum-exp(z) - z_answer, computed per row with the
 *       maximum subtracted and the sum of exponentials accumulated in double, fused with its gradient
 *       (softmax - one-hot) / n.</li>
 *   <li>{@link Loss#MSE}: torch's {@code MSELoss()} on one-hot targets, i.e. the mean over all n·elements entries of
 *       (z - onehot)². Chosen over "sum over classes" because the Omnigrok and Gromov-style references use torch's
 *       default reduction, so their learning rates carry over.</li>
 * </ul>
 * Accuracy counts the first maximal logit (ties resolve to the lowest token).
 *
 * <h2>Speed</h2>
 * Only the matrix products go to BLAS, each through {@code Nd4j.gemm} into a preallocated array (cached per batch
 * size); the bias is added in the same pass as the activation, the embedding is gathered straight into the
 * concatenated input buffer and its gradient scattered back row by row, the one-hot first layer is two row gathers
 * instead of a product with one-hot matrices, and ReLU's backward pass also sums the bias gradient. All reductions
 * that the loss and the gradients depend on outside BLAS run in a fixed order in double, so a run is reproducible
 * bit for bit at a fixed BLAS thread count.
 */
public final class Mlp implements Model {

    /** Evaluation runs in chunks of at most this many rows so that evaluating 12 769 pairs does not need 12 769-row buffers. */
    static final int EVAL_CHUNK = Models.EVAL_CHUNK;

    private final MlpSpec spec;
    private final int elements;
    private final int layers;
    private final int[] widths; // hidden widths
    private final int inputWidth; // width of the first layer's input (2E or 2p)
    private final boolean oneHot;
    private final boolean quadratic;
    private final Parameters parameters;
    private final DataType dataType;

    // Parameter arrays and host views, by layer.
    private final INDArray embed; // W_E or null
    private final INDArray[] weights;
    private final INDArray[] weightGradients;
    private final HostView[] weightViews;
    private final HostView[] weightGradViews;
    private final HostView[] biasViews;
    private final HostView[] biasGradViews;
    private final INDArray unembed;
    private final INDArray unembedGradient;
    private final HostView unembedBias;
    private final HostView unembedBiasGrad;
    private final HostView embedView;
    private final HostView embedGradView;

    // Scratch, reused every step: per-lane rows and partial sums, and vectors staged once per kernel (read-only
    // inside the lanes).
    private final Lanes<Scratch> lanes;
    private final int widest; // the widest row any kernel stages
    private final double[] firstLayerTable; // W_E (embedding) or hidden.0.W (one-hot), staged; also the scatter sum
    private final double[] rowBias;

    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    private long workspaceFloats; // every element allocated for workspaces so far, checked against workspaceFloats(...)

    Mlp(MlpSpec spec, int elements, DataType dataType, long seed) {
        this(spec, elements, dataType, seed, null);
    }

    /**
     * An MLP whose parameters live in {@code storage} (views laid out as {@link #shapes}, e.g. one lane of a
     * {@link BatchedMlp}) or, when null, in buffers of its own; either way initialised from {@code seed} exactly as
     * a stand-alone model.
     */
    Mlp(MlpSpec spec, int elements, DataType dataType, long seed, Parameters storage) {
        if (elements < 2) {
            throw new IllegalArgumentException("elements must be >= 2, was " + elements);
        }
        this.spec = spec;
        this.elements = elements;
        this.dataType = dataType;
        this.oneHot = spec.inputEncoding() == InputEncoding.ONE_HOT;
        this.quadratic = spec.activation() == Activation.QUADRATIC;
        List<Integer> hidden = spec.hiddenDims();
        this.layers = hidden.size();
        this.widths = hidden.stream().mapToInt(Integer::intValue).toArray();
        this.inputWidth = oneHot ? 2 * elements : 2 * spec.embedDim();

        this.parameters = storage != null ? storage : Parameters.allocate(shapes(spec, elements), dataType);
        initialise(new SeededRandom(seed));

        this.embed = oneHot ? null : parameters.get("W_E");
        this.embedView = oneHot ? null : HostView.of(embed);
        this.embedGradView = oneHot ? null : HostView.of(parameters.gradient("W_E"));
        this.weights = new INDArray[layers];
        this.weightGradients = new INDArray[layers];
        this.weightViews = new HostView[layers];
        this.weightGradViews = new HostView[layers];
        this.biasViews = new HostView[layers];
        this.biasGradViews = new HostView[layers];
        for (int l = 0; l < layers; l++) {
            weights[l] = parameters.get(weightName(l));
            weightGradients[l] = parameters.gradient(weightName(l));
            weightViews[l] = HostView.of(weights[l]);
            weightGradViews[l] = HostView.of(weightGradients[l]);
            biasViews[l] = HostView.of(parameters.get(biasName(l)));
            biasGradViews[l] = HostView.of(parameters.gradient(biasName(l)));
        }
        this.unembed = parameters.get("W_U");
        this.unembedGradient = parameters.gradient("W_U");
        this.unembedBias = HostView.of(parameters.get("b_U"));
        this.unembedBiasGrad = HostView.of(parameters.gradient("b_U"));
        this.firstLayerTable = new double[oneHot ? 2 * elements * widths[0] : elements * spec.embedDim()];
        this.widest = Math.max(Math.max(inputWidth, elements), Arrays.stream(widths).max().orElse(1));
        this.rowBias = new double[widest];
        this.lanes = new Lanes<>(Scratch::new);
    }

    /** The parameter names and shapes of an MLP, in buffer order. */
    static Map<String, long[]> shapes(MlpSpec spec, int elements) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        boolean oneHot = spec.inputEncoding() == InputEncoding.ONE_HOT;
        if (!oneHot) {
            shapes.put("W_E", new long[] {elements, spec.embedDim()});
        }
        long in = oneHot ? 2L * elements : 2L * spec.embedDim();
        for (int l = 0; l < spec.hiddenDims().size(); l++) {
            long out = spec.hiddenDims().get(l);
            shapes.put(weightName(l), new long[] {in, out});
            shapes.put(biasName(l), new long[] {out});
            in = out;
        }
        shapes.put("W_U", new long[] {in, elements});
        shapes.put("b_U", new long[] {elements});
        return shapes;
    }

    static String weightName(int layer) {
        return "hidden." + layer + ".W";
    }

    static String biasName(int layer) {
        return "hidden." + layer + ".b";
    }

    private void initialise(SeededRandom random) {
        double alpha = spec.initScale();
        for (Map.Entry<String, INDArray> entry : parameters.named().entrySet()) {
            String name = entry.getKey();
            INDArray array = entry.getValue();
            HostView view = HostView.of(array);
            if (name.equals("W_E")) {
                for (int i = 0; i < view.length(); i++) {
                    view.set(i, alpha * random.nextGaussian());
                }
            } else {
                long fanIn = name.endsWith(".b") || name.equals("b_U")
                        ? fanInOfBias(name) : array.size(0);
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < view.length(); i++) {
                    view.set(i, alpha * random.uniform(-bound, bound));
                }
            }
        }
    }

    private long fanInOfBias(String name) {
        String weight = name.equals("b_U") ? "W_U" : name.substring(0, name.length() - 1) + "W";
        return parameters.get(weight).size(0);
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public int outputs() {
        return elements;
    }

    /** The architecture this model was built from. */
    public MlpSpec spec() {
        return spec;
    }

    @Override
    public double lossAndGradients(Examples batch, Loss loss) {
        int n = batch.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        Workspace w = workspace(n, true);
        forward(w, batch.left(), batch.right(), 0, n);
        double value = loss == Loss.CROSS_ENTROPY
                ? crossEntropyAndGradient(w, batch.answer(), n)
                : squaredErrorAndGradient(w, batch.answer(), n);
        backward(w, batch.left(), batch.right(), n);
        return value;
    }

    @Override
    public Evaluation evaluate(Examples data, Loss loss) {
        int total = data.size();
        if (total == 0) {
            return new Evaluation(Double.NaN, Double.NaN);
        }
        int[] answer = data.answer();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < total; start += EVAL_CHUNK) {
            int n = Math.min(EVAL_CHUNK, total - start);
            Workspace w = workspace(n, false);
            forward(w, data.left(), data.right(), start, n);
            double[] bias = rowBias; // staged after the forward pass, whose activations stage their own biases there
            unembedBias.read(0, bias, 0, elements);
            HostView logits = w.logitsView;
            int offset = start;
            lanes.run(n, (lane, from, to) -> {
                double[] z = lane.rowA;
                double sum = 0;
                long hits = 0;
                for (int i = from; i < to; i++) {
                    logits.read(i * elements, z, 0, elements);
                    int y = answer[offset + i];
                    int best = 0;
                    double bestValue = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < elements; j++) {
                        double v = z[j] + bias[j];
                        z[j] = v;
                        if (v > bestValue) {
                            bestValue = v;
                            best = j;
                        }
                    }
                    if (best == y) {
                        hits++;
                    }
                    sum += loss == Loss.CROSS_ENTROPY
                            ? crossEntropy(z, y, bestValue)
                            : squaredError(z, y);
                }
                lane.total = sum;
                lane.count = hits;
            });
            for (Scratch lane : lanes.all()) {
                lossSum += lane.total;
                correct += lane.count;
            }
        }
        return new Evaluation(lossSum / total, (double) correct / total);
    }

    /** log-sum-exp(z) - z[y] for one row of logits whose maximum is {@code max}. */
    private double crossEntropy(double[] z, int y, double max) {
        double sum = 0;
        for (int j = 0; j < elements; j++) {
            sum += Math.exp(z[j] - max);
        }
        return max + Math.log(sum) - z[y];
    }

    /** Mean over the classes of (z - onehot(y))² for one row. */
    private double squaredError(double[] z, int y) {
        double rowSum = 0;
        for (int j = 0; j < elements; j++) {
            double d = z[j] - (j == y ? 1.0 : 0.0);
            rowSum += d * d;
        }
        return rowSum / elements;
    }

    @Override
    public INDArray logits(int[] left, int[] right) {
        if (left.length != right.length) {
            throw new IllegalArgumentException("left and right must have the same length");
        }
        INDArray out = Nd4j.create(dataType, left.length, elements);
        HostView target = HostView.of(out);
        for (int start = 0; start < left.length; start += EVAL_CHUNK) {
            int n = Math.min(EVAL_CHUNK, left.length - start);
            Workspace w = workspace(n, false);
            forward(w, left, right, start, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < elements; j++) {
                    target.set((start + i) * elements + j, w.logitsView.get(i * elements + j) + unembedBias.get(j));
                }
            }
        }
        return out;
    }

    @Override
    public INDArray tokenEmbedding() {
        if (oneHot) {
            return weights[0].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, elements),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
        }
        return embed;
    }

    @Override
    public INDArray logitMap() {
        return unembed.transpose().dup('c');
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward

    /**
     * Rows {@code start..start+n-1} of (left, right) through the network; leaves the activations in {@code w} and the
     * logits WITHOUT the output bias in {@code w.logits} (the loss pass adds it, fused with its own work).
     */
    private void forward(Workspace w, int[] left, int[] right, int start, int n) {
        if (oneHot) {
            gatherOneHotLayer(w, left, right, start, n);
        } else {
            gatherEmbeddings(w, left, right, start, n);
            Nd4j.gemm(w.input, weights[0], w.preActivation(0), false, false, 1.0, 0.0);
        }
        activate(w, 0, n);
        for (int l = 1; l < layers; l++) {
            Nd4j.gemm(w.post[l - 1], weights[l], w.preActivation(l), false, false, 1.0, 0.0);
            activate(w, l, n);
        }
        Nd4j.gemm(w.post[layers - 1], unembed, w.logits, false, false, 1.0, 0.0);
    }

    /** input[i] = [W_E[a_i], W_E[b_i]], written straight into the concatenated input buffer. */
    private void gatherEmbeddings(Workspace w, int[] left, int[] right, int start, int n) {
        int e = spec.embedDim();
        double[] table = firstLayerTable; // every row of W_E is read about 2n/p times: stage it once
        embedView.read(0, table, 0, elements * e);
        HostView x = w.inputView;
        lanes.run(n, (lane, from, to) -> {
            for (int i = from; i < to; i++) {
                x.write(table, checkToken(left[start + i]) * e, i * 2 * e, e);
                x.write(table, checkToken(right[start + i]) * e, i * 2 * e + e, e);
            }
        });
    }

    /** One-hot first layer: pre[i] = W[a_i] + W[p + b_i], two row gathers instead of a product with one-hots. */
    private void gatherOneHotLayer(Workspace w, int[] left, int[] right, int start, int n) {
        int h = widths[0];
        double[] table = firstLayerTable;
        weightViews[0].read(0, table, 0, table.length);
        HostView pre = w.preView(0);
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowA;
            for (int i = from; i < to; i++) {
                int ra = checkToken(left[start + i]) * h;
                int rb = (elements + checkToken(right[start + i])) * h;
                for (int j = 0; j < h; j++) {
                    row[j] = table[ra + j] + table[rb + j];
                }
                pre.write(row, 0, i * h, h);
            }
        });
    }

    private int checkToken(int token) {
        if (token < 0 || token >= elements) {
            throw new IllegalArgumentException("token " + token + " outside 0.." + (elements - 1));
        }
        return token;
    }

    /** Adds the bias and applies the activation in one pass (ReLU in place; quadratic keeps z for the backward pass). */
    private void activate(Workspace w, int layer, int n) {
        int h = widths[layer];
        HostView post = w.postViews[layer];
        double[] bias = rowBias;
        biasViews[layer].read(0, bias, 0, h);
        if (quadratic) {
            HostView pre = w.preViews[layer];
            lanes.run(n, (lane, from, to) -> {
                double[] a = lane.rowA;
                double[] b = lane.rowB;
                for (int i = from; i < to; i++) {
                    pre.read(i * h, a, 0, h);
                    for (int j = 0; j < h; j++) {
                        double z = a[j] + bias[j];
                        a[j] = z;
                        b[j] = z * z;
                    }
                    pre.write(a, 0, i * h, h);
                    post.write(b, 0, i * h, h);
                }
            });
        } else {
            // (z + |z|)/2 is max(z, 0) exactly and compiles without a branch; with random signs a branch per element
            // mispredicts half the time (about 9 ms instead of under 2 on 3830x512).
            lanes.run(n, (lane, from, to) -> {
                double[] a = lane.rowA;
                for (int i = from; i < to; i++) {
                    post.read(i * h, a, 0, h);
                    for (int j = 0; j < h; j++) {
                        double z = a[j] + bias[j];
                        a[j] = 0.5 * (z + Math.abs(z));
                    }
                    post.write(a, 0, i * h, h);
                }
            });
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Losses (fused with the output bias and the gradient into the logits)

    /**
     * Mean softmax cross-entropy and its gradient (softmax - one-hot)/n into w.logitGrad, with the output bias added
     * on the way and its gradient summed. The exponentials run as one ND4J op over the shifted logits (a Math.exp per
     * element was the slowest part of the loss); element-wise, it gives the same values whatever the thread count.
     */
    private double crossEntropyAndGradient(Workspace w, int[] answer, int n) {
        HostView z = w.logitsView;
        HostView dz = w.logitGradView;
        double[] bias = rowBias;
        unembedBias.read(0, bias, 0, elements);
        double[] answerShift = w.answerShift; // z[y] - max per row, kept in double for the loss
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowA;
            for (int i = from; i < to; i++) {
                z.read(i * elements, row, 0, elements);
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < elements; j++) {
                    row[j] += bias[j];
                    max = Math.max(max, row[j]);
                }
                for (int j = 0; j < elements; j++) {
                    row[j] -= max;
                }
                answerShift[i] = row[answer[i]];
                dz.write(row, 0, i * elements, elements);
            }
        });
        Nd4j.exec(new Exp(w.logitGrad, w.logitGrad));
        double invN = 1.0 / n;
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowA;
            double[] biasGrad = lane.accumulator;
            Arrays.fill(biasGrad, 0, elements, 0.0);
            double total = 0;
            for (int i = from; i < to; i++) {
                dz.read(i * elements, row, 0, elements);
                double sum = 0;
                for (int j = 0; j < elements; j++) {
                    sum += row[j];
                }
                int y = answer[i];
                total += Math.log(sum) - answerShift[i];
                double scale = invN / sum;
                for (int j = 0; j < elements; j++) {
                    row[j] *= scale;
                }
                row[y] -= invN;
                for (int j = 0; j < elements; j++) {
                    biasGrad[j] += row[j];
                }
                dz.write(row, 0, i * elements, elements);
            }
            lane.total = total;
        });
        writeLaneSums(elements, unembedBiasGrad);
        return laneTotal() * invN;
    }

    private double squaredErrorAndGradient(Workspace w, int[] answer, int n) {
        HostView z = w.logitsView;
        HostView dz = w.logitGradView;
        double[] bias = rowBias;
        unembedBias.read(0, bias, 0, elements);
        double count = (double) n * elements;
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowA;
            double[] biasGrad = lane.accumulator;
            Arrays.fill(biasGrad, 0, elements, 0.0);
            double total = 0;
            for (int i = from; i < to; i++) {
                z.read(i * elements, row, 0, elements);
                int y = answer[i];
                for (int j = 0; j < elements; j++) {
                    double d = row[j] + bias[j] - (j == y ? 1.0 : 0.0);
                    total += d * d;
                    double g = 2.0 * d / count;
                    row[j] = g;
                    biasGrad[j] += g;
                }
                dz.write(row, 0, i * elements, elements);
            }
            lane.total = total;
        });
        writeLaneSums(elements, unembedBiasGrad);
        return laneTotal() / count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward

    private void backward(Workspace w, int[] left, int[] right, int n) {
        Nd4j.gemm(w.post[layers - 1], w.logitGrad, unembedGradient, true, false, 1.0, 0.0);
        Nd4j.gemm(w.logitGrad, unembed, w.grad[layers - 1], false, true, 1.0, 0.0);
        for (int l = layers - 1; l >= 0; l--) {
            activationBackward(w, l, n);
            if (l > 0) {
                Nd4j.gemm(w.post[l - 1], w.grad[l], weightGradients[l], true, false, 1.0, 0.0);
                Nd4j.gemm(w.grad[l], weights[l], w.grad[l - 1], false, true, 1.0, 0.0);
            }
        }
        if (oneHot) {
            scatterOneHotLayer(w, left, right, n);
        } else {
            Nd4j.gemm(w.input, w.grad[0], weightGradients[0], true, false, 1.0, 0.0);
            Nd4j.gemm(w.grad[0], weights[0], w.inputGrad, false, true, 1.0, 0.0);
            scatterEmbeddings(w, left, right, n);
        }
    }

    /** grad (w.r.t. the activation) becomes the gradient w.r.t. the pre-activation; sums the bias gradient on the way. */
    private void activationBackward(Workspace w, int layer, int n) {
        int h = widths[layer];
        HostView g = w.gradViews[layer];
        HostView other = quadratic ? w.preViews[layer] : w.postViews[layer]; // z for x², relu(z) for ReLU
        lanes.run(n, (lane, from, to) -> {
            double[] a = lane.rowA;
            double[] b = lane.rowB;
            double[] acc = lane.accumulator;
            Arrays.fill(acc, 0, h, 0.0);
            for (int i = from; i < to; i++) {
                g.read(i * h, a, 0, h);
                other.read(i * h, b, 0, h);
                if (quadratic) {
                    for (int j = 0; j < h; j++) {
                        a[j] *= 2.0 * b[j];
                    }
                } else {
                    // Branch-free: relu(z) >= 0, so its bit pattern is non-zero exactly where the derivative is 1,
                    // and (bits | -bits) >> 63 is an all-ones or all-zeros mask for g.
                    for (int j = 0; j < h; j++) {
                        long bits = Double.doubleToRawLongBits(b[j]);
                        long mask = (bits | -bits) >> 63;
                        a[j] = Double.longBitsToDouble(Double.doubleToRawLongBits(a[j]) & mask);
                    }
                }
                for (int j = 0; j < h; j++) {
                    acc[j] += a[j];
                }
                g.write(a, 0, i * h, h);
            }
        });
        writeLaneSums(h, biasGradViews[layer]);
    }

    /** dW_E[a_i] += dInput[i, :E]; dW_E[b_i] += dInput[i, E:], accumulated in double in row order per lane. */
    private void scatterEmbeddings(Workspace w, int[] left, int[] right, int n) {
        int e = spec.embedDim();
        HostView dx = w.inputGradView;
        lanes.run(n, (lane, from, to) -> {
            double[] acc = lane.firstLayer;
            Arrays.fill(acc, 0.0);
            double[] a = lane.rowA;
            for (int i = from; i < to; i++) {
                dx.read(i * 2 * e, a, 0, 2 * e);
                int ra = left[i] * e;
                int rb = right[i] * e;
                for (int k = 0; k < e; k++) {
                    acc[ra + k] += a[k];
                }
                for (int k = 0; k < e; k++) {
                    acc[rb + k] += a[e + k];
                }
            }
        });
        writeFirstLayerSums(embedGradView);
    }

    /** dW[a_i] += dPre[i]; dW[p + b_i] += dPre[i], accumulated in double in row order per lane. */
    private void scatterOneHotLayer(Workspace w, int[] left, int[] right, int n) {
        int h = widths[0];
        HostView g = w.gradViews[0];
        lanes.run(n, (lane, from, to) -> {
            double[] acc = lane.firstLayer;
            Arrays.fill(acc, 0.0);
            double[] row = lane.rowA;
            for (int i = from; i < to; i++) {
                g.read(i * h, row, 0, h);
                int ra = left[i] * h;
                int rb = (elements + right[i]) * h;
                for (int j = 0; j < h; j++) {
                    acc[ra + j] += row[j];
                    acc[rb + j] += row[j];
                }
            }
        });
        writeFirstLayerSums(weightGradViews[0]);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lanes: partial results combined in lane order, so the bits do not depend on the cores

    /** One lane's scratch. */
    private final class Scratch {
        final double[] rowA = new double[widest];
        final double[] rowB = new double[widest];
        final double[] accumulator = new double[widest]; // bias gradient partial sums
        final double[] firstLayer = new double[firstLayerTable.length]; // scatter-add partial sums
        double total;
        long count;
    }

    /** target[c] = Σ over lanes, in order, of lane.accumulator[c]. */
    private void writeLaneSums(int width, HostView target) {
        double[] sum = rowBias; // the staged bias is no longer needed by the time gradients are summed
        Arrays.fill(sum, 0, width, 0.0);
        for (Scratch lane : lanes.all()) {
            for (int c = 0; c < width; c++) {
                sum[c] += lane.accumulator[c];
            }
        }
        target.write(sum, 0, 0, width);
    }

    /** target = Σ over lanes, in order, of lane.firstLayer. */
    private void writeFirstLayerSums(HostView target) {
        double[] sum = firstLayerTable; // the staged table is no longer needed during the backward pass
        Arrays.fill(sum, 0.0);
        for (Scratch lane : lanes.all()) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += lane.firstLayer[c];
            }
        }
        target.write(sum, 0, 0, sum.length);
    }

    /** The lanes' partial totals, summed in lane order. */
    private double laneTotal() {
        double total = 0;
        for (Scratch lane : lanes.all()) {
            total += lane.total;
        }
        return total;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Buffers

    /**
     * Elements of the workspace buffers of one batch size: what {@link Workspace} allocates for {@code n} rows,
     * forward only or with the training buffers too. The memory estimate of a run is built on this, and a test holds
     * it to what the workspaces really allocate.
     */
    static long workspaceFloats(MlpSpec spec, int elements, long n, boolean training) {
        boolean oneHot = spec.inputEncoding() == InputEncoding.ONE_HOT;
        long input = oneHot ? 0 : 2L * spec.embedDim();
        long hidden = spec.hiddenDims().stream().mapToLong(Integer::longValue).sum();
        long forward = input + hidden * (spec.activation() == Activation.QUADRATIC ? 2 : 1) + elements;
        long backward = elements + hidden + input;
        return n * (training ? forward + backward : forward);
    }

    /** Elements allocated for workspaces so far, for tests of the static {@code workspaceFloats}. */
    long workspaceFloats() {
        return workspaceFloats;
    }

    private INDArray buffer(long rows, long columns) {
        workspaceFloats += rows * columns;
        return Nd4j.create(dataType, rows, columns);
    }

    private Workspace workspace(int n, boolean training) {
        Workspace w = workspaces.computeIfAbsent(n, Workspace::new);
        if (training) {
            w.ensureTraining();
        }
        return w;
    }

    /**
     * The activation buffers of one batch size, allocated on first use and reused every step (allocation and
     * zeroing of 3830x512 arrays would otherwise cost as much as the products that fill them).
     */
    private final class Workspace {
        final int n;
        final INDArray input; // [n, 2E] or null for one-hot
        final HostView inputView;
        final INDArray[] pre; // quadratic only: z with bias; for ReLU the gemm target is post
        final HostView[] preViews;
        final INDArray[] post;
        final HostView[] postViews;
        final INDArray logits;
        final HostView logitsView;
        final double[] answerShift; // cross-entropy: the answer's logit minus the row maximum
        INDArray logitGrad;
        HostView logitGradView;
        INDArray[] grad;
        HostView[] gradViews;
        INDArray inputGrad;
        HostView inputGradView;

        Workspace(int n) {
            this.n = n;
            this.input = oneHot ? null : buffer(n, inputWidth);
            this.inputView = input == null ? null : HostView.of(input);
            this.pre = new INDArray[layers];
            this.preViews = new HostView[layers];
            this.post = new INDArray[layers];
            this.postViews = new HostView[layers];
            for (int l = 0; l < layers; l++) {
                post[l] = buffer(n, widths[l]);
                postViews[l] = HostView.of(post[l]);
                if (quadratic) {
                    pre[l] = buffer(n, widths[l]);
                    preViews[l] = HostView.of(pre[l]);
                }
            }
            this.logits = buffer(n, elements);
            this.logitsView = HostView.of(logits);
            this.answerShift = new double[n];
        }

        void ensureTraining() {
            if (logitGrad != null) {
                return;
            }
            logitGrad = buffer(n, elements);
            logitGradView = HostView.of(logitGrad);
            grad = new INDArray[layers];
            gradViews = new HostView[layers];
            for (int l = 0; l < layers; l++) {
                grad[l] = buffer(n, widths[l]);
                gradViews[l] = HostView.of(grad[l]);
            }
            if (!oneHot) {
                inputGrad = buffer(n, inputWidth);
                inputGradView = HostView.of(inputGrad);
            }
        }

        /** Where layer l's product lands: z for quadratic, directly the activation buffer for ReLU (made in place). */
        INDArray preActivation(int l) {
            return quadratic ? pre[l] : post[l];
        }

        HostView preView(int l) {
            return quadratic ? preViews[l] : postViews[l];
        }
    }
}
