package io.grokscope.model;

/**
 * The MLPs' element-wise row kernels, written once for {@link Mlp} (one row staged at a time), {@link BatchedMlp}
 * (a whole lane's rows staged as one block) and, for ReLU, the transformer's {@link FeedForward}: the same double
 * arithmetic on a row of width h starting at {@code row[at]}, so a batched lane computes the bits of its solo model.
 */
final class MlpKernels {

    private MlpKernels() {
    }

    /**
     * ReLU with the bias added, in place: (z + |z|)/2 is max(z, 0) exactly and compiles without a branch; with random
     * signs a branch per element mispredicts half the time (about 9 ms instead of under 2 on 3830x512).
     */
    static void biasRelu(double[] row, int at, double[] bias, int h) {
        for (int j = 0; j < h; j++) {
            double z = row[at + j] + bias[j];
            row[at + j] = 0.5 * (z + Math.abs(z));
        }
    }

    /** x² with the bias added: {@code pre} keeps z = pre + bias for the backward pass, {@code post} gets z². */
    static void biasSquare(double[] pre, double[] post, int at, double[] bias, int h) {
        for (int j = 0; j < h; j++) {
            double z = pre[at + j] + bias[j];
            pre[at + j] = z;
            post[at + j] = z * z;
        }
    }

    /**
     * The gradient w.r.t. the activation ({@code g}) becomes the gradient w.r.t. the pre-activation, in place, and is
     * added to the bias gradient {@code biasGradient}. {@code other} is z for x², relu(z) for ReLU.
     */
    static void activationBackward(double[] g, double[] other, int at, int h, boolean quadratic,
            double[] biasGradient) {
        if (quadratic) {
            for (int j = 0; j < h; j++) {
                g[at + j] *= 2.0 * other[at + j];
            }
        } else {
            // Branch-free: relu(z) >= 0, so its bit pattern is non-zero exactly where the derivative is 1, and
            // (bits | -bits) >> 63 is an all-ones or all-zeros mask for g.
            for (int j = 0; j < h; j++) {
                long bits = Double.doubleToRawLongBits(other[at + j]);
                long mask = (bits | -bits) >> 63;
                g[at + j] = Double.longBitsToDouble(Double.doubleToRawLongBits(g[at + j]) & mask);
            }
        }
        for (int j = 0; j < h; j++) {
            biasGradient[j] += g[at + j];
        }
    }

    /** One-hot first layer, forward: out = W[a] + W[p + b], rows {@code ra} and {@code rb} of the staged table. */
    static void gatherOneHot(double[] table, int ra, int rb, double[] out, int at, int h) {
        for (int j = 0; j < h; j++) {
            out[at + j] = table[ra + j] + table[rb + j];
        }
    }

    /** One-hot first layer, backward: dW[a] += g and dW[p + b] += g, into the table of partial sums. */
    static void scatterOneHot(double[] g, int at, int h, int ra, int rb, double[] sums) {
        for (int j = 0; j < h; j++) {
            sums[ra + j] += g[at + j];
            sums[rb + j] += g[at + j];
        }
    }

    /** Embedding, backward: dW_E[a] += dInput[:E], then dW_E[b] += dInput[E:] (a and b may be the same row). */
    static void scatterEmbedding(double[] dInput, int at, int e, int ra, int rb, double[] sums) {
        for (int k = 0; k < e; k++) {
            sums[ra + k] += dInput[at + k];
        }
        for (int k = 0; k < e; k++) {
            sums[rb + k] += dInput[at + e + k];
        }
    }
}
