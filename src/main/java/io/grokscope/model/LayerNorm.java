package io.grokscope.model;

import java.util.Arrays;

/**
 * A LayerNorm over dModel with learned gain ({@code .w}) and bias ({@code .b}), as torch's: biased variance,
 * eps {@value #EPS}. Rows are staged in double; the per-row mean and 1/σ are kept by the caller for the backward pass,
 * and the gain and bias gradients are summed in double in row order per lane, lanes in order.
 */
final class LayerNorm {

    /** torch's LayerNorm default. */
    static final double EPS = 1e-5;

    private final int d;
    private final HostView gain;
    private final HostView bias;
    private final HostView gainGrad;
    private final HostView biasGrad;
    private final double[] gainCache;
    private final double[] biasCache;
    private final Lanes<Scratch> lanes;

    /** The LayerNorm whose parameters are {@code name.w} and {@code name.b}. */
    LayerNorm(Parameters parameters, String name, int d) {
        this.d = d;
        this.gain = HostView.of(parameters.get(name + ".w"));
        this.bias = HostView.of(parameters.get(name + ".b"));
        this.gainGrad = HostView.of(parameters.gradient(name + ".w"));
        this.biasGrad = HostView.of(parameters.gradient(name + ".b"));
        this.gainCache = new double[d];
        this.biasCache = new double[d];
        this.lanes = new Lanes<>(Scratch::new);
    }

    /** One lane's rows and partial sums. */
    private final class Scratch {
        final double[] rowX = new double[d];
        final double[] rowY = new double[d];
        final double[] gainAccumulator = new double[d];
        final double[] biasAccumulator = new double[d];
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
                double rs = 1.0 / Math.sqrt(sq / d + EPS);
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
        lanes.sum(lane -> lane.gainAccumulator, gainSum, d);
        lanes.sum(lane -> lane.biasAccumulator, biasSum, d);
        gainGrad.write(gainSum, 0, 0, d);
        biasGrad.write(biasSum, 0, 0, d);
    }
}
