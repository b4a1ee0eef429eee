package io.grokscope.model;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One block's causal multi-head self-attention: per head, scores q·k/√dHead over the positions at or before the query,
 * softmax, weighted sum of values; the heads' outputs concatenated and multiplied by W_O. Queries come from the
 * block's query rows (every position, or the last one in the last block), keys and values from every position.
 *
 * <p>Keys and values come from one product x·[W_K | W_V] (and their gradients from one product each way): one GEMM
 * 2d wide runs ~20% faster than two d wide ones at Nanda's shapes. Copying the 2·d² weights costs nothing next to the
 * product. The score and softmax kernels are Java loops over one example at a time (at most 4 positions), its rows
 * staged in double.
 */
final class Attention {

    private final int d;
    private final int heads;
    private final int dHead;
    private final int ctx;
    private final INDArray wQ;
    private final INDArray wO;
    private final INDArray wQGrad;
    private final INDArray wOGrad;
    private final INDArray wKV; // [d, 2d] = [W_K | W_V], refreshed before every forward pass
    private final INDArray wKVGrad; // [d, 2d], split into W_K's and W_V's gradients after every backward pass
    private final HostView wKView;
    private final HostView wVView;
    private final HostView wKVView;
    private final HostView wKGradView;
    private final HostView wVGradView;
    private final HostView wKVGradView;
    private final Lanes<Scratch> lanes;

    /** The attention of the block whose parameters start with {@code prefix} ("blocks.l."). */
    Attention(Parameters parameters, String prefix, int d, int heads, int ctx, DataType dataType) {
        this.d = d;
        this.heads = heads;
        this.dHead = d / heads;
        this.ctx = ctx;
        wQ = parameters.get(prefix + "attn.W_Q");
        wO = parameters.get(prefix + "attn.W_O");
        wQGrad = parameters.gradient(prefix + "attn.W_Q");
        wOGrad = parameters.gradient(prefix + "attn.W_O");
        // [W_K | W_V] and its gradient, fused for one product: see Transformer.blockScratchFloats
        wKV = Nd4j.create(dataType, new long[] {d, 2L * d}, 'c');
        wKVGrad = Nd4j.create(dataType, new long[] {d, 2L * d}, 'c');
        wKView = HostView.of(parameters.get(prefix + "attn.W_K"));
        wVView = HostView.of(parameters.get(prefix + "attn.W_V"));
        wKVView = HostView.of(wKV);
        wKGradView = HostView.of(parameters.gradient(prefix + "attn.W_K"));
        wVGradView = HostView.of(parameters.gradient(prefix + "attn.W_V"));
        wKVGradView = HostView.of(wKVGrad);
        lanes = new Lanes<>(Scratch::new);
    }

    /** One lane's scratch: one example's keys and values, query-side rows, scores. */
    private final class Scratch {
        final double[] row1 = new double[d];
        final double[] row2 = new double[d];
        final double[] row3 = new double[d];
        final double[] keyValues = new double[ctx * 2 * d];
        final double[] keyValueGrads = new double[ctx * 2 * d];
        final double[] scores = new double[ctx];
    }

    /** f.s1 = attention(f.attnIn)·W_O (the residual is the block's to add); keeps q, k, v, z and probabilities. */
    void forward(TransformerWorkspace.Layer f) {
        fuseKeyValueWeights();
        Nd4j.gemm(f.attnIn, wKV, f.kv, false, false, 1.0, 0.0);
        Nd4j.gemm(f.attnInQ, wQ, f.q, false, false, 1.0, 0.0);
        lanes.run(f.n, (lane, from, to) -> forward(f, lane, from, to));
        Nd4j.gemm(f.z, wO, f.s1, false, false, 1.0, 0.0);
    }

    /**
     * Given {@code dOut}, the gradient w.r.t. the attention's output rows, writes the gradients of W_Q, W_K, W_V, W_O
     * and the gradient w.r.t. the attention input: every position into {@code f.dIn} (the query rows' share from Q
     * included).
     */
    void backward(TransformerWorkspace.Layer f, INDArray dOut) {
        Nd4j.gemm(f.z, dOut, wOGrad, true, false, 1.0, 0.0);
        Nd4j.gemm(dOut, wO, f.dZ, false, true, 1.0, 0.0);
        lanes.run(f.n, (lane, from, to) -> backward(f, lane, from, to));
        Nd4j.gemm(f.attnInQ, f.dQ, wQGrad, true, false, 1.0, 0.0);
        Nd4j.gemm(f.attnIn, f.dKV, wKVGrad, true, false, 1.0, 0.0);
        splitKeyValueGradients();
        Nd4j.gemm(f.dKV, wKV, f.dIn, false, true, 1.0, 0.0);
        Nd4j.gemm(f.dQ, wQ, f.dInQ, false, true, 1.0, 1.0);
    }

    private void fuseKeyValueWeights() {
        for (int r = 0; r < d; r++) {
            wKView.copyTo(r * d, wKVView, r * 2 * d, d);
            wVView.copyTo(r * d, wKVView, r * 2 * d + d, d);
        }
    }

    private void splitKeyValueGradients() {
        for (int r = 0; r < d; r++) {
            wKVGradView.copyTo(r * 2 * d, wKGradView, r * d, d);
            wKVGradView.copyTo(r * 2 * d + d, wVGradView, r * d, d);
        }
    }

    /** Example i's key and value rows, every position, into {@code kvRows} ([s][2d]). */
    private void stageKeyValues(HostView kv, int n, int i, double[] kvRows) {
        int stride = 2 * d;
        for (int s = 0; s < ctx; s++) {
            kv.read((s * n + i) * stride, kvRows, s * stride, stride);
        }
    }

    /**
     * Causal softmax attention of the query rows of examples {@code from..to-1} over the keys and values of every
     * position of the same example; keeps the probabilities for the backward pass.
     */
    private void forward(TransformerWorkspace.Layer f, Scratch lane, int from, int to) {
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
            stageKeyValues(kv, n, i, kvRows);
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
     * From dZ to dQ (query rows) and dK, dV (every row, into dKV) for examples {@code from..to-1}, so that each key's
     * and value's gradient is summed over the queries (in position order, in double) and written once.
     */
    private void backward(TransformerWorkspace.Layer f, Scratch lane, int from, int to) {
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
            stageKeyValues(kv, n, i, kvRows);
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
}
