package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grokscope.task.Examples;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fast path against a plain reference written the obvious way: one example at a time in double[] loops, every
 * block computed at EVERY position (queries, attention, MLP and LayerNorms included), the logits read from the last
 * position's output, and a hand-written backward pass through all positions. Loss, logits and every gradient must
 * agree (float64 to 1e-12 relative, float32 to 1e-5), which proves that computing the last block at the last
 * position alone is exact, not an approximation.
 */
class TransformerReferenceTest {

    private static final int P = 11;

    static Examples batch(int n, long seed) {
        SeededRandom random = new SeededRandom(seed);
        int[] left = new int[n];
        int[] right = new int[n];
        int[] answer = new int[n];
        for (int i = 0; i < n; i++) {
            left[i] = random.nextInt(P);
            right[i] = random.nextInt(P);
            answer[i] = (left[i] + right[i]) % P;
        }
        return new Examples(left, right, answer);
    }

    /**
     * Batches of 40 run the Java kernels' two lanes one after the other; batches of 700 (over
     * {@link Lanes#PARALLEL_ROWS}) run them on two threads.
     */
    @ParameterizedTest(name = "{0} {1} layers {2} {3} {4} {5} batch {6} init {7}")
    @CsvSource({
            "NONE, RELU, 1, A_B_EQ, CROSS_ENTROPY, DOUBLE, 40, NANDA",
            "NONE, RELU, 2, A_B_EQ, CROSS_ENTROPY, DOUBLE, 40, NANDA",
            "NONE, GELU, 3, A_OP_B_EQ, MSE, DOUBLE, 40, NANDA",
            "PRE, GELU, 2, A_OP_B_EQ, CROSS_ENTROPY, DOUBLE, 40, NANDA",
            "PRE, RELU, 3, A_B_EQ, MSE, DOUBLE, 40, NANDA",
            "POST, RELU, 2, A_OP_B_EQ, CROSS_ENTROPY, DOUBLE, 40, NANDA",
            "POST, GELU, 1, A_B_EQ, MSE, DOUBLE, 40, NANDA",
            "NONE, RELU, 1, A_B_EQ, CROSS_ENTROPY, FLOAT, 40, NANDA",
            "PRE, GELU, 2, A_OP_B_EQ, CROSS_ENTROPY, FLOAT, 40, NANDA",
            "POST, RELU, 2, A_B_EQ, MSE, FLOAT, 40, NANDA",
            "NONE, RELU, 1, A_B_EQ, CROSS_ENTROPY, DOUBLE, 700, NANDA",
            "PRE, GELU, 2, A_OP_B_EQ, MSE, DOUBLE, 700, NANDA",
            "POST, RELU, 2, A_B_EQ, CROSS_ENTROPY, FLOAT, 700, NANDA",
            "PRE_NORMALISED_STREAM, GELU, 2, A_OP_B_EQ, CROSS_ENTROPY, DOUBLE, 40, TORCH_DEFAULT",
            "PRE_NORMALISED_STREAM, RELU, 3, A_B_EQ, MSE, DOUBLE, 40, NANDA",
            "PRE_NORMALISED_STREAM, GELU, 1, A_OP_B_EQ, CROSS_ENTROPY, FLOAT, 40, TORCH_DEFAULT",
            "PRE_NORMALISED_STREAM, GELU, 2, A_OP_B_EQ, CROSS_ENTROPY, DOUBLE, 700, TORCH_DEFAULT",
            "PRE, GELU, 2, A_OP_B_EQ, CROSS_ENTROPY, DOUBLE, 40, TORCH_DEFAULT"})
    void fastPathEqualsAllPositionsReference(LayerNormPlacement placement, Activation activation, int layers,
            SequenceFormat format, Loss loss, DataType type, int batchSize, TransformerInit init) {
        TransformerSpec spec = new TransformerSpec(layers, 16, 4, 24, activation, placement, format, 1.3,
                init);
        Model model = Models.create(spec, P, type, 5);
        TransformerGradientCheckTest.perturbConstantTensors(model);
        Examples batch = batch(batchSize, 8);
        double fast = model.lossAndGradients(batch, loss);

        Reference reference = new Reference(spec, model.parameters());
        double expected = reference.lossAndGradients(batch, loss);

        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        assertEquals(expected, fast, tolerance * Math.abs(expected));
        for (Map.Entry<String, INDArray> e : model.parameters().namedGradients().entrySet()) {
            double[] want = reference.gradients.get(e.getKey());
            double[] got = doubles(e.getValue());
            assertTrue(norm(want) > 0, e.getKey() + " has an all-zero reference gradient");
            double error = distance(want, got) / norm(want);
            assertTrue(error < tolerance, e.getKey() + ": relative error " + error);
        }
        double[][] referenceLogits = reference.logits(batch);
        INDArray logits = model.logits(batch.left(), batch.right());
        HostView view = HostView.of(logits);
        double diff = 0;
        double size = 0;
        for (int i = 0; i < batch.size(); i++) {
            for (int j = 0; j < P; j++) {
                double r = referenceLogits[i][j];
                diff += (r - view.get(i * P + j)) * (r - view.get(i * P + j));
                size += r * r;
            }
        }
        assertTrue(Math.sqrt(diff / size) < tolerance, "logits differ: " + Math.sqrt(diff / size));
        assertEquals(expected, model.evaluate(batch, loss).loss(), tolerance * Math.abs(expected));
    }

    /** ND4J's erf (the only native element-wise op on the path) against a convergent series, in float64. */
    @Test
    void geluUsesTheExactErf() {
        for (double x = -8; x <= 8; x += 0.37) {
            INDArray in = org.nd4j.linalg.factory.Nd4j.createFromArray(x);
            org.nd4j.linalg.factory.Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erf(in, in));
            assertEquals(Reference.erf(x), in.getDouble(0), 1e-14, "erf(" + x + ")");
        }
    }

    private static double[] doubles(INDArray array) {
        HostView view = HostView.of(array);
        double[] out = new double[view.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = view.get(i);
        }
        return out;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /**
     * The textbook transformer: per example, arrays [position][feature], every block at every position, weights
     * [in][out] flattened row-major exactly as the model's tensors.
     */
    static final class Reference {
        final TransformerSpec spec;
        final int vocab;
        final int ctx;
        final int d;
        final int heads;
        final int dHead;
        final int m;
        final Map<String, double[]> params = new HashMap<>();
        final Map<String, double[]> gradients = new LinkedHashMap<>();

        Reference(TransformerSpec spec, Parameters parameters) {
            this.spec = spec;
            this.vocab = spec.sequence() == SequenceFormat.A_OP_B_EQ ? P + 2 : P + 1;
            this.ctx = spec.sequence() == SequenceFormat.A_OP_B_EQ ? 4 : 3;
            this.d = spec.dModel();
            this.heads = spec.heads();
            this.dHead = d / heads;
            this.m = spec.dMlp();
            parameters.named().forEach((name, value) -> {
                params.put(name, doubles(value));
                gradients.put(name, new double[(int) value.length()]);
            });
        }

        int[] tokens(int a, int b) {
            return ctx == 4 ? new int[] {a, P + 1, b, P} : new int[] {a, b, P};
        }

        // ---- tiny linear algebra on flattened [in][out] weights ----

        /** x·W for a row vector x [in] and W [in][out]. */
        static double[] times(double[] x, double[] w, int out) {
            double[] y = new double[out];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < out; j++) {
                    y[j] += x[i] * w[i * out + j];
                }
            }
            return y;
        }

        /** g·Wᵀ for g [out]: the gradient w.r.t. x of x·W. */
        static double[] timesTransposed(double[] g, double[] w, int in) {
            int out = g.length;
            double[] x = new double[in];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < out; j++) {
                    x[i] += g[j] * w[i * out + j];
                }
            }
            return x;
        }

        /** dW += xᵀ·g. */
        static void addOuter(double[] x, double[] g, double[] dw) {
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < g.length; j++) {
                    dw[i * g.length + j] += x[i] * g[j];
                }
            }
        }

        static double[] plus(double[] a, double[] b) {
            double[] c = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                c[i] = a[i] + b[i];
            }
            return c;
        }

        static void addTo(double[] target, double[] g) {
            for (int i = 0; i < g.length; i++) {
                target[i] += g[i];
            }
        }

        /**
         * erf by its everywhere-positive series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)): no cancellation. Beyond
         * |x| = 6, 1 − |erf(x)| < 3e-17 is below double resolution (and the series would need ~x² terms).
         */
        static double erf(double x) {
            if (Math.abs(x) > 6) {
                return Math.signum(x);
            }
            double term = x;
            double sum = x;
            for (int n = 1; n < 500 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
                term *= 2 * x * x / (2 * n + 1);
                sum += term;
            }
            return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
        }

        double act(double z) {
            return spec.activation() == Activation.RELU ? Math.max(z, 0) : 0.5 * z * (1 + erf(z / Math.sqrt(2)));
        }

        double actDerivative(double z) {
            if (spec.activation() == Activation.RELU) {
                return z > 0 ? 1 : 0;
            }
            return 0.5 * (1 + erf(z / Math.sqrt(2))) + z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
        }

        // ---- LayerNorm on one vector ----

        /** LayerNorm of x with the named gain and bias; returns y and fills xhat[] and rstd[0]. */
        double[] layerNorm(double[] x, String name, double[] xhat, double[] rstd) {
            double mean = 0;
            for (double v : x) {
                mean += v / d;
            }
            double var = 0;
            for (double v : x) {
                var += (v - mean) * (v - mean) / d;
            }
            rstd[0] = 1 / Math.sqrt(var + 1e-5);
            double[] gain = params.get(name + ".w");
            double[] bias = params.get(name + ".b");
            double[] y = new double[d];
            for (int c = 0; c < d; c++) {
                xhat[c] = (x[c] - mean) * rstd[0];
                y[c] = xhat[c] * gain[c] + bias[c];
            }
            return y;
        }

        /** Gradient through LayerNorm: accumulates the gain and bias gradients, returns dx. */
        double[] layerNormBackward(double[] dy, String name, double[] xhat, double rstd) {
            double[] gain = params.get(name + ".w");
            double[] dGain = gradients.get(name + ".w");
            double[] dBias = gradients.get(name + ".b");
            double[] dxhat = new double[d];
            for (int c = 0; c < d; c++) {
                dGain[c] += dy[c] * xhat[c];
                dBias[c] += dy[c];
                dxhat[c] = dy[c] * gain[c];
            }
            // dx_c = rstd·(dxhat_c − mean(dxhat) − xhat_c·mean(dxhat·xhat)), the LayerNorm Jacobian.
            double meanD = 0;
            double meanDx = 0;
            for (int c = 0; c < d; c++) {
                meanD += dxhat[c] / d;
                meanDx += dxhat[c] * xhat[c] / d;
            }
            double[] dx = new double[d];
            for (int c = 0; c < d; c++) {
                dx[c] = rstd * (dxhat[c] - meanD - xhat[c] * meanDx);
            }
            return dx;
        }

        // ---- one example ----

        /** Everything the backward pass of one block needs, at every position. */
        final class BlockCache {
            double[][] in = new double[ctx][];
            double[][] attnIn = new double[ctx][];
            double[][] ln1Hat = new double[ctx][];
            double[] ln1Rstd = new double[ctx];
            double[][] q = new double[ctx][];
            double[][] k = new double[ctx][];
            double[][] v = new double[ctx][];
            double[][][] prob = new double[ctx][heads][];
            double[][] z = new double[ctx][];
            double[][] mid = new double[ctx][];
            double[][] mlpIn = new double[ctx][];
            double[][] ln2Hat = new double[ctx][];
            double[] ln2Rstd = new double[ctx];
            double[][] pre = new double[ctx][];
            double[][] hidden = new double[ctx][];
            double[][] out = new double[ctx][];
        }

        /** Forward through block l at every position; returns the block's output [ctx][d]. */
        double[][] block(int l, double[][] x, BlockCache cache) {
            String b = "blocks." + l + ".";
            LayerNormPlacement norm = spec.layerNorm();
            double[][] out = new double[ctx][];
            for (int t = 0; t < ctx; t++) {
                cache.in[t] = x[t];
                cache.ln1Hat[t] = new double[d];
                cache.ln2Hat[t] = new double[d];
                double[] r = new double[1];
                cache.attnIn[t] = norm.normalisesBeforeSublayers()
                        ? layerNorm(x[t], b + "ln1", cache.ln1Hat[t], r) : x[t];
                if (norm.normalisesBeforeSublayers()) {
                    cache.ln1Rstd[t] = r[0];
                }
                cache.q[t] = times(cache.attnIn[t], params.get(b + "attn.W_Q"), d);
                cache.k[t] = times(cache.attnIn[t], params.get(b + "attn.W_K"), d);
                cache.v[t] = times(cache.attnIn[t], params.get(b + "attn.W_V"), d);
            }
            for (int t = 0; t < ctx; t++) {
                double[] z = new double[d];
                for (int h = 0; h < heads; h++) {
                    double[] score = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        for (int c = h * dHead; c < (h + 1) * dHead; c++) {
                            score[s] += cache.q[t][c] * cache.k[s][c];
                        }
                        score[s] /= Math.sqrt(dHead);
                        max = Math.max(max, score[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        score[s] = Math.exp(score[s] - max);
                        sum += score[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        score[s] /= sum;
                        for (int c = h * dHead; c < (h + 1) * dHead; c++) {
                            z[c] += score[s] * cache.v[s][c];
                        }
                    }
                    cache.prob[t][h] = score;
                }
                cache.z[t] = z;
                // The normalised-stream block continues the residual from LN1(x), the others from x.
                double[] residual = norm == LayerNormPlacement.PRE_NORMALISED_STREAM ? cache.attnIn[t] : x[t];
                double[] s1 = plus(residual, times(z, params.get(b + "attn.W_O"), d));
                double[] r = new double[1];
                if (norm == LayerNormPlacement.POST) {
                    cache.mid[t] = layerNorm(s1, b + "ln1", cache.ln1Hat[t], r);
                    cache.ln1Rstd[t] = r[0];
                } else {
                    cache.mid[t] = s1;
                }
                if (norm.normalisesBeforeSublayers()) {
                    cache.mlpIn[t] = layerNorm(cache.mid[t], b + "ln2", cache.ln2Hat[t], r);
                    cache.ln2Rstd[t] = r[0];
                } else {
                    cache.mlpIn[t] = cache.mid[t];
                }
                cache.pre[t] = plus(times(cache.mlpIn[t], params.get(b + "mlp.W_in"), m), params.get(b + "mlp.b_in"));
                cache.hidden[t] = new double[m];
                for (int j = 0; j < m; j++) {
                    cache.hidden[t][j] = act(cache.pre[t][j]);
                }
                double[] s2 = plus(cache.mid[t],
                        plus(times(cache.hidden[t], params.get(b + "mlp.W_out"), d), params.get(b + "mlp.b_out")));
                if (norm == LayerNormPlacement.POST) {
                    out[t] = layerNorm(s2, b + "ln2", cache.ln2Hat[t], r);
                    cache.ln2Rstd[t] = r[0];
                } else {
                    out[t] = s2;
                }
                cache.out[t] = out[t];
            }
            return out;
        }

        /** Backward through block l at every position: given d(out) [ctx][d], returns d(in) [ctx][d]. */
        double[][] blockBackward(int l, double[][] dOut, BlockCache cache) {
            String b = "blocks." + l + ".";
            LayerNormPlacement norm = spec.layerNorm();
            double[][] dIn = new double[ctx][d];
            double[][] dQ = new double[ctx][d];
            double[][] dK = new double[ctx][d];
            double[][] dV = new double[ctx][d];
            double[][] dXq = new double[ctx][];
            for (int t = 0; t < ctx; t++) {
                double[] dS2 = norm == LayerNormPlacement.POST
                        ? layerNormBackward(dOut[t], b + "ln2", cache.ln2Hat[t], cache.ln2Rstd[t]) : dOut[t];
                addTo(gradients.get(b + "mlp.b_out"), dS2);
                addOuter(cache.hidden[t], dS2, gradients.get(b + "mlp.W_out"));
                double[] dHidden = timesTransposed(dS2, params.get(b + "mlp.W_out"), m);
                double[] dPre = new double[m];
                for (int j = 0; j < m; j++) {
                    dPre[j] = dHidden[j] * actDerivative(cache.pre[t][j]);
                }
                addTo(gradients.get(b + "mlp.b_in"), dPre);
                addOuter(cache.mlpIn[t], dPre, gradients.get(b + "mlp.W_in"));
                double[] dMlpIn = timesTransposed(dPre, params.get(b + "mlp.W_in"), d);
                if (norm.normalisesBeforeSublayers()) {
                    dMlpIn = layerNormBackward(dMlpIn, b + "ln2", cache.ln2Hat[t], cache.ln2Rstd[t]);
                }
                double[] dMid = plus(dS2, dMlpIn);
                double[] dS1 = norm == LayerNormPlacement.POST
                        ? layerNormBackward(dMid, b + "ln1", cache.ln1Hat[t], cache.ln1Rstd[t]) : dMid;
                dXq[t] = dS1;
                addOuter(cache.z[t], dS1, gradients.get(b + "attn.W_O"));
                double[] dZ = timesTransposed(dS1, params.get(b + "attn.W_O"), d);
                for (int h = 0; h < heads; h++) {
                    double[] prob = cache.prob[t][h];
                    double[] dProb = new double[t + 1];
                    double weighted = 0;
                    for (int s = 0; s <= t; s++) {
                        for (int c = h * dHead; c < (h + 1) * dHead; c++) {
                            dProb[s] += dZ[c] * cache.v[s][c];
                            dV[s][c] += prob[s] * dZ[c];
                        }
                        weighted += prob[s] * dProb[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        double dScore = prob[s] * (dProb[s] - weighted) / Math.sqrt(dHead);
                        for (int c = h * dHead; c < (h + 1) * dHead; c++) {
                            dQ[t][c] += dScore * cache.k[s][c];
                            dK[s][c] += dScore * cache.q[t][c];
                        }
                    }
                }
            }
            for (int t = 0; t < ctx; t++) {
                addOuter(cache.attnIn[t], dQ[t], gradients.get(b + "attn.W_Q"));
                addOuter(cache.attnIn[t], dK[t], gradients.get(b + "attn.W_K"));
                addOuter(cache.attnIn[t], dV[t], gradients.get(b + "attn.W_V"));
                double[] dAttnIn = plus(timesTransposed(dQ[t], params.get(b + "attn.W_Q"), d),
                        plus(timesTransposed(dK[t], params.get(b + "attn.W_K"), d),
                                timesTransposed(dV[t], params.get(b + "attn.W_V"), d)));
                if (norm == LayerNormPlacement.PRE_NORMALISED_STREAM) {
                    dIn[t] = layerNormBackward(plus(dAttnIn, dXq[t]), b + "ln1", cache.ln1Hat[t], cache.ln1Rstd[t]);
                    continue;
                }
                if (norm == LayerNormPlacement.PRE) {
                    dAttnIn = layerNormBackward(dAttnIn, b + "ln1", cache.ln1Hat[t], cache.ln1Rstd[t]);
                }
                dIn[t] = plus(dAttnIn, dXq[t]);
            }
            return dIn;
        }

        /** The logits of one example, every block at every position; caches filled for the backward pass. */
        double[] forward(int a, int bTok, BlockCache[] caches, double[] finalHat, double[] finalRstd,
                double[][] lastOut) {
            int[] tokens = tokens(a, bTok);
            double[][] x = new double[ctx][d];
            for (int t = 0; t < ctx; t++) {
                for (int c = 0; c < d; c++) {
                    x[t][c] = params.get("W_E")[tokens[t] * d + c] + params.get("W_pos")[t * d + c];
                }
            }
            for (int l = 0; l < spec.layers(); l++) {
                x = block(l, x, caches[l]);
            }
            lastOut[0] = x[ctx - 1];
            double[] fin = spec.layerNorm().normalisesBeforeSublayers()
                    ? layerNorm(x[ctx - 1], "ln_final", finalHat, finalRstd) : x[ctx - 1];
            lastOut[1] = fin;
            return times(fin, params.get("W_U"), P);
        }

        double[][] logits(Examples batch) {
            double[][] out = new double[batch.size()][];
            for (int i = 0; i < batch.size(); i++) {
                out[i] = forward(batch.left()[i], batch.right()[i], newCaches(), new double[d], new double[1],
                        new double[2][]);
            }
            return out;
        }

        private BlockCache[] newCaches() {
            BlockCache[] caches = new BlockCache[spec.layers()];
            for (int l = 0; l < caches.length; l++) {
                caches[l] = new BlockCache();
            }
            return caches;
        }

        double lossAndGradients(Examples batch, Loss loss) {
            int n = batch.size();
            double total = 0;
            for (int i = 0; i < n; i++) {
                BlockCache[] caches = newCaches();
                double[] finalHat = new double[d];
                double[] finalRstd = new double[1];
                double[][] lastOut = new double[2][];
                double[] logits = forward(batch.left()[i], batch.right()[i], caches, finalHat, finalRstd, lastOut);
                int y = batch.answer()[i];
                double[] dLogits = new double[P];
                if (loss == Loss.CROSS_ENTROPY) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (double z : logits) {
                        max = Math.max(max, z);
                    }
                    double sum = 0;
                    for (double z : logits) {
                        sum += Math.exp(z - max);
                    }
                    total += (max + Math.log(sum) - logits[y]) / n;
                    for (int j = 0; j < P; j++) {
                        dLogits[j] = (Math.exp(logits[j] - max) / sum - (j == y ? 1 : 0)) / n;
                    }
                } else {
                    for (int j = 0; j < P; j++) {
                        double e = logits[j] - (j == y ? 1 : 0);
                        total += e * e / (n * P);
                        dLogits[j] = 2 * e / (n * P);
                    }
                }
                addOuter(lastOut[1], dLogits, gradients.get("W_U"));
                double[] dFinal = timesTransposed(dLogits, params.get("W_U"), d);
                if (spec.layerNorm().normalisesBeforeSublayers()) {
                    dFinal = layerNormBackward(dFinal, "ln_final", finalHat, finalRstd[0]);
                }
                // The loss reads only the last position; every other position's output gradient is zero, and the
                // reference pushes those zeros through the whole backward pass like any other gradient.
                double[][] dX = new double[ctx][d];
                dX[ctx - 1] = dFinal;
                for (int l = spec.layers() - 1; l >= 0; l--) {
                    dX = blockBackward(l, dX, caches[l]);
                }
                int[] tokens = tokens(batch.left()[i], batch.right()[i]);
                for (int t = 0; t < ctx; t++) {
                    for (int c = 0; c < d; c++) {
                        gradients.get("W_E")[tokens[t] * d + c] += dX[t][c];
                        gradients.get("W_pos")[t * d + c] += dX[t][c];
                    }
                }
            }
            return total;
        }
    }
}
