package io.grokscope.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The buffers of one batch size of a {@link Transformer}, allocated on first use and reused every step: allocating and
 * zeroing [3n, dModel] arrays every step would cost as much as the products that fill them. The residual stream is
 * stored position-major (row t·n + i is position t of example i), so the last position of a batch is one contiguous
 * block of rows that BLAS reads and writes in place as a view.
 */
final class TransformerWorkspace {

    final int n;
    final Layer[] layer;
    final INDArray fin; // pre-LN: LN_final of the last position
    final HostView finView;
    final double[] finMean;
    final double[] finRstd;
    final INDArray logits;
    final HostView logitsView;
    final double[] answerShift; // cross-entropy: the answer's logit minus the row maximum
    INDArray logitGrad;
    HostView logitGradView;
    INDArray dFinal; // gradient w.r.t. the last block's output (last position)
    HostView dFinalView;

    private final Shape shape;
    private final Buffers buffers;

    /** What the buffers' sizes depend on. */
    record Shape(int elements, int ctx, int d, int heads, int dMlp, int layers, LayerNormPlacement norm,
            boolean gelu) {

        static Shape of(TransformerSpec spec, int elements) {
            return new Shape(elements, Transformer.context(spec), spec.dModel(), spec.heads(), spec.dMlp(),
                    spec.layers(), spec.layerNorm(), spec.activation() == Activation.GELU);
        }

        boolean preNorm() {
            return norm.normalisesBeforeSublayers();
        }

        boolean postNorm() {
            return norm == LayerNormPlacement.POST;
        }
    }

    TransformerWorkspace(Shape shape, Buffers buffers, int n) {
        this.shape = shape;
        this.buffers = buffers;
        this.n = n;
        this.layer = new Layer[shape.layers()];
        INDArray input = buffers.matrix((long) n * shape.ctx(), shape.d());
        for (int l = 0; l < shape.layers(); l++) {
            layer[l] = new Layer(n, input, l == shape.layers() - 1);
            input = layer[l].out;
        }
        boolean pre = shape.preNorm();
        this.fin = pre ? buffers.matrix(n, shape.d()) : null;
        this.finView = pre ? HostView.of(fin) : null;
        this.finMean = pre ? new double[n] : null;
        this.finRstd = pre ? new double[n] : null;
        this.logits = buffers.matrix(n, shape.elements());
        this.logitsView = HostView.of(logits);
        this.answerShift = new double[n];
    }

    /** Adds the backward pass's buffers, once. */
    void ensureTraining() {
        if (logitGrad != null) {
            return;
        }
        logitGrad = buffers.matrix(n, shape.elements());
        logitGradView = HostView.of(logitGrad);
        dFinal = buffers.matrix(n, shape.d());
        dFinalView = HostView.of(dFinal);
        for (Layer f : layer) {
            f.ensureTraining();
        }
    }

    /** The last block's output rows (the last position only). */
    Layer last() {
        return layer[layer.length - 1];
    }

    /**
     * Elements of the workspace buffers of one batch size: what a workspace and its {@link Layer}s allocate for
     * {@code n} sequences, forward only or with the training buffers too (the double[] row statistics on the heap are
     * left out: they are O(n·ctx), not O(n·ctx·d)). The memory estimate of a run is built on this, and a test holds it
     * to what the workspaces really allocate.
     */
    static long floats(Shape shape, long n, boolean training) {
        long d = shape.d();
        long m = shape.dMlp();
        long elements = shape.elements();
        boolean preNorm = shape.preNorm();
        boolean postNorm = shape.postNorm();
        boolean gelu = shape.gelu();
        long rows = n * shape.ctx();
        long total = rows * d + (preNorm ? n * d : 0) + n * elements; // the input, LN_final, logits
        if (training) {
            total += n * elements + n * d; // logitGrad, dFinal
        }
        for (int l = 0; l < shape.layers(); l++) {
            long nq = l == shape.layers() - 1 ? n : rows; // the last block computes the last position only
            total += (preNorm ? rows * d : 0) + nq * d + rows * 2 * d + nq * d + nq * d // LN1, q, kv, z, s1
                    + (postNorm ? nq * d : 0) + (preNorm ? nq * d : 0) // mid, mlpIn
                    + (gelu ? 2 * nq * m : 0) + nq * m + nq * d + (postNorm ? nq * d : 0); // pre, erf, hidden, s2, out
            if (training) {
                total += rows * d + nq * m + (preNorm ? nq * d : 0) + nq * d + nq * d + rows * 2 * d;
            }
        }
        return total;
    }

    /**
     * One block's activations for a batch of n. Rows of all-position arrays are t·n + i; query-side arrays hold the
     * query rows only: all positions in earlier blocks, the last position in the last block (then
     * {@code qStart = nCtx - 1} and {@code xq}, {@code attnInQ}, {@code dInQ} are views of that row block).
     */
    final class Layer {
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
            int ctx = shape.ctx();
            int d = shape.d();
            int dMlp = shape.dMlp();
            boolean preNorm = shape.preNorm();
            boolean postNorm = shape.postNorm();
            boolean gelu = shape.gelu();
            this.n = n;
            this.rows = n * ctx;
            this.qStart = last ? ctx - 1 : 0;
            this.nq = (ctx - qStart) * n;
            xIn = input;
            xInView = HostView.of(xIn);
            xq = queryRows(xIn);
            xqView = HostView.of(xq);
            attnIn = preNorm ? buffers.matrix(rows, d) : xIn;
            attnInView = HostView.of(attnIn);
            attnInQ = queryRows(attnIn);
            attnInQView = HostView.of(attnInQ);
            ln1Mean = preNorm ? new double[rows] : null;
            ln1Rstd = preNorm ? new double[rows] : null;
            q = buffers.matrix(nq, d);
            qView = HostView.of(q);
            kv = buffers.matrix(rows, 2L * d);
            kvView = HostView.of(kv);
            probs = new double[nq * shape.heads() * ctx];
            z = buffers.matrix(nq, d);
            zView = HostView.of(z);
            s1 = buffers.matrix(nq, d);
            s1View = HostView.of(s1);
            s1Mean = postNorm ? new double[nq] : null;
            s1Rstd = postNorm ? new double[nq] : null;
            mid = postNorm ? buffers.matrix(nq, d) : s1;
            midView = HostView.of(mid);
            mlpIn = preNorm ? buffers.matrix(nq, d) : mid;
            mlpInView = HostView.of(mlpIn);
            midMean = preNorm ? new double[nq] : null;
            midRstd = preNorm ? new double[nq] : null;
            pre = gelu ? buffers.matrix(nq, dMlp) : null;
            preView = gelu ? HostView.of(pre) : null;
            erf = gelu ? buffers.matrix(nq, dMlp) : null;
            erfView = gelu ? HostView.of(erf) : null;
            hidden = buffers.matrix(nq, dMlp);
            hiddenView = HostView.of(hidden);
            s2 = buffers.matrix(nq, d);
            s2View = HostView.of(s2);
            s2Mean = postNorm ? new double[nq] : null;
            s2Rstd = postNorm ? new double[nq] : null;
            out = postNorm ? buffers.matrix(nq, d) : s2;
            outView = HostView.of(out);
        }

        void ensureTraining() {
            int d = shape.d();
            dIn = buffers.matrix(rows, d);
            dInView = HostView.of(dIn);
            dInQ = queryRows(dIn);
            dInQView = HostView.of(dInQ);
            dHidden = buffers.matrix(nq, shape.dMlp());
            dHiddenView = HostView.of(dHidden);
            if (shape.preNorm()) {
                dMlpIn = buffers.matrix(nq, d);
                dMlpInView = HostView.of(dMlpIn);
            }
            dZ = buffers.matrix(nq, d);
            dZView = HostView.of(dZ);
            dQ = buffers.matrix(nq, d);
            dQView = HostView.of(dQ);
            dKV = buffers.matrix(rows, 2L * d);
            dKVView = HostView.of(dKV);
        }

        /** The query rows of an all-positions array: itself, or the contiguous last-position block (a view). */
        private INDArray queryRows(INDArray all) {
            if (qStart == 0) {
                return all;
            }
            return all.get(NDArrayIndex.interval((long) qStart * n, (long) shape.ctx() * n), NDArrayIndex.all());
        }
    }
}
