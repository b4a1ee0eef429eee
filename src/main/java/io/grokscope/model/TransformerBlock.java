package io.grokscope.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One transformer block: {@link Attention} and {@link FeedForward}, each with its residual, and the
 * {@link LayerNorm}s where the placement puts them (see {@link Transformer} for the four placements).
 */
final class TransformerBlock {

    private final int d;
    private final LayerNormPlacement norm;
    private final boolean preNorm; // PRE or PRE_NORMALISED_STREAM: LN1 and LN2 before the sublayers
    private final boolean streamNorm; // PRE_NORMALISED_STREAM: LN1's output is also the attention's residual
    private final LayerNorm ln1;
    private final LayerNorm ln2;
    private final Attention attention;
    private final FeedForward feedForward;
    private final int chunk; // elements per residual-addition chunk
    private final Lanes<Rows> lanes;

    /** Block {@code l} of a transformer over {@code parameters}. */
    TransformerBlock(Parameters parameters, TransformerSpec spec, int l, DataType dataType) {
        String prefix = "blocks." + l + ".";
        this.d = spec.dModel();
        this.norm = spec.layerNorm();
        this.preNorm = norm.normalisesBeforeSublayers();
        this.streamNorm = norm == LayerNormPlacement.PRE_NORMALISED_STREAM;
        boolean layerNorm = norm != LayerNormPlacement.NONE;
        this.ln1 = layerNorm ? new LayerNorm(parameters, prefix + "ln1", d) : null;
        this.ln2 = layerNorm ? new LayerNorm(parameters, prefix + "ln2", d) : null;
        this.attention = new Attention(parameters, prefix, d, spec.heads(), Transformer.context(spec), dataType);
        this.feedForward = new FeedForward(parameters, prefix, d, spec.dMlp(), spec.activation() == Activation.GELU);
        this.chunk = Math.max(d, spec.dMlp());
        this.lanes = new Lanes<>(Rows::new);
    }

    /** One lane's rows for the residual additions. */
    private final class Rows {
        final double[] a = new double[chunk];
        final double[] b = new double[chunk];
    }

    /** The MLP's output weights W_out, for the model's logit map. */
    INDArray mlpOutputWeights() {
        return feedForward.outputWeights();
    }

    /** The block's input rows {@code f.xIn} to its output rows {@code f.out}, keeping what the backward pass needs. */
    void forward(TransformerWorkspace.Layer f, boolean training) {
        int nq = f.nq;
        if (preNorm) {
            ln1.forward(f.xInView, f.attnInView, f.rows, f.ln1Mean, f.ln1Rstd);
        }
        attention.forward(f);
        addInto(f.s1View, streamNorm ? f.attnInQView : f.xqView, nq * d);
        if (norm == LayerNormPlacement.POST) {
            ln1.forward(f.s1View, f.midView, nq, f.s1Mean, f.s1Rstd);
        } else if (preNorm) {
            ln2.forward(f.midView, f.mlpInView, nq, f.midMean, f.midRstd);
        }
        feedForward.forward(f, training);
        if (norm == LayerNormPlacement.POST) {
            ln2.forward(f.s2View, f.outView, nq, f.s2Mean, f.s2Rstd);
        }
    }

    /**
     * Given the gradient w.r.t. the block's output rows ({@code dOut}, overwritten as scratch), writes the gradients
     * of the block's parameters and the gradient w.r.t. the block's input, all positions, into {@code f.dIn}.
     */
    void backward(TransformerWorkspace.Layer f, INDArray dOut, HostView dOutView) {
        int nq = f.nq;
        if (norm == LayerNormPlacement.POST) {
            ln2.backward(f.s2View, dOutView, nq, f.s2Mean, f.s2Rstd);
        }
        // dOut = d(mlp out) = d(mid) through the residual.
        if (preNorm) {
            feedForward.backward(f, dOut, dOutView, f.dMlpIn, 0.0);
            ln2.backward(f.midView, f.dMlpInView, nq, f.midMean, f.midRstd);
            addInto(dOutView, f.dMlpInView, nq * d);
        } else {
            feedForward.backward(f, dOut, dOutView, dOut, 1.0);
        }
        // dOut = d(mid).
        if (norm == LayerNormPlacement.POST) {
            ln1.backward(f.s1View, dOutView, nq, f.s1Mean, f.s1Rstd);
        }
        // dOut = d(attention out) = d(residual at the query rows).
        attention.backward(f, dOut);
        if (streamNorm) {
            // The residual continued from LN1(x), so its gradient joins the attention input's before LN1.
            addInto(f.dInQView, dOutView, nq * d);
            ln1.backward(f.xInView, f.dInView, f.rows, f.ln1Mean, f.ln1Rstd);
            return;
        }
        if (preNorm) {
            ln1.backward(f.xInView, f.dInView, f.rows, f.ln1Mean, f.ln1Rstd);
        }
        addInto(f.dInQView, dOutView, nq * d);
    }

    /** target[e] += source[e] for e < count, a chunk at a time (element-wise: the split changes no bit). */
    private void addInto(HostView target, HostView source, int count) {
        int chunks = (count + chunk - 1) / chunk;
        lanes.run(chunks, (lane, from, to) -> {
            double[] a = lane.a;
            double[] b = lane.b;
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
}
