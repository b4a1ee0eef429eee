package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
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
 * Exactly as {@link Mlp}: mean softmax cross-entropy over the elements, or torch's {@code MSELoss()} against one-hot
 * targets (mean over all n·elements entries). Accuracy counts the first maximal logit.
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

    /** torch's LayerNorm default. */
    static final double LN_EPS = 1e-5;

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private final TransformerSpec spec;
    private final int elements;
    private final int vocab;
    private final int ctx;
    private final int d;
    private final int heads;
    private final int dHead;
    private final int dMlp;
    private final int layers;
    private final LayerNormPlacement norm;
    private final boolean preNorm; // PRE or PRE_NORMALISED_STREAM: LN1 and LN2 before the sublayers, a final LN
    private final boolean streamNorm; // PRE_NORMALISED_STREAM: LN1's output is also the attention's residual
    private final boolean gelu;
    private final DataType dataType;
    private final Parameters parameters;

    private final INDArray embed;
    private final HostView embedView;
    private final HostView embedGradView;
    private final HostView posView;
    private final HostView posGradView;
    private final Block[] blocks;
    private final Norm finalNorm; // pre-LN placements only
    private final INDArray unembed;
    private final INDArray unembedGradient;

    // Scratch, reused every step: per-lane rows and accumulators, and vectors staged once per kernel (read-only
    // inside the lanes).
    /**
     * The Java kernels split their rows (or examples) into two fixed lanes (see {@link Lanes}): partial sums are
     * combined in lane order, so the results are the same with or without a second core.
     */
    private final Lanes<Lane> lanes;
    private final double[] vector; // a bias, staged once per kernel call
    private final double[] embedCache; // W_E and W_pos staged once per forward pass
    private final double[] posCache;

    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    private long workspaceFloats; // every element allocated for workspaces so far, checked against workspaceFloats(...)

    Transformer(TransformerSpec spec, int elements, DataType dataType, long seed) {
        if (elements < 2) {
            throw new IllegalArgumentException("elements must be >= 2, was " + elements);
        }
        this.spec = spec;
        this.elements = elements;
        this.vocab = vocabulary(spec, elements);
        this.ctx = context(spec);
        this.d = spec.dModel();
        this.heads = spec.heads();
        this.dHead = d / heads;
        this.dMlp = spec.dMlp();
        this.layers = spec.layers();
        this.norm = spec.layerNorm();
        this.preNorm = norm.normalisesBeforeSublayers();
        this.streamNorm = norm == LayerNormPlacement.PRE_NORMALISED_STREAM;
        this.gelu = spec.activation() == Activation.GELU;
        this.dataType = dataType;

        this.parameters = Parameters.allocate(shapes(spec, elements), dataType);
        initialise(new SeededRandom(seed));

        this.embed = parameters.get("W_E");
        this.embedView = HostView.of(embed);
        this.embedGradView = HostView.of(parameters.gradient("W_E"));
        this.posView = HostView.of(parameters.get("W_pos"));
        this.posGradView = HostView.of(parameters.gradient("W_pos"));
        this.blocks = new Block[layers];
        for (int l = 0; l < layers; l++) {
            blocks[l] = new Block(l);
        }
        this.finalNorm = preNorm ? new Norm("ln_final") : null;
        this.unembed = parameters.get("W_U");
        this.unembedGradient = parameters.gradient("W_U");

        this.lanes = new Lanes<>(Lane::new);
        this.vector = new double[Math.max(d, dMlp)];
        this.embedCache = new double[vocab * d];
        this.posCache = new double[ctx * d];
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
            return 1.0 / Math.sqrt(dMlp);
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
        Workspace w = workspace(n, true);
        forward(w, batch.left(), batch.right(), 0, true);
        double value = loss == Loss.CROSS_ENTROPY
                ? crossEntropyAndGradient(w, batch.answer())
                : squaredErrorAndGradient(w, batch.answer());
        backward(w, batch.left(), batch.right());
        return value;
    }

    @Override
    public Evaluation evaluate(Examples data, Loss loss) {
        int total = data.size();
        if (total == 0) {
            return new Evaluation(Double.NaN, Double.NaN);
        }
        double lossSum = 0;
        long correct = 0;
        int[] answer = data.answer();
        for (int start = 0; start < total; start += EVAL_CHUNK) {
            int n = Math.min(EVAL_CHUNK, total - start);
            Workspace w = workspace(n, false);
            forward(w, data.left(), data.right(), start, false);
            int offset = start;
            lanes.run(n, (lane, from, to) -> {
                double[] z = lane.rowX;
                double sum = 0;
                long hits = 0;
                for (int i = from; i < to; i++) {
                    w.logitsView.read(i * elements, z, 0, elements);
                    int y = answer[offset + i];
                    int best = 0;
                    double bestValue = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < elements; j++) {
                        if (z[j] > bestValue) {
                            bestValue = z[j];
                            best = j;
                        }
                    }
                    if (best == y) {
                        hits++;
                    }
                    if (loss == Loss.CROSS_ENTROPY) {
                        double e = 0;
                        for (int j = 0; j < elements; j++) {
                            e += Math.exp(z[j] - bestValue);
                        }
                        sum += bestValue + Math.log(e) - z[y];
                    } else {
                        double rowSum = 0;
                        for (int j = 0; j < elements; j++) {
                            double e = z[j] - (j == y ? 1.0 : 0.0);
                            rowSum += e * e;
                        }
                        sum += rowSum / elements;
                    }
                }
                lane.total = sum;
                lane.count = hits;
            });
            for (Lane lane : lanes.all()) {
                lossSum += lane.total;
                correct += lane.count;
            }
        }
        return new Evaluation(lossSum / total, (double) correct / total);
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
            forward(w, left, right, start, false);
            w.logitsView.copyTo(0, target, start * elements, n * elements);
        }
        return out;
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
        INDArray map = Nd4j.create(dataType, elements, dMlp);
        Nd4j.gemm(unembed, blocks[layers - 1].wOut, map, true, true, 1.0, 0.0);
        return map;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward

    /** Examples {@code start..start+w.n-1} through the network; leaves every activation and the logits in w. */
    private void forward(Workspace w, int[] left, int[] right, int start, boolean training) {
        gatherEmbeddings(w, left, right, start);
        for (int l = 0; l < layers; l++) {
            blockForward(blocks[l], w.layer[l], training);
        }
        Layer last = w.layer[layers - 1];
        if (finalNorm != null) {
            finalNorm.forward(last.outView, w.finView, w.n, w.finMean, w.finRstd);
            gemm(w.fin, unembed, w.logits, false, false, 0.0);
        } else {
            gemm(last.out, unembed, w.logits, false, false, 0.0);
        }
    }

    /** x0[t·n + i] = W_E[token(i, t)] + W_pos[t]. */
    private void gatherEmbeddings(Workspace w, int[] left, int[] right, int start) {
        int n = w.n;
        for (int i = 0; i < n; i++) {
            checkToken(left[start + i]);
            checkToken(right[start + i]);
        }
        HostView x = w.layer[0].xInView;
        embedView.read(0, embedCache, 0, vocab * d);
        posView.read(0, posCache, 0, ctx * d);
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowX;
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

    private void blockForward(Block b, Layer f, boolean training) {
        int nq = f.nq;
        if (preNorm) {
            b.ln1.forward(f.xInView, f.attnInView, f.rows, f.ln1Mean, f.ln1Rstd);
        }
        b.fuseKeyValueWeights();
        gemm(f.attnIn, b.wKV, f.kv, false, false, 0.0);
        gemm(f.attnInQ, b.wQ, f.q, false, false, 0.0);
        attentionForward(f);
        gemm(f.z, b.wO, f.s1, false, false, 0.0);
        addInto(f.s1View, streamNorm ? f.attnInQView : f.xqView, nq * d);
        if (norm == LayerNormPlacement.POST) {
            b.ln1.forward(f.s1View, f.midView, nq, f.s1Mean, f.s1Rstd);
        } else if (preNorm) {
            b.ln2.forward(f.midView, f.mlpInView, nq, f.midMean, f.midRstd);
        }
        if (gelu) {
            gemm(f.mlpIn, b.wIn, f.pre, false, false, 0.0);
            geluForward(b, f, training);
        } else {
            gemm(f.mlpIn, b.wIn, f.hidden, false, false, 0.0);
            reluForward(b, f);
        }
        gemm(f.hidden, b.wOut, f.s2, false, false, 0.0);
        HostView s2 = f.s2View;
        HostView mid = f.midView;
        double[] bias = vector;
        b.bOut.read(0, bias, 0, d);
        lanes.run(nq, (lane, from, to) -> {
            double[] sum = lane.rowX;
            double[] residual = lane.rowY;
            for (int r = from; r < to; r++) {
                s2.read(r * d, sum, 0, d);
                mid.read(r * d, residual, 0, d);
                for (int c = 0; c < d; c++) {
                    sum[c] += bias[c] + residual[c];
                }
                s2.write(sum, 0, r * d, d);
            }
        });
        if (norm == LayerNormPlacement.POST) {
            b.ln2.forward(f.s2View, f.outView, nq, f.s2Mean, f.s2Rstd);
        }
    }

    /**
     * Causal softmax attention of the query rows (all positions, or the last one) over the keys and values of every
     * position of the same example; keeps the probabilities for the backward pass. One example at a time, its rows
     * staged in double[] scratch (see {@link HostView#read}).
     */
    private void attentionForward(Layer f) {
        lanes.run(f.n, (lane, from, to) -> attentionForward(f, lane, from, to));
    }

    private void attentionForward(Layer f, Lane lane, int from, int to) {
        int n = f.n;
        int stride = 2 * d;
        HostView q = f.qView;
        HostView kv = f.kvView; // row r: key at r·2d, value at r·2d + d
        HostView z = f.zView;
        double[] probs = f.probs;
        double[] kvRows = lane.keyValues; // [s][2d]
        double[] qRow = lane.row1;
        double[] zRow = lane.row2;
        double[] scores = lane.scores;
        double scale = 1.0 / Math.sqrt(dHead);
        for (int i = from; i < to; i++) {
            for (int s = 0; s < ctx; s++) {
                kv.read((s * n + i) * stride, kvRows, s * stride, stride);
            }
            for (int t = f.qStart; t < ctx; t++) {
                int qr = (t - f.qStart) * n + i;
                q.read(qr * d, qRow, 0, d);
                for (int h = 0; h < heads; h++) {
                    int col = h * dHead;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        int ko = s * stride + col;
                        double dot = 0;
                        for (int c = 0; c < dHead; c++) {
                            dot += qRow[col + c] * kvRows[ko + c];
                        }
                        double score = dot * scale;
                        scores[s] = score;
                        max = Math.max(max, score);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        double e = Math.exp(scores[s] - max);
                        scores[s] = e;
                        sum += e;
                    }
                    int po = (qr * heads + h) * ctx;
                    Arrays.fill(zRow, col, col + dHead, 0.0);
                    for (int s = 0; s <= t; s++) {
                        double p = scores[s] / sum;
                        probs[po + s] = p;
                        int vo = s * stride + d + col;
                        for (int c = 0; c < dHead; c++) {
                            zRow[col + c] += p * kvRows[vo + c];
                        }
                    }
                }
                z.write(zRow, 0, qr * d, d);
            }
        }
    }

    /**
     * hidden = max(0, hidden + b_in), in place (the product landed in hidden). Written as (z + |z|)/2, which is exact
     * and compiles without a branch: pre-activation signs are random, and a mispredicted branch per element made this
     * pass 5x slower (9 ms instead of under 2 on 3830x512).
     */
    private void reluForward(Block b, Layer f) {
        HostView hidden = f.hiddenView;
        double[] bias = vector;
        b.bIn.read(0, bias, 0, dMlp);
        lanes.run(f.nq, (lane, from, to) -> {
            double[] row = lane.rowX;
            for (int r = from; r < to; r++) {
                hidden.read(r * dMlp, row, 0, dMlp);
                for (int j = 0; j < dMlp; j++) {
                    double z = row[j] + bias[j];
                    row[j] = 0.5 * (z + Math.abs(z)); // = max(z, 0) exactly, without a branch
                }
                hidden.write(row, 0, r * dMlp, dMlp);
            }
        });
    }

    /**
     * hidden = z·Φ(z) with z = pre + b_in and Φ(z) = (1 + erf(z/√2))/2; erf runs as one ND4J op over the layer. In
     * training, pre is then overwritten with the derivative Φ(z) + z·φ(z) for the backward pass.
     */
    private void geluForward(Block b, Layer f, boolean training) {
        HostView pre = f.preView;
        HostView erf = f.erfView;
        HostView hidden = f.hiddenView;
        double[] bias = vector;
        b.bIn.read(0, bias, 0, dMlp);
        int nq = f.nq;
        lanes.run(nq, (lane, from, to) -> {
            double[] z = lane.rowX;
            double[] u = lane.rowY;
            for (int r = from; r < to; r++) {
                pre.read(r * dMlp, z, 0, dMlp);
                for (int j = 0; j < dMlp; j++) {
                    z[j] += bias[j];
                    u[j] = z[j] * INV_SQRT2;
                }
                pre.write(z, 0, r * dMlp, dMlp);
                erf.write(u, 0, r * dMlp, dMlp);
            }
        });
        Nd4j.exec(new Erf(f.erf, f.erf));
        lanes.run(nq, (lane, from, to) -> {
            double[] z = lane.rowX;
            double[] u = lane.rowY;
            double[] phi = lane.rowZ;
            for (int r = from; r < to; r++) {
                pre.read(r * dMlp, z, 0, dMlp);
                erf.read(r * dMlp, phi, 0, dMlp);
                for (int j = 0; j < dMlp; j++) {
                    phi[j] = 0.5 * (1.0 + phi[j]);
                    u[j] = z[j] * phi[j];
                }
                hidden.write(u, 0, r * dMlp, dMlp);
                if (training) {
                    for (int j = 0; j < dMlp; j++) {
                        z[j] = phi[j] + z[j] * INV_SQRT_2PI * Math.exp(-0.5 * z[j] * z[j]);
                    }
                    pre.write(z, 0, r * dMlp, dMlp);
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Losses, fused with the gradient into the logits (as Mlp, without an output bias)

    /**
     * Mean softmax cross-entropy and its gradient (softmax - one-hot)/n into w.logitGrad. The exponentials run as
     * one ND4J op over the shifted logits: n·elements calls of Math.exp took ~6 ms per Nanda step, the vectorised op
     * well under 1; element-wise, it gives the same values whatever the thread count.
     */
    private double crossEntropyAndGradient(Workspace w, int[] answer) {
        int n = w.n;
        HostView z = w.logitsView;
        HostView dz = w.logitGradView;
        double[] max = w.rowMax;
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowX;
            for (int i = from; i < to; i++) {
                z.read(i * elements, row, 0, elements);
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < elements; j++) {
                    m = Math.max(m, row[j]);
                }
                max[i] = m;
                for (int j = 0; j < elements; j++) {
                    row[j] -= m;
                }
                dz.write(row, 0, i * elements, elements);
            }
        });
        Nd4j.exec(new Exp(w.logitGrad, w.logitGrad));
        double invN = 1.0 / n;
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowX;
            double total = 0;
            for (int i = from; i < to; i++) {
                dz.read(i * elements, row, 0, elements);
                double sum = 0;
                for (int j = 0; j < elements; j++) {
                    sum += row[j];
                }
                int y = answer[i];
                total += max[i] + Math.log(sum) - z.get(i * elements + y);
                double scale = invN / sum;
                for (int j = 0; j < elements; j++) {
                    row[j] *= scale;
                }
                row[y] -= invN;
                dz.write(row, 0, i * elements, elements);
            }
            lane.total = total;
        });
        return laneTotal() * invN;
    }

    private double squaredErrorAndGradient(Workspace w, int[] answer) {
        int n = w.n;
        HostView z = w.logitsView;
        HostView dz = w.logitGradView;
        double count = (double) n * elements;
        lanes.run(n, (lane, from, to) -> {
            double[] row = lane.rowX;
            double total = 0;
            for (int i = from; i < to; i++) {
                z.read(i * elements, row, 0, elements);
                int y = answer[i];
                double rowSum = 0;
                for (int j = 0; j < elements; j++) {
                    double e = row[j] - (j == y ? 1.0 : 0.0);
                    rowSum += e * e;
                    row[j] = 2.0 * e / count;
                }
                total += rowSum;
                dz.write(row, 0, i * elements, elements);
            }
            lane.total = total;
        });
        return laneTotal() / count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward

    private void backward(Workspace w, int[] left, int[] right) {
        Layer last = w.layer[layers - 1];
        gemm(finalNorm != null ? w.fin : last.out, w.logitGrad, unembedGradient, true, false, 0.0);
        gemm(w.logitGrad, unembed, w.dFinal, false, true, 0.0);
        if (finalNorm != null) {
            finalNorm.backward(last.outView, w.dFinalView, w.n, w.finMean, w.finRstd);
        }
        for (int l = layers - 1; l >= 0; l--) {
            Layer f = w.layer[l];
            boolean isLast = l == layers - 1;
            blockBackward(blocks[l], f, isLast ? w.dFinal : w.layer[l + 1].dIn,
                    isLast ? w.dFinalView : w.layer[l + 1].dInView);
        }
        scatterEmbeddings(w, left, right);
    }

    /**
     * Given the gradient w.r.t. the block's output rows ({@code dOut}, overwritten as scratch), writes the gradients
     * of the block's parameters and the gradient w.r.t. the block's input, all positions, into {@code f.dIn}.
     */
    private void blockBackward(Block b, Layer f, INDArray dOut, HostView dOutView) {
        int nq = f.nq;
        if (norm == LayerNormPlacement.POST) {
            b.ln2.backward(f.s2View, dOutView, nq, f.s2Mean, f.s2Rstd);
        }
        // dOut = d(mlp out) = d(mid) through the residual.
        columnSums(dOutView, nq, d, b.bOutGrad);
        gemm(f.hidden, dOut, b.wOutGrad, true, false, 0.0);
        gemm(dOut, b.wOut, f.dHidden, false, true, 0.0);
        activationBackward(b, f);
        gemm(f.mlpIn, f.dHidden, b.wInGrad, true, false, 0.0);
        if (preNorm) {
            gemm(f.dHidden, b.wIn, f.dMlpIn, false, true, 0.0);
            b.ln2.backward(f.midView, f.dMlpInView, nq, f.midMean, f.midRstd);
            addInto(dOutView, f.dMlpInView, nq * d);
        } else {
            gemm(f.dHidden, b.wIn, dOut, false, true, 1.0);
        }
        // dOut = d(mid).
        if (norm == LayerNormPlacement.POST) {
            b.ln1.backward(f.s1View, dOutView, nq, f.s1Mean, f.s1Rstd);
        }
        // dOut = d(attention out) = d(residual at the query rows).
        gemm(f.z, dOut, b.wOGrad, true, false, 0.0);
        gemm(dOut, b.wO, f.dZ, false, true, 0.0);
        attentionBackward(f);
        gemm(f.attnInQ, f.dQ, b.wQGrad, true, false, 0.0);
        gemm(f.attnIn, f.dKV, b.wKVGrad, true, false, 0.0);
        b.splitKeyValueGradients();
        gemm(f.dKV, b.wKV, f.dIn, false, true, 0.0);
        gemm(f.dQ, b.wQ, f.dInQ, false, true, 1.0);
        if (streamNorm) {
            // The residual continued from LN1(x), so its gradient joins the attention input's before LN1.
            addInto(f.dInQView, dOutView, nq * d);
            b.ln1.backward(f.xInView, f.dInView, f.rows, f.ln1Mean, f.ln1Rstd);
            return;
        }
        if (preNorm) {
            b.ln1.backward(f.xInView, f.dInView, f.rows, f.ln1Mean, f.ln1Rstd);
        }
        addInto(f.dInQView, dOutView, nq * d);
    }

    /** dHidden ← dHidden · act'(z), and b_in's gradient as its column sums. */
    private void activationBackward(Block b, Layer f) {
        HostView g = f.dHiddenView;
        HostView other = gelu ? f.preView : f.hiddenView; // act'(z) for GELU; relu(z) for ReLU
        lanes.run(f.nq, (lane, from, to) -> {
            double[] acc = lane.accumulator;
            Arrays.fill(acc, 0, dMlp, 0.0);
            double[] gRow = lane.rowX;
            double[] oRow = lane.rowY;
            for (int r = from; r < to; r++) {
                g.read(r * dMlp, gRow, 0, dMlp);
                other.read(r * dMlp, oRow, 0, dMlp);
                if (gelu) {
                    for (int j = 0; j < dMlp; j++) {
                        double v = gRow[j] * oRow[j];
                        gRow[j] = v;
                        acc[j] += v;
                    }
                } else {
                    // Branch-free, as in reluForward: relu(z) >= 0, so its bit pattern is non-zero exactly where the
                    // derivative is 1; (bits | -bits) >> 63 turns that into an all-ones or all-zeros mask for g.
                    for (int j = 0; j < dMlp; j++) {
                        long bits = Double.doubleToRawLongBits(oRow[j]);
                        long mask = (bits | -bits) >> 63;
                        double v = Double.longBitsToDouble(Double.doubleToRawLongBits(gRow[j]) & mask);
                        gRow[j] = v;
                        acc[j] += v;
                    }
                }
                g.write(gRow, 0, r * dMlp, dMlp);
            }
        });
        writeLaneSums(dMlp, b.bInGrad);
    }

    /**
     * From dZ to dQ (query rows) and dK, dV (every row, into dKV). One example at a time, its rows staged in double[]
     * scratch, so that each key's and value's gradient is summed over the queries (in position order, in double) and
     * written once.
     */
    private void attentionBackward(Layer f) {
        lanes.run(f.n, (lane, from, to) -> attentionBackward(f, lane, from, to));
    }

    private void attentionBackward(Layer f, Lane lane, int from, int to) {
        int n = f.n;
        int stride = 2 * d;
        HostView q = f.qView;
        HostView kv = f.kvView;
        HostView dZ = f.dZView;
        HostView dQ = f.dQView;
        HostView dKV = f.dKVView;
        double[] probs = f.probs;
        double[] kvRows = lane.keyValues;
        double[] dkvRows = lane.keyValueGrads;
        double[] qRow = lane.row1;
        double[] dzRow = lane.row2;
        double[] dqRow = lane.row3;
        double[] dp = lane.scores;
        double scale = 1.0 / Math.sqrt(dHead);
        for (int i = from; i < to; i++) {
            for (int s = 0; s < ctx; s++) {
                kv.read((s * n + i) * stride, kvRows, s * stride, stride);
            }
            Arrays.fill(dkvRows, 0.0);
            for (int t = f.qStart; t < ctx; t++) {
                int qr = (t - f.qStart) * n + i;
                q.read(qr * d, qRow, 0, d);
                dZ.read(qr * d, dzRow, 0, d);
                for (int h = 0; h < heads; h++) {
                    int col = h * dHead;
                    int po = (qr * heads + h) * ctx;
                    double weighted = 0;
                    for (int s = 0; s <= t; s++) {
                        int vo = s * stride + d + col;
                        double g = 0;
                        for (int c = 0; c < dHead; c++) {
                            g += dzRow[col + c] * kvRows[vo + c];
                        }
                        dp[s] = g;
                        weighted += probs[po + s] * g;
                    }
                    Arrays.fill(dqRow, col, col + dHead, 0.0);
                    for (int s = 0; s <= t; s++) {
                        double p = probs[po + s];
                        double g = p * (dp[s] - weighted) * scale; // d(loss)/d(score[t, s])
                        int ko = s * stride + col;
                        int vo = ko + d;
                        for (int c = 0; c < dHead; c++) {
                            dqRow[col + c] += g * kvRows[ko + c];
                            dkvRows[ko + c] += g * qRow[col + c];
                            dkvRows[vo + c] += p * dzRow[col + c];
                        }
                    }
                }
                dQ.write(dqRow, 0, qr * d, d);
            }
            for (int s = 0; s < ctx; s++) {
                dKV.write(dkvRows, s * stride, (s * n + i) * stride, stride);
            }
        }
    }

    /** dW_E[token(i, t)] += dx0[t·n + i]; dW_pos[t] += Σ_i dx0[t·n + i]; in double, in row order per lane. */
    private void scatterEmbeddings(Workspace w, int[] left, int[] right) {
        int n = w.n;
        HostView dx = w.layer[0].dInView;
        lanes.run(n, (lane, from, to) -> {
            double[] embedAcc = lane.embedAccumulator;
            double[] posAcc = lane.posAccumulator;
            Arrays.fill(embedAcc, 0.0);
            Arrays.fill(posAcc, 0.0);
            double[] row = lane.rowX;
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
        Arrays.fill(embed, 0.0);
        Arrays.fill(pos, 0.0);
        for (Lane lane : lanes.all()) {
            for (int e = 0; e < embed.length; e++) {
                embed[e] += lane.embedAccumulator[e];
            }
            for (int e = 0; e < pos.length; e++) {
                pos[e] += lane.posAccumulator[e];
            }
        }
        embedGradView.write(embed, 0, 0, embed.length);
        posGradView.write(pos, 0, 0, pos.length);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Small kernels

    private static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double beta) {
        Nd4j.gemm(a, b, c, transposeA, transposeB, 1.0, beta);
    }

    /** target[e] += source[e] for e < count, a row-sized chunk at a time. */
    private void addInto(HostView target, HostView source, int count) {
        int chunk = lanes.all().get(0).rowX.length;
        int chunks = (count + chunk - 1) / chunk;
        lanes.run(chunks, (lane, from, to) -> {
            double[] a = lane.rowX;
            double[] b = lane.rowY;
            for (int k = from; k < to; k++) {
                int start = k * chunk;
                int m = Math.min(chunk, count - start);
                target.read(start, a, 0, m);
                source.read(start, b, 0, m);
                for (int e = 0; e < m; e++) {
                    a[e] += b[e];
                }
                target.write(a, 0, start, m);
            }
        });
    }

    /** target[c] = Σ_r g[r, c], summed in double in row order per lane, lanes in order. */
    private void columnSums(HostView g, int rows, int width, HostView target) {
        lanes.run(rows, (lane, from, to) -> {
            double[] acc = lane.accumulator;
            Arrays.fill(acc, 0, width, 0.0);
            double[] row = lane.rowX;
            for (int r = from; r < to; r++) {
                g.read(r * width, row, 0, width);
                for (int c = 0; c < width; c++) {
                    acc[c] += row[c];
                }
            }
        });
        writeLaneSums(width, target);
    }

    /** target[c] = Σ over lanes (in order) of lane.accumulator[c]. */
    private void writeLaneSums(int width, HostView target) {
        double[] sum = vector;
        Arrays.fill(sum, 0, width, 0.0);
        for (Lane lane : lanes.all()) {
            for (int c = 0; c < width; c++) {
                sum[c] += lane.accumulator[c];
            }
        }
        target.write(sum, 0, 0, width);
    }

    /** The lanes' partial totals, summed in lane order. */
    private double laneTotal() {
        double total = 0;
        for (Lane lane : lanes.all()) {
            total += lane.total;
        }
        return total;
    }

    /** One lane's scratch: rows, one example's attention state, partial sums. */
    private final class Lane {
        final double[] rowX = new double[Math.max(Math.max(d, dMlp), elements)];
        final double[] rowY = new double[rowX.length];
        final double[] rowZ = new double[rowX.length];
        final double[] row1 = new double[d];
        final double[] row2 = new double[d];
        final double[] row3 = new double[d];
        final double[] keyValues = new double[ctx * 2 * d];
        final double[] keyValueGrads = new double[ctx * 2 * d];
        final double[] scores = new double[ctx];
        final double[] accumulator = new double[Math.max(d, dMlp)];
        final double[] embedAccumulator = new double[vocab * d];
        final double[] posAccumulator = new double[ctx * d];
        final double[] gainAccumulator = new double[d];
        final double[] biasAccumulator = new double[d];
        double total;
        long count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parameters of one block and of one LayerNorm

    /** One block's parameter tensors and their gradients. */
    private final class Block {
        final Norm ln1;
        final Norm ln2;
        final INDArray wQ;
        final INDArray wK;
        final INDArray wV;
        final INDArray wO;
        final INDArray wIn;
        final INDArray wOut;
        final INDArray wQGrad;
        final INDArray wKGrad;
        final INDArray wVGrad;
        final INDArray wOGrad;
        final INDArray wInGrad;
        final INDArray wOutGrad;
        final HostView bIn;
        final HostView bOut;
        final HostView bInGrad;
        final HostView bOutGrad;
        final INDArray wKV; // [d, 2d] = [W_K | W_V], refreshed before every forward pass
        final INDArray wKVGrad; // [d, 2d], split into W_K's and W_V's gradients after every backward pass
        final HostView wKView;
        final HostView wVView;
        final HostView wKVView;
        final HostView wKGradView;
        final HostView wVGradView;
        final HostView wKVGradView;

        Block(int l) {
            String p = "blocks." + l + ".";
            boolean layerNorm = norm != LayerNormPlacement.NONE;
            ln1 = layerNorm ? new Norm(p + "ln1") : null;
            ln2 = layerNorm ? new Norm(p + "ln2") : null;
            wQ = parameters.get(p + "attn.W_Q");
            wK = parameters.get(p + "attn.W_K");
            wV = parameters.get(p + "attn.W_V");
            wO = parameters.get(p + "attn.W_O");
            wIn = parameters.get(p + "mlp.W_in");
            wOut = parameters.get(p + "mlp.W_out");
            wQGrad = parameters.gradient(p + "attn.W_Q");
            wKGrad = parameters.gradient(p + "attn.W_K");
            wVGrad = parameters.gradient(p + "attn.W_V");
            wOGrad = parameters.gradient(p + "attn.W_O");
            wInGrad = parameters.gradient(p + "mlp.W_in");
            wOutGrad = parameters.gradient(p + "mlp.W_out");
            bIn = HostView.of(parameters.get(p + "mlp.b_in"));
            bOut = HostView.of(parameters.get(p + "mlp.b_out"));
            bInGrad = HostView.of(parameters.gradient(p + "mlp.b_in"));
            bOutGrad = HostView.of(parameters.gradient(p + "mlp.b_out"));
            // [W_K | W_V] and its gradient, fused for one product: see blockScratchFloats
            wKV = Nd4j.create(dataType, new long[] {d, 2L * d}, 'c');
            wKVGrad = Nd4j.create(dataType, new long[] {d, 2L * d}, 'c');
            wKView = HostView.of(wK);
            wVView = HostView.of(wV);
            wKVView = HostView.of(wKV);
            wKGradView = HostView.of(wKGrad);
            wVGradView = HostView.of(wVGrad);
            wKVGradView = HostView.of(wKVGrad);
        }

        /**
         * Keys and values come from one product x·[W_K | W_V] (and their gradients from one product each way): one
         * GEMM 2d wide runs ~20% faster than two d wide ones at Nanda's shapes. Copying the 2·d² weights costs
         * nothing next to the product.
         */
        void fuseKeyValueWeights() {
            for (int r = 0; r < d; r++) {
                wKView.copyTo(r * d, wKVView, r * 2 * d, d);
                wVView.copyTo(r * d, wKVView, r * 2 * d + d, d);
            }
        }

        void splitKeyValueGradients() {
            for (int r = 0; r < d; r++) {
                wKVGradView.copyTo(r * 2 * d, wKGradView, r * d, d);
                wKVGradView.copyTo(r * 2 * d + d, wVGradView, r * d, d);
            }
        }
    }

    /** A LayerNorm over dModel with learned gain ({@code .w}) and bias ({@code .b}). */
    private final class Norm {
        final HostView gain;
        final HostView bias;
        final HostView gainGrad;
        final HostView biasGrad;
        final double[] gainCache = new double[d];
        final double[] biasCache = new double[d];

        Norm(String name) {
            gain = HostView.of(parameters.get(name + ".w"));
            bias = HostView.of(parameters.get(name + ".b"));
            gainGrad = HostView.of(parameters.gradient(name + ".w"));
            biasGrad = HostView.of(parameters.gradient(name + ".b"));
        }

        /** y = (x - mean)/√(var + eps)·gain + bias per row (biased variance), keeping mean and 1/σ per row. */
        void forward(HostView x, HostView y, int rows, double[] mean, double[] rstd) {
            double[] g = gainCache;
            double[] beta = biasCache;
            gain.read(0, g, 0, d);
            bias.read(0, beta, 0, d);
            lanes.run(rows, (lane, from, to) -> {
                double[] row = lane.rowX;
                for (int r = from; r < to; r++) {
                    x.read(r * d, row, 0, d);
                    double sum = 0;
                    for (int c = 0; c < d; c++) {
                        sum += row[c];
                    }
                    double mu = sum / d;
                    double sq = 0;
                    for (int c = 0; c < d; c++) {
                        double e = row[c] - mu;
                        sq += e * e;
                    }
                    double rs = 1.0 / Math.sqrt(sq / d + LN_EPS);
                    mean[r] = mu;
                    rstd[r] = rs;
                    for (int c = 0; c < d; c++) {
                        row[c] = (row[c] - mu) * rs * g[c] + beta[c];
                    }
                    y.write(row, 0, r * d, d);
                }
            });
        }

        /**
         * Overwrites {@code dy} with the gradient w.r.t. the LayerNorm's input x and writes the gain and bias
         * gradients: dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·gain.
         */
        void backward(HostView x, HostView dy, int rows, double[] mean, double[] rstd) {
            double[] g = gainCache;
            gain.read(0, g, 0, d);
            lanes.run(rows, (lane, from, to) -> {
                double[] gainAcc = lane.gainAccumulator;
                double[] biasAcc = lane.biasAccumulator;
                Arrays.fill(gainAcc, 0.0);
                Arrays.fill(biasAcc, 0.0);
                double[] xhat = lane.rowX;
                double[] grad = lane.rowY;
                for (int r = from; r < to; r++) {
                    x.read(r * d, xhat, 0, d);
                    dy.read(r * d, grad, 0, d);
                    double mu = mean[r];
                    double rs = rstd[r];
                    double sumG = 0;
                    double sumGx = 0;
                    for (int c = 0; c < d; c++) {
                        double xh = (xhat[c] - mu) * rs;
                        xhat[c] = xh;
                        gainAcc[c] += grad[c] * xh;
                        biasAcc[c] += grad[c];
                        double gh = grad[c] * g[c];
                        grad[c] = gh;
                        sumG += gh;
                        sumGx += gh * xh;
                    }
                    double meanG = sumG / d;
                    double meanGx = sumGx / d;
                    for (int c = 0; c < d; c++) {
                        grad[c] = rs * (grad[c] - meanG - xhat[c] * meanGx);
                    }
                    dy.write(grad, 0, r * d, d);
                }
            });
            double[] gainSum = gainCache; // the gain is no longer needed
            double[] biasSum = biasCache;
            Arrays.fill(gainSum, 0.0);
            Arrays.fill(biasSum, 0.0);
            for (Lane lane : lanes.all()) {
                for (int c = 0; c < d; c++) {
                    gainSum[c] += lane.gainAccumulator[c];
                    biasSum[c] += lane.biasAccumulator[c];
                }
            }
            gainGrad.write(gainSum, 0, 0, d);
            biasGrad.write(biasSum, 0, 0, d);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Buffers

    private Workspace workspace(int n, boolean training) {
        Workspace w = workspaces.computeIfAbsent(n, Workspace::new);
        if (training) {
            w.ensureTraining();
        }
        return w;
    }

    /**
     * The buffers of one batch size, allocated on first use and reused every step: allocating and zeroing
     * [3n, dModel] arrays every step would cost as much as the products that fill them.
     */
    private final class Workspace {
        final int n;
        final Layer[] layer;
        final INDArray fin; // pre-LN: LN_final of the last position
        final HostView finView;
        final double[] finMean;
        final double[] finRstd;
        final INDArray logits;
        final HostView logitsView;
        final double[] rowMax;
        INDArray logitGrad;
        HostView logitGradView;
        INDArray dFinal; // gradient w.r.t. the last block's output (last position)
        HostView dFinalView;

        Workspace(int n) {
            this.n = n;
            this.layer = new Layer[layers];
            INDArray input = buffer((long) n * ctx, d);
            for (int l = 0; l < layers; l++) {
                layer[l] = new Layer(n, input, l == layers - 1);
                input = layer[l].out;
            }
            boolean pre = preNorm;
            this.fin = pre ? buffer(n, d) : null;
            this.finView = pre ? HostView.of(fin) : null;
            this.finMean = pre ? new double[n] : null;
            this.finRstd = pre ? new double[n] : null;
            this.logits = buffer(n, elements);
            this.logitsView = HostView.of(logits);
            this.rowMax = new double[n];
        }

        void ensureTraining() {
            if (logitGrad != null) {
                return;
            }
            logitGrad = buffer(n, elements);
            logitGradView = HostView.of(logitGrad);
            dFinal = buffer(n, d);
            dFinalView = HostView.of(dFinal);
            for (Layer f : layer) {
                f.ensureTraining();
            }
        }
    }

    /**
     * One block's activations for a batch of n. Rows of all-position arrays are t·n + i; query-side arrays hold the
     * query rows only: all positions in earlier blocks, the last position in the last block (then
     * {@code qStart = nCtx - 1} and {@code xq}, {@code attnInQ}, {@code dInQ} are views of that row block).
     */
    private final class Layer {
        final int n;
        final int rows; // n·nCtx
        final int nq; // query rows
        final int qStart; // position of the first query row block
        final INDArray xIn; // [rows, d], the block's input (x0 or the previous block's out)
        final HostView xInView;
        final INDArray xq; // query rows of xIn
        final HostView xqView;
        final INDArray attnIn; // pre-LN: LN1(xIn); else xIn
        final HostView attnInView;
        final INDArray attnInQ;
        final HostView attnInQView;
        final double[] ln1Mean;
        final double[] ln1Rstd;
        final INDArray q; // [nq, d]
        final HostView qView;
        final INDArray kv; // [rows, 2d]: keys in columns 0..d-1, values in d..2d-1
        final HostView kvView;
        final double[] probs; // [nq, heads, nCtx]
        final INDArray z; // [nq, d], heads concatenated
        final HostView zView;
        final INDArray s1; // z·W_O + x (PRE_NORMALISED_STREAM: + LN1(x)), the first residual sum
        final HostView s1View;
        final double[] s1Mean; // POST
        final double[] s1Rstd;
        final INDArray mid; // POST: LN1(s1); else s1
        final HostView midView;
        final INDArray mlpIn; // pre-LN: LN2(mid); else mid
        final HostView mlpInView;
        final double[] midMean; // pre-LN
        final double[] midRstd;
        final INDArray pre; // GELU: z, then (training) act'(z)
        final HostView preView;
        final INDArray erf; // GELU: erf(z/√2)
        final HostView erfView;
        final INDArray hidden; // [nq, dMlp]
        final HostView hiddenView;
        final INDArray s2; // hidden·W_out + b_out + mid
        final HostView s2View;
        final double[] s2Mean; // POST
        final double[] s2Rstd;
        final INDArray out; // POST: LN2(s2); else s2
        final HostView outView;
        INDArray dIn; // [rows, d]
        HostView dInView;
        INDArray dInQ;
        HostView dInQView;
        INDArray dHidden;
        HostView dHiddenView;
        INDArray dMlpIn; // pre-LN
        HostView dMlpInView;
        INDArray dZ;
        HostView dZView;
        INDArray dQ;
        HostView dQView;
        INDArray dKV; // [rows, 2d], as kv
        HostView dKVView;

        Layer(int n, INDArray input, boolean last) {
            this.n = n;
            this.rows = n * ctx;
            this.qStart = last ? ctx - 1 : 0;
            this.nq = (ctx - qStart) * n;
            boolean postNorm = norm == LayerNormPlacement.POST;
            xIn = input;
            xInView = HostView.of(xIn);
            xq = queryRows(xIn);
            xqView = HostView.of(xq);
            attnIn = preNorm ? buffer(rows, d) : xIn;
            attnInView = HostView.of(attnIn);
            attnInQ = queryRows(attnIn);
            attnInQView = HostView.of(attnInQ);
            ln1Mean = preNorm ? new double[rows] : null;
            ln1Rstd = preNorm ? new double[rows] : null;
            q = buffer(nq, d);
            qView = HostView.of(q);
            kv = buffer(rows, 2L * d);
            kvView = HostView.of(kv);
            probs = new double[nq * heads * ctx];
            z = buffer(nq, d);
            zView = HostView.of(z);
            s1 = buffer(nq, d);
            s1View = HostView.of(s1);
            s1Mean = postNorm ? new double[nq] : null;
            s1Rstd = postNorm ? new double[nq] : null;
            mid = postNorm ? buffer(nq, d) : s1;
            midView = HostView.of(mid);
            mlpIn = preNorm ? buffer(nq, d) : mid;
            mlpInView = HostView.of(mlpIn);
            midMean = preNorm ? new double[nq] : null;
            midRstd = preNorm ? new double[nq] : null;
            pre = gelu ? buffer(nq, dMlp) : null;
            preView = gelu ? HostView.of(pre) : null;
            erf = gelu ? buffer(nq, dMlp) : null;
            erfView = gelu ? HostView.of(erf) : null;
            hidden = buffer(nq, dMlp);
            hiddenView = HostView.of(hidden);
            s2 = buffer(nq, d);
            s2View = HostView.of(s2);
            s2Mean = postNorm ? new double[nq] : null;
            s2Rstd = postNorm ? new double[nq] : null;
            out = postNorm ? buffer(nq, d) : s2;
            outView = HostView.of(out);
        }

        void ensureTraining() {
            dIn = buffer(rows, d);
            dInView = HostView.of(dIn);
            dInQ = queryRows(dIn);
            dInQView = HostView.of(dInQ);
            dHidden = buffer(nq, dMlp);
            dHiddenView = HostView.of(dHidden);
            if (preNorm) {
                dMlpIn = buffer(nq, d);
                dMlpInView = HostView.of(dMlpIn);
            }
            dZ = buffer(nq, d);
            dZView = HostView.of(dZ);
            dQ = buffer(nq, d);
            dQView = HostView.of(dQ);
            dKV = buffer(rows, 2L * d);
            dKVView = HostView.of(dKV);
        }

        /** The query rows of an all-positions array: itself, or the contiguous last-position block (a view). */
        private INDArray queryRows(INDArray all) {
            if (qStart == 0) {
                return all;
            }
            return all.get(NDArrayIndex.interval((long) qStart * n, (long) ctx * n), NDArrayIndex.all());
        }
    }

    /**
     * Elements of the workspace buffers of one batch size: what {@link Workspace} and its {@link Layer}s allocate for
     * {@code n} sequences, forward only or with the training buffers too (the double[] row statistics on the heap are
     * left out: they are O(n·ctx), not O(n·ctx·d)). The memory estimate of a run is built on this, and a test holds it
     * to what the workspaces really allocate.
     */
    static long workspaceFloats(TransformerSpec spec, int elements, long n, boolean training) {
        long d = spec.dModel();
        long m = spec.dMlp();
        long ctx = context(spec);
        boolean preNorm = spec.layerNorm().normalisesBeforeSublayers();
        boolean postNorm = spec.layerNorm() == LayerNormPlacement.POST;
        boolean gelu = spec.activation() == Activation.GELU;
        long rows = n * ctx;
        long total = rows * d + (preNorm ? n * d : 0) + n * elements; // the input, LN_final, logits
        if (training) {
            total += n * elements + n * d; // logitGrad, dFinal
        }
        for (int l = 0; l < spec.layers(); l++) {
            long nq = l == spec.layers() - 1 ? n : rows; // the last block computes the last position only
            total += (preNorm ? rows * d : 0) + nq * d + rows * 2 * d + nq * d + nq * d // LN1, q, kv, z, s1
                    + (postNorm ? nq * d : 0) + (preNorm ? nq * d : 0) // mid, mlpIn
                    + (gelu ? 2 * nq * m : 0) + nq * m + nq * d + (postNorm ? nq * d : 0); // pre, erf, hidden, s2, out
            if (training) {
                total += rows * d + nq * m + (preNorm ? nq * d : 0) + nq * d + nq * d + rows * 2 * d;
            }
        }
        return total;
    }

    /** Elements of the per-block copies of [W_K | W_V] and their gradients, allocated once with the model. */
    static long blockScratchFloats(TransformerSpec spec) {
        return spec.layers() * 4L * spec.dModel() * spec.dModel();
    }

    /** Elements allocated for workspaces so far, for tests of the static {@code workspaceFloats}. */
    long workspaceFloats() {
        return workspaceFloats;
    }

    private INDArray buffer(long rows, long columns) {
        workspaceFloats += rows * columns;
        return Nd4j.create(dataType, new long[] {rows, columns}, 'c');
    }
}
