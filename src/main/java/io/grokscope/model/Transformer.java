package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A decoder-only transformer over one equation, read at its last ("=") position: Nanda et al. (2023) with one block
 * and no LayerNorm, Power et al. (2022) with post-LN blocks, the Grokfast model with pre-LN blocks and GELU.
 *
 * <h2>Tokens</h2>
 * Operands are tokens 0..p-1 (p = elements), "=" is token p and, for {@link SequenceFormat#A_OP_B_EQ}, the operator
 * is token p+1. A sequence is {@code a b =} (3 positions) or {@code a op b =} (4 positions). The answer classes are
 * the p elements only (W_U has p columns): "=" and "op" are never answers, so giving them logits would only add
 * classes the loss must learn to suppress.
 *
 * <h2>Parameters (in this order, which is also the order of the flat buffer and of the initialisation draws)</h2>
 * Names follow TransformerLens / Nanda's code, so analysis can ask for {@code W_E} and {@code W_U} whatever the depth.
 * <ul>
 *   <li>{@code W_E} {@code [vocab, dModel]}, {@code W_pos} {@code [nCtx, dModel]};</li>
 *   <li>per block l: {@code blocks.l.ln1.w}, {@code blocks.l.ln1.b} (LayerNorm only), {@code blocks.l.attn.W_Q},
 *       {@code W_K}, {@code W_V} {@code [dModel, dModel]} (column block h·dHead.. is head h),
 *       {@code blocks.l.attn.W_O} {@code [dModel, dModel]} (row block h is head h's output),
 *       {@code blocks.l.ln2.w}, {@code blocks.l.ln2.b} (LayerNorm only), {@code blocks.l.mlp.W_in}
 *       {@code [dModel, dMlp]}, {@code blocks.l.mlp.b_in}, {@code blocks.l.mlp.W_out} {@code [dMlp, dModel]},
 *       {@code blocks.l.mlp.b_out};</li>
 *   <li>{@code ln_final.w}, {@code ln_final.b} (the pre-LN placements {@link LayerNormPlacement#PRE} and
 *       {@link LayerNormPlacement#PRE_NORMALISED_STREAM} only), {@code W_U}
 *       {@code [dModel, elements]}, no bias.</li>
 * </ul>
 * As in {@link Mlp}, weights are stored {@code [in, out]} so that each forward product is a plain {@code x·W}.
 *
 * <h2>The block</h2>
 * Attention: per head, scores q·k/√dHead, causal (a position attends to itself and earlier ones), softmax, weighted
 * sum of values; the heads' outputs are concatenated and multiplied by W_O. MLP: act(x·W_in + b_in)·W_out + b_out
 * with ReLU or GELU — the exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2, torch's default {@code nn.GELU()}, not the tanh
 * approximation. LayerNorm (learned gain and bias, biased variance, eps 1e-5, as torch):
 * <ul>
 *   <li>{@link LayerNormPlacement#NONE}: x ← x + attn(x); x ← x + mlp(x);</li>
 *   <li>{@link LayerNormPlacement#PRE}: x ← x + attn(LN1(x)); x ← x + mlp(LN2(x)); a final LN before W_U;</li>
 *   <li>{@link LayerNormPlacement#PRE_NORMALISED_STREAM}: x ← LN1(x); x ← x + attn(x); x ← x + mlp(LN2(x)); a final
 *       LN before W_U. The Grokfast reference's block: the stream entering each block is replaced by its
 *       normalised self, so neither the embeddings' scale nor the previous block's reaches past LN1;</li>
 *   <li>{@link LayerNormPlacement#POST}: x ← LN1(x + attn(x)); x ← LN2(x + mlp(x)).</li>
 * </ul>
 *
 * <h2>Initialisation</h2>
 * {@link TransformerInit#NANDA}, Nanda et al.'s: W_E ~ N(0,1)/√dModel, W_U ~ N(0,1)/√vocab, every other weight
 * (W_pos, W_Q, W_K, W_V, W_O, W_in, W_out) ~ N(0,1)/√dModel, biases 0, LayerNorm gains 1 and biases 0.
 * <p>{@link TransformerInit#TORCH_DEFAULT}, what the PyTorch modules of the Grokfast reference draw by default:
 * W_E, W_pos ~ N(0,1) ({@code nn.Embedding}); W_Q, W_K, W_V ~ U(±√(6/(dModel + 3·dModel))) (Xavier-uniform over
 * {@code nn.MultiheadAttention}'s packed [3·dModel, dModel] input projection); W_O ~ U(±1/√dModel) (its output
 * {@code nn.Linear}, bias 0); W_in, b_in ~ U(±1/√dModel) and W_out, b_out ~ U(±1/√dMlp) ({@code nn.Linear}: weight
 * and bias U(±1/√fan_in)); W_U ~ U(±1/√dModel) ({@code nn.Linear} without bias); LayerNorm gains 1 and biases 0.
 * <p>Either way every parameter is then multiplied by {@link TransformerSpec#initScale()} (Omnigrok's alpha, which
 * therefore also scales the LayerNorm gains). Draws come from one {@link SeededRandom} in parameter order,
 * row-major (a Gaussian or a uniform per element); constant tensors consume no draws.
 *
 * <h2>Losses</h2>
 * The shared {@link OutputHead}, as {@link Mlp} (without an output bias): mean softmax cross-entropy over the
 * elements, or torch's {@code MSELoss()} against one-hot targets (mean over all n·elements entries). Accuracy counts
 * the first maximal logit.
 *
 * <h2>Parts</h2>
 * This class owns the embeddings, the order of the blocks, the final LayerNorm and W_U; each {@link TransformerBlock}
 * composes {@link Attention}, {@link FeedForward} and {@link LayerNorm}s; the activations of one batch size live in a
 * {@link TransformerWorkspace}.
 *
 * <h2>Speed: the last position alone reaches the loss</h2>
 * In the LAST block only the "=" position's output matters, and it depends on the other positions only through their
 * keys and values. So the last block computes keys and values for all positions but the query, the attention
 * output, W_O, the MLP (and the final LayerNorm and W_U) for the last position alone: the same loss and gradients at
 * about half the work (Nanda's model: 6.37 instead of 13.9 GFLOP per step). Earlier blocks must produce every
 * position, because the last block's keys and values read them.
 *
 * <p>The residual stream is stored position-major (row t·n + i is position t of example i), so the last position of
 * a batch is one contiguous block of rows, which BLAS reads and writes in place as a view. Matrix products go to
 * BLAS ({@code Nd4j.gemm} into buffers preallocated per batch size, transposes by flag, accumulation through
 * beta = 1), keys and values as one product with [W_K | W_V]; embedding gather and scatter, attention (tiny: at most
 * 4 positions), LayerNorm, bias plus activation (branch-free) and the fused softmax cross-entropy are Java loops
 * over rows staged in double[] through {@link HostView#read} and {@link HostView#write}. Every reduction outside
 * BLAS runs in a fixed order in double, so a run is reproducible bit for bit at a fixed BLAS thread count. Two
 * element-wise ND4J ops remain, one call each over a whole array: exp inside the cross-entropy (a Java loop of
 * Math.exp was the slowest part of the loss) and erf for GELU (Java has none). Both act element by element, so their
 * results do not depend on the thread count.
 */
public final class Transformer implements Model {

    /** Evaluation runs in chunks of at most this many examples, so that the full p² table needs no huge buffers. */
    static final int EVAL_CHUNK = Models.EVAL_CHUNK;

    private final TransformerSpec spec;
    private final TransformerWorkspace.Shape shape;
    private final int elements;
    private final int vocab;
    private final int ctx;
    private final int d;
    private final int layers;
    private final DataType dataType;
    private final Parameters parameters;

    private final INDArray embed;
    private final HostView embedView;
    private final HostView embedGradView;
    private final HostView posView;
    private final HostView posGradView;
    private final TransformerBlock[] blocks;
    private final LayerNorm finalNorm; // pre-LN placements only
    private final INDArray unembed;
    private final INDArray unembedGradient;
    private final OutputHead head;

    /**
     * The embedding kernels split their examples into two fixed lanes (see {@link Lanes}): partial sums are combined
     * in lane order, so the results are the same with or without a second core.
     */
    private final Lanes<Lane> lanes;
    private final double[] embedCache; // W_E and W_pos staged once per forward pass
    private final double[] posCache;

    private final Map<Integer, TransformerWorkspace> workspaces = new HashMap<>();
    private final Buffers buffers;

    Transformer(TransformerSpec spec, int elements, DataType dataType, long seed) {
        if (elements < 2) {
            throw new IllegalArgumentException("elements must be >= 2, was " + elements);
        }
        this.spec = spec;
        this.shape = TransformerWorkspace.Shape.of(spec, elements);
        this.elements = elements;
        this.vocab = vocabulary(spec, elements);
        this.ctx = context(spec);
        this.d = spec.dModel();
        this.layers = spec.layers();
        this.dataType = dataType;

        this.parameters = Parameters.allocate(shapes(spec, elements), dataType);
        initialise(new SeededRandom(seed));

        this.embed = parameters.get("W_E");
        this.embedView = HostView.of(embed);
        this.embedGradView = HostView.of(parameters.gradient("W_E"));
        this.posView = HostView.of(parameters.get("W_pos"));
        this.posGradView = HostView.of(parameters.gradient("W_pos"));
        this.blocks = new TransformerBlock[layers];
        for (int l = 0; l < layers; l++) {
            blocks[l] = new TransformerBlock(parameters, spec, l, dataType);
        }
        this.finalNorm = shape.preNorm() ? new LayerNorm(parameters, "ln_final", d) : null;
        this.unembed = parameters.get("W_U");
        this.unembedGradient = parameters.gradient("W_U");
        this.head = new OutputHead(elements, null, null);

        this.lanes = new Lanes<>(Lane::new);
        this.embedCache = new double[vocab * d];
        this.posCache = new double[ctx * d];
        this.buffers = new Buffers(dataType);
    }

    /** Input tokens: the elements, "=", and the operator token for {@link SequenceFormat#A_OP_B_EQ}. */
    static int vocabulary(TransformerSpec spec, int elements) {
        return spec.sequence() == SequenceFormat.A_OP_B_EQ ? elements + 2 : elements + 1;
    }

    /** Positions per sequence. */
    static int context(TransformerSpec spec) {
        return spec.sequence() == SequenceFormat.A_OP_B_EQ ? 4 : 3;
    }

    /** The parameter names and shapes of a transformer, in buffer order. */
    static Map<String, long[]> shapes(TransformerSpec spec, int elements) {
        long d = spec.dModel();
        long m = spec.dMlp();
        boolean layerNorm = spec.layerNorm() != LayerNormPlacement.NONE;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("W_E", new long[] {vocabulary(spec, elements), d});
        shapes.put("W_pos", new long[] {context(spec), d});
        for (int l = 0; l < spec.layers(); l++) {
            String b = "blocks." + l + ".";
            if (layerNorm) {
                shapes.put(b + "ln1.w", new long[] {d});
                shapes.put(b + "ln1.b", new long[] {d});
            }
            shapes.put(b + "attn.W_Q", new long[] {d, d});
            shapes.put(b + "attn.W_K", new long[] {d, d});
            shapes.put(b + "attn.W_V", new long[] {d, d});
            shapes.put(b + "attn.W_O", new long[] {d, d});
            if (layerNorm) {
                shapes.put(b + "ln2.w", new long[] {d});
                shapes.put(b + "ln2.b", new long[] {d});
            }
            shapes.put(b + "mlp.W_in", new long[] {d, m});
            shapes.put(b + "mlp.b_in", new long[] {m});
            shapes.put(b + "mlp.W_out", new long[] {m, d});
            shapes.put(b + "mlp.b_out", new long[] {d});
        }
        if (spec.layerNorm().normalisesBeforeSublayers()) {
            shapes.put("ln_final.w", new long[] {d});
            shapes.put("ln_final.b", new long[] {d});
        }
        shapes.put("W_U", new long[] {d, elements});
        return shapes;
    }

    private void initialise(SeededRandom random) {
        double alpha = spec.initScale();
        boolean torch = spec.init() == TransformerInit.TORCH_DEFAULT;
        for (Map.Entry<String, INDArray> entry : parameters.named().entrySet()) {
            String name = entry.getKey();
            HostView view = HostView.of(entry.getValue());
            if (name.endsWith(".w")) { // LayerNorm gain
                view.fill(alpha);
            } else if (name.endsWith(".b")) { // LayerNorm bias
                view.fill(0.0);
            } else if (!torch) {
                if (name.endsWith(".b_in") || name.endsWith(".b_out")) {
                    view.fill(0.0);
                } else {
                    double std = alpha / Math.sqrt(name.equals("W_U") ? vocab : d);
                    for (int i = 0; i < view.length(); i++) {
                        view.set(i, std * random.nextGaussian());
                    }
                }
            } else if (name.equals("W_E") || name.equals("W_pos")) {
                for (int i = 0; i < view.length(); i++) {
                    view.set(i, alpha * random.nextGaussian());
                }
            } else {
                double bound = alpha * torchUniformBound(name);
                for (int i = 0; i < view.length(); i++) {
                    view.set(i, random.uniform(-bound, bound));
                }
            }
        }
    }

    /** The half-width of a {@link TransformerInit#TORCH_DEFAULT} uniform tensor (see the class comment). */
    private double torchUniformBound(String name) {
        if (name.endsWith("attn.W_Q") || name.endsWith("attn.W_K") || name.endsWith("attn.W_V")) {
            return Math.sqrt(6.0 / (d + 3.0 * d));
        }
        if (name.endsWith("mlp.W_out") || name.endsWith("mlp.b_out")) {
            return 1.0 / Math.sqrt(spec.dMlp());
        }
        return 1.0 / Math.sqrt(d); // W_O, W_in, b_in, W_U: fan_in dModel
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
    public TransformerSpec spec() {
        return spec;
    }

    @Override
    public double lossAndGradients(Examples batch, Loss loss) {
        int n = batch.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        TransformerWorkspace w = workspace(n, true);
        forward(w, batch.left(), batch.right(), 0, true);
        double value = head.lossAndGradient(loss, w.logitsView, w.logitGradView, batch.answer(), n, w.answerShift);
        backward(w, batch.left(), batch.right());
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
        TransformerWorkspace w = workspace(n, false);
        forward(w, left, right, start, false);
        return w.logitsView;
    }

    /** W_E's rows for the p element tokens (not "=" or "op"): a view into the parameters. */
    @Override
    public INDArray tokenEmbedding() {
        return embed.get(NDArrayIndex.interval(0, elements), NDArrayIndex.all());
    }

    /**
     * W_L = (W_out · W_U)ᵀ {@code [elements, dMlp]} of the last block: how each last-block neuron writes into each
     * answer logit (exact for Nanda's model, which has no final LayerNorm). A fresh array.
     */
    @Override
    public INDArray logitMap() {
        INDArray map = Nd4j.create(dataType, elements, spec.dMlp());
        Nd4j.gemm(unembed, blocks[layers - 1].mlpOutputWeights(), map, true, true, 1.0, 0.0);
        return map;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward

    /** Examples {@code start..start+w.n-1} through the network; leaves every activation and the logits in w. */
    private void forward(TransformerWorkspace w, int[] left, int[] right, int start, boolean training) {
        gatherEmbeddings(w, left, right, start);
        for (int l = 0; l < layers; l++) {
            blocks[l].forward(w.layer[l], training);
        }
        TransformerWorkspace.Layer last = w.last();
        if (finalNorm != null) {
            finalNorm.forward(last.outView, w.finView, w.n, w.finMean, w.finRstd);
            Nd4j.gemm(w.fin, unembed, w.logits, false, false, 1.0, 0.0);
        } else {
            Nd4j.gemm(last.out, unembed, w.logits, false, false, 1.0, 0.0);
        }
    }

    /** x0[t·n + i] = W_E[token(i, t)] + W_pos[t]. */
    private void gatherEmbeddings(TransformerWorkspace w, int[] left, int[] right, int start) {
        int n = w.n;
        for (int i = 0; i < n; i++) {
            checkToken(left[start + i]);
            checkToken(right[start + i]);
        }
        HostView x = w.layer[0].xInView;
        embedView.read(0, embedCache, 0, vocab * d);
        posView.read(0, posCache, 0, ctx * d);
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.row;
            for (int t = 0; t < ctx; t++) {
                int pos = t * d;
                for (int i = from; i < to; i++) {
                    int e = token(t, left[start + i], right[start + i]) * d;
                    for (int c = 0; c < d; c++) {
                        row[c] = embedCache[e + c] + posCache[pos + c];
                    }
                    x.write(row, 0, (t * n + i) * d, d);
                }
            }
        });
    }

    /** The token at position t of "a b =" or "a op b =". */
    private int token(int t, int a, int b) {
        if (t == ctx - 1) {
            return elements; // "="
        }
        if (t == 0) {
            return checkToken(a);
        }
        if (ctx == 4 && t == 1) {
            return elements + 1; // "op"
        }
        return checkToken(b);
    }

    private int checkToken(int token) {
        if (token < 0 || token >= elements) {
            throw new IllegalArgumentException("token " + token + " outside 0.." + (elements - 1));
        }
        return token;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward

    private void backward(TransformerWorkspace w, int[] left, int[] right) {
        TransformerWorkspace.Layer last = w.last();
        Nd4j.gemm(finalNorm != null ? w.fin : last.out, w.logitGrad, unembedGradient, true, false, 1.0, 0.0);
        Nd4j.gemm(w.logitGrad, unembed, w.dFinal, false, true, 1.0, 0.0);
        if (finalNorm != null) {
            finalNorm.backward(last.outView, w.dFinalView, w.n, w.finMean, w.finRstd);
        }
        for (int l = layers - 1; l >= 0; l--) {
            boolean isLast = l == layers - 1;
            blocks[l].backward(w.layer[l], isLast ? w.dFinal : w.layer[l + 1].dIn,
                    isLast ? w.dFinalView : w.layer[l + 1].dInView);
        }
        scatterEmbeddings(w, left, right);
    }

    /** dW_E[token(i, t)] += dx0[t·n + i]; dW_pos[t] += Σ_i dx0[t·n + i]; in double, in row order per lane. */
    private void scatterEmbeddings(TransformerWorkspace w, int[] left, int[] right) {
        int n = w.n;
        HostView dx = w.layer[0].dInView;
        lanes.run(n, (lane, from, to) -> {
            double[] embedAcc = lane.embedAccumulator;
            double[] posAcc = lane.posAccumulator;
            Arrays.fill(embedAcc, 0.0);
            Arrays.fill(posAcc, 0.0);
            double[] row = lane.row;
            for (int t = 0; t < ctx; t++) {
                int pos = t * d;
                for (int i = from; i < to; i++) {
                    int e = token(t, left[i], right[i]) * d;
                    dx.read((t * n + i) * d, row, 0, d);
                    for (int c = 0; c < d; c++) {
                        embedAcc[e + c] += row[c];
                        posAcc[pos + c] += row[c];
                    }
                }
            }
        });
        double[] embed = embedCache; // free during the backward pass
        double[] pos = posCache;
        lanes.sum(lane -> lane.embedAccumulator, embed, embed.length);
        lanes.sum(lane -> lane.posAccumulator, pos, pos.length);
        embedGradView.write(embed, 0, 0, embed.length);
        posGradView.write(pos, 0, 0, pos.length);
    }

    /** One lane's scratch for the embedding kernels. */
    private final class Lane {
        final double[] row = new double[d];
        final double[] embedAccumulator = new double[vocab * d];
        final double[] posAccumulator = new double[ctx * d];
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Buffers

    private TransformerWorkspace workspace(int n, boolean training) {
        TransformerWorkspace w = workspaces.computeIfAbsent(n, size -> new TransformerWorkspace(shape, buffers, size));
        if (training) {
            w.ensureTraining();
        }
        return w;
    }

    /**
     * Elements of the workspace buffers of one batch size (see {@link TransformerWorkspace#floats}), forward only or
     * with the training buffers too. The memory estimate of a run is built on this.
     */
    static long workspaceFloats(TransformerSpec spec, int elements, long n, boolean training) {
        return TransformerWorkspace.floats(TransformerWorkspace.Shape.of(spec, elements), n, training);
    }

    /** Elements of the per-block copies of [W_K | W_V] and their gradients, allocated once with the model. */
    static long blockScratchFloats(TransformerSpec spec) {
        return spec.layers() * 4L * spec.dModel() * spec.dModel();
    }

    /** Elements allocated for workspaces so far, for tests of the static {@code workspaceFloats}. */
    long workspaceFloats() {
        return buffers.floats();
    }
}
