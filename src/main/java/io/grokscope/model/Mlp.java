package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * Mean softmax cross-entropy or torch's {@code MSELoss()} against one-hot targets, both in the shared
 * {@link OutputHead}, which also adds {@code b_U} to the logits and sums its gradient.
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
    private final OutputHead head; // b_U, the loss and its gradient
    private final HostView embedView;
    private final HostView embedGradView;

    // Scratch, reused every step: per-lane rows and partial sums, and vectors staged once per kernel (read-only
    // inside the lanes).
    private final Lanes<Scratch> lanes;
    private final int widest; // the widest row any kernel stages
    private final double[] firstLayerTable; // W_E (embedding) or hidden.0.W (one-hot), staged; also the scatter sum
    private final double[] rowBias;

    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    private final Buffers buffers; // allocates the workspaces and counts their elements

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
        this.head = new OutputHead(elements, HostView.of(parameters.get("b_U")),
                HostView.of(parameters.gradient("b_U")));
        this.firstLayerTable = new double[oneHot ? 2 * elements * widths[0] : elements * spec.embedDim()];
        this.widest = Math.max(inputWidth, Arrays.stream(widths).max().orElse(1));
        this.rowBias = new double[widest];
        this.lanes = new Lanes<>(Scratch::new);
        this.buffers = new Buffers(dataType);
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
        double value = head.lossAndGradient(loss, w.logitsView, w.logitGradView, batch.answer(), n, w.answerShift);
        backward(w, batch.left(), batch.right(), n);
        return value;
    }

    @Override
    public Evaluation evaluate(Examples data, Loss loss) {
        return head.evaluate(data, loss, this::forwardChunk);
    }

    @Override
    public INDArray logits(int[] left, int[] right) {
        return head.logits(left, right, dataType, this::forwardChunk);
    }

    /** Pairs {@code start..start+n-1} through the network in a workspace of n rows, for {@link OutputHead}. */
    private HostView forwardChunk(int[] left, int[] right, int start, int n) {
        Workspace w = workspace(n, false);
        forward(w, left, right, start, n);
        return w.logitsView;
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
                MlpKernels.gatherOneHot(table, ra, rb, row, 0, h);
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
                    MlpKernels.biasSquare(a, b, 0, bias, h);
                    pre.write(a, 0, i * h, h);
                    post.write(b, 0, i * h, h);
                }
            });
        } else {
            lanes.run(n, (lane, from, to) -> {
                double[] a = lane.rowA;
                for (int i = from; i < to; i++) {
                    post.read(i * h, a, 0, h);
                    MlpKernels.biasRelu(a, 0, bias, h);
                    post.write(a, 0, i * h, h);
                }
            });
        }
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
                MlpKernels.activationBackward(a, b, 0, h, quadratic, acc);
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
                MlpKernels.scatterEmbedding(a, 0, e, left[i] * e, right[i] * e, acc);
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
                MlpKernels.scatterOneHot(row, 0, h, left[i] * h, (elements + right[i]) * h, acc);
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
    }

    /** target[c] = Σ over lanes, in order, of lane.accumulator[c]. */
    private void writeLaneSums(int width, HostView target) {
        double[] sum = rowBias; // the staged bias is no longer needed by the time gradients are summed
        lanes.sum(lane -> lane.accumulator, sum, width);
        target.write(sum, 0, 0, width);
    }

    /** target = Σ over lanes, in order, of lane.firstLayer. */
    private void writeFirstLayerSums(HostView target) {
        double[] sum = firstLayerTable; // the staged table is no longer needed during the backward pass
        lanes.sum(lane -> lane.firstLayer, sum, sum.length);
        target.write(sum, 0, 0, sum.length);
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
        return buffers.floats();
    }

    private INDArray buffer(long rows, long columns) {
        return buffers.matrix(rows, columns);
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
