package io.grokscope.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One block's MLP, act(x·W_in + b_in)·W_out + b_out, with ReLU or the exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2 (torch's
 * default {@code nn.GELU()}, not the tanh approximation). Bias plus activation and the activation's backward pass are
 * branch-free Java loops over rows staged in double; erf runs as one ND4J op over the layer (Java has none), which
 * acts element by element and so gives the same values whatever the thread count. Bias gradients are column sums in
 * double, in row order per lane, lanes in order.
 */
final class FeedForward {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private final int d;
    private final int dMlp;
    private final boolean gelu;
    private final INDArray wIn;
    private final INDArray wOut;
    private final INDArray wInGrad;
    private final INDArray wOutGrad;
    private final HostView bIn;
    private final HostView bOut;
    private final HostView bInGrad;
    private final HostView bOutGrad;
    private final double[] vector; // a bias, staged once per kernel call; also the lanes' combined sums
    private final Lanes<Scratch> lanes;

    /** The MLP of the block whose parameters start with {@code prefix} ("blocks.l."). */
    FeedForward(Parameters parameters, String prefix, int d, int dMlp, boolean gelu) {
        this.d = d;
        this.dMlp = dMlp;
        this.gelu = gelu;
        wIn = parameters.get(prefix + "mlp.W_in");
        wOut = parameters.get(prefix + "mlp.W_out");
        wInGrad = parameters.gradient(prefix + "mlp.W_in");
        wOutGrad = parameters.gradient(prefix + "mlp.W_out");
        bIn = HostView.of(parameters.get(prefix + "mlp.b_in"));
        bOut = HostView.of(parameters.get(prefix + "mlp.b_out"));
        bInGrad = HostView.of(parameters.gradient(prefix + "mlp.b_in"));
        bOutGrad = HostView.of(parameters.gradient(prefix + "mlp.b_out"));
        vector = new double[Math.max(d, dMlp)];
        lanes = new Lanes<>(Scratch::new);
    }

    /** One lane's rows and partial sums. */
    private final class Scratch {
        final double[] rowX = new double[Math.max(d, dMlp)];
        final double[] rowY = new double[rowX.length];
        final double[] rowZ = new double[rowX.length];
        final double[] accumulator = new double[Math.max(d, dMlp)];
    }

    /** W_out {@code [dMlp, dModel]}, for the model's logit map. */
    INDArray outputWeights() {
        return wOut;
    }

    /** f.s2 = act(f.mlpIn·W_in + b_in)·W_out + b_out + f.mid: the MLP with its residual added. */
    void forward(TransformerWorkspace.Layer f, boolean training) {
        if (gelu) {
            Nd4j.gemm(f.mlpIn, wIn, f.pre, false, false, 1.0, 0.0);
            geluForward(f, training);
        } else {
            Nd4j.gemm(f.mlpIn, wIn, f.hidden, false, false, 1.0, 0.0);
            reluForward(f);
        }
        Nd4j.gemm(f.hidden, wOut, f.s2, false, false, 1.0, 0.0);
        HostView s2 = f.s2View;
        HostView mid = f.midView;
        double[] bias = vector;
        bOut.read(0, bias, 0, d);
        lanes.run(f.nq, (lane, from, to) -> {
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
    }

    /**
     * Given {@code dOut}, the gradient w.r.t. the MLP's output rows, writes the gradients of W_in, b_in, W_out, b_out
     * and the gradient w.r.t. the MLP's input into {@code dInput}: overwritten at {@code beta} 0, added at 1.
     */
    void backward(TransformerWorkspace.Layer f, INDArray dOut, HostView dOutView, INDArray dInput, double beta) {
        columnSums(dOutView, f.nq, d, bOutGrad);
        Nd4j.gemm(f.hidden, dOut, wOutGrad, true, false, 1.0, 0.0);
        Nd4j.gemm(dOut, wOut, f.dHidden, false, true, 1.0, 0.0);
        activationBackward(f);
        Nd4j.gemm(f.mlpIn, f.dHidden, wInGrad, true, false, 1.0, 0.0);
        Nd4j.gemm(f.dHidden, wIn, dInput, false, true, 1.0, beta);
    }

    /** hidden = max(0, hidden + b_in), in place (the product landed in hidden), branch-free as in the MLP. */
    private void reluForward(TransformerWorkspace.Layer f) {
        HostView hidden = f.hiddenView;
        double[] bias = vector;
        bIn.read(0, bias, 0, dMlp);
        lanes.run(f.nq, (lane, from, to) -> {
            double[] row = lane.rowX;
            for (int r = from; r < to; r++) {
                hidden.read(r * dMlp, row, 0, dMlp);
                MlpKernels.biasRelu(row, 0, bias, dMlp);
                hidden.write(row, 0, r * dMlp, dMlp);
            }
        });
    }

    /**
     * hidden = z·Φ(z) with z = pre + b_in and Φ(z) = (1 + erf(z/√2))/2; erf runs as one ND4J op over the layer. In
     * training, pre is then overwritten with the derivative Φ(z) + z·φ(z) for the backward pass.
     */
    private void geluForward(TransformerWorkspace.Layer f, boolean training) {
        HostView pre = f.preView;
        HostView erf = f.erfView;
        HostView hidden = f.hiddenView;
        double[] bias = vector;
        bIn.read(0, bias, 0, dMlp);
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

    /** dHidden ← dHidden · act'(z), and b_in's gradient as its column sums. */
    private void activationBackward(TransformerWorkspace.Layer f) {
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
                    MlpKernels.activationBackward(gRow, oRow, 0, dMlp, false, acc);
                }
                g.write(gRow, 0, r * dMlp, dMlp);
            }
        });
        writeLaneSums(dMlp, bInGrad);
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

    private void writeLaneSums(int width, HostView target) {
        lanes.sum(lane -> lane.accumulator, vector, width);
        target.write(vector, 0, 0, width);
    }
}
