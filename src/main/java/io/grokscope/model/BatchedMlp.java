package io.grokscope.model;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Several MLPs of one shape ("run lanes", one per training run of a sweep) trained as one batched computation: every
 * matrix product of a training step runs once for all lanes as a batched product over {@code [lanes, rows, width]}
 * stacks, instead of once per run.
 *
 * <p>Not to be confused with {@link Lanes}, which splits the rows of ONE model's kernels over two threads; here a lane
 * is a whole model.
 *
 * <h2>Layout</h2>
 * The lanes' parameters are the rows of one {@code [lanes, size]} buffer (and their gradients of another), each row
 * laid out exactly as a stand-alone {@link Mlp}'s flat buffer. Each lane is a real {@link Mlp} over its row
 * ({@link #lane}), initialised by the same code from its own seed and init scale, so a lane's initial weights, its
 * evaluation, logits, token embedding and checkpoints are those of the solo model by construction. For the batched
 * products each weight tensor is also seen as a strided 3-D view {@code [lanes, in, out]} (lane stride = size) of that
 * buffer, so no weights are copied before a product and the weight gradients land directly in each lane's row.
 *
 * <h2>Bit-identical to solo runs</h2>
 * A lane's loss and gradients are bit for bit those of its solo {@link Mlp#lossAndGradients} on the same batch:
 * <ul>
 *   <li>the products go through {@code Nd4j.matmul} on rank-3 arrays; on the CPU backend (OpenBLAS) each lane's slice
 *       is computed with the same sgemm and the same inner dimension as the solo model's {@code Nd4j.gemm}, which
 *       gives the same bits (held by {@code BatchedMlpTest} and the lane-versus-solo trainer tests);</li>
 *   <li>every element-wise pass (embedding gather, bias + activation, loss and its gradient, activation backward,
 *       bias-gradient sums, embedding scatter) runs the solo model's own row kernels ({@link MlpKernels},
 *       {@link OutputHead}) over a lane's staged block of rows: the same double arithmetic, and every partial sum
 *       taken over the same two row halves ({@code [0, n/2)}, {@code [n/2, n)}) and combined in the same order as
 *       {@link Lanes} does for the solo model. Only the assignment of work to threads
 *       differs (here whole lanes go to the two threads), and that does not change a bit.</li>
 * </ul>
 * The equality holds at the same BLAS thread count as the solo run's: OpenBLAS 0.3.19 computes other bits on one
 * thread than on two (measured), so a batch and the solo runs it stands for must share the setting (the job pool sets
 * it per worker). At one BLAS thread the products run as two half-stacks on two threads at once
 * ({@code splitProducts()}); a single-threaded product's bits do not depend on the caller.
 *
 * <h2>What batching buys on a CPU</h2>
 * Fewer calls, not faster arithmetic: each lane still costs its own small sgemms, exponentials and element-wise passes
 * (libnd4j runs a rank-3 product as one sgemm per lane), so what a batch saves is the per-op overhead of the solo step
 * and, at two BLAS threads, most of OpenBLAS's per-call thread hand-offs. The README's lane benchmark measures it.
 *
 * <h2>What would run on CUDA, and what would not</h2>
 * The batched products ({@code Nd4j.matmul} on rank-3 stacks, strided weight views included; libnd4j maps them to
 * batched cuBLAS GEMMs) and the exponentials of the softmax (one {@code Exp} op over all lanes) are ND4J ops and would
 * run on the device unchanged. The element-wise passes are host loops over {@link HostView}s (direct off-heap access
 * to the host copy of a buffer), as in the solo {@link Mlp}; on the CUDA backend they would read stale host copies, so
 * they are CPU-only as written. A device path would replace them with ND4J ops (broadcast bias add + relu, a softmax
 * cross-entropy op, segment sums for the bias gradients and a scatter-add for the embedding gradient), which round in
 * float where these kernels accumulate in double; its lanes would then match the CPU solo runs only within a
 * tolerance (about 1e-6 relative per step, growing with training), not bit for bit. They are kept here because the
 * CPU is the production backend and bit-identical lanes are what make a sweep's cells equal its solo runs.
 *
 * <h2>Lanes that sit out a step</h2>
 * {@link #lossAndGradients} takes one batch per lane, all of one size; a null batch means the lane sits out (stopped,
 * finished, or at another batch size this step): its slot is still computed (on another lane's inputs), which costs
 * time but changes nothing a caller reads, because only the lanes with a batch get their gradients consumed.
 */
public final class BatchedMlp {

    /** Below this many rows in all lanes together, both lane halves run on the calling thread. */
    static final int PARALLEL_ROWS = 512;

    private final int lanes;
    private final MlpSpec shape;
    private final int elements;
    private final int layers;
    private final int[] widths;
    private final int inputWidth;
    private final boolean oneHot;
    private final boolean quadratic;
    private final int size; // parameters per lane

    private final Mlp[] models;
    private final HostView values; // [lanes * size]
    private final HostView gradients;

    // Offsets of the named tensors inside one lane's row.
    private final int embedOffset;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int unembedBiasOffset;
    private final int firstLayerLength; // W_E (embedding) or hidden.0.W (one-hot)

    // Strided [lanes, in, out] views of the weights and their gradients.
    private final INDArray[] weights;
    private final INDArray[] weightGradients;
    private final INDArray unembed;
    private final INDArray unembedGradient;

    private final int widest;
    private final Scratch[] halves = new Scratch[2];
    private final Map<Integer, Workspace> workspaces = new HashMap<>();
    private final Buffers buffers; // allocates the workspaces and counts their elements

    /**
     * @param specs    one per lane: equal except for {@link MlpSpec#initScale()}
     * @param elements the task's element count (inputs and classes)
     * @param dataType FLOAT (training) or DOUBLE
     * @param seeds    one initialisation seed per lane, as {@link Models#create} takes it
     */
    public BatchedMlp(List<MlpSpec> specs, int elements, DataType dataType, long[] seeds) {
        Objects.requireNonNull(specs, "specs");
        if (specs.isEmpty() || specs.size() != seeds.length) {
            throw new IllegalArgumentException("one spec and one seed per lane, at least one lane");
        }
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("models are FLOAT or DOUBLE, not " + dataType);
        }
        this.shape = specs.get(0);
        for (MlpSpec spec : specs) {
            if (!sameShape(shape, spec)) {
                throw new IllegalArgumentException("lanes differ in more than the init scale: " + shape + " vs " + spec);
            }
        }
        this.lanes = specs.size();
        this.elements = elements;
        this.oneHot = shape.inputEncoding() == InputEncoding.ONE_HOT;
        this.quadratic = shape.activation() == Activation.QUADRATIC;
        this.widths = shape.hiddenDims().stream().mapToInt(Integer::intValue).toArray();
        this.layers = widths.length;
        this.inputWidth = oneHot ? 2 * elements : 2 * shape.embedDim();

        Map<String, long[]> shapes = Mlp.shapes(shape, elements);
        long perLane = 0;
        Map<String, Integer> offsets = new HashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            offsets.put(e.getKey(), Math.toIntExact(perLane));
            perLane += length(e.getValue());
        }
        if (perLane * lanes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many parameters for one stacked buffer: " + lanes + " x " + perLane);
        }
        this.size = (int) perLane;
        INDArray valueStack = Nd4j.zeros(dataType, lanes, size);
        INDArray gradientStack = Nd4j.zeros(dataType, lanes, size);
        this.values = HostView.of(valueStack);
        this.gradients = HostView.of(gradientStack);
        this.models = new Mlp[lanes];
        for (int l = 0; l < lanes; l++) {
            Parameters parameters = Parameters.view(shapes, valueStack.getRow(l), gradientStack.getRow(l));
            models[l] = new Mlp(specs.get(l), elements, dataType, seeds[l], parameters);
        }

        this.embedOffset = oneHot ? -1 : offsets.get("W_E");
        this.weightOffset = new int[layers];
        this.biasOffset = new int[layers];
        this.weights = new INDArray[layers];
        this.weightGradients = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = offsets.get(Mlp.weightName(l));
            biasOffset[l] = offsets.get(Mlp.biasName(l));
            long[] w = shapes.get(Mlp.weightName(l));
            weights[l] = stacked(valueStack, weightOffset[l], w);
            weightGradients[l] = stacked(gradientStack, weightOffset[l], w);
        }
        long[] u = shapes.get("W_U");
        this.unembed = stacked(valueStack, offsets.get("W_U"), u);
        this.unembedGradient = stacked(gradientStack, offsets.get("W_U"), u);
        this.unembedBiasOffset = offsets.get("b_U");
        this.firstLayerLength = oneHot ? 2 * elements * widths[0] : elements * shape.embedDim();
        this.widest = Math.max(Math.max(inputWidth, elements), Arrays.stream(widths).max().orElse(1));
        halves[0] = new Scratch();
        halves[1] = new Scratch();
        this.buffers = new Buffers(dataType);
    }

    /** Whether two specs can be lanes of one batch: everything equal but the init scale. */
    public static boolean sameShape(MlpSpec a, MlpSpec b) {
        return a.embedDim() == b.embedDim() && a.hiddenDims().equals(b.hiddenDims())
                && a.activation() == b.activation() && a.inputEncoding() == b.inputEncoding();
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Tensor {@code [in, out]} at {@code offset} in every row of {@code stack}, as one {@code [lanes, in, out]} view. */
    private INDArray stacked(INDArray stack, int offset, long[] tensor) {
        return Nd4j.create(stack.data(), new long[] {lanes, tensor[0], tensor[1]},
                new long[] {size, tensor[1], 1}, offset, 'c');
    }

    /** Number of lanes. */
    public int lanes() {
        return lanes;
    }

    /** Lane {@code l} as a model of its own (a view: it shares the lane's parameters with this batch). */
    public Model lane(int l) {
        return models[l];
    }

    /**
     * One forward and backward pass for every lane that has a batch: overwrites each such lane's gradients with the
     * gradient of its mean loss on its batch.
     *
     * @param batches one per lane, all of the same size; null for a lane that sits out this step
     * @return each lane's mean loss, NaN for lanes that sat out
     */
    public double[] lossAndGradients(Examples[] batches, Loss loss) {
        if (batches.length != lanes) {
            throw new IllegalArgumentException("expected " + lanes + " batches, got " + batches.length);
        }
        Examples any = null;
        for (Examples b : batches) {
            if (b != null) {
                if (any != null && b.size() != any.size()) {
                    throw new IllegalArgumentException("the lanes' batches differ in size: " + any.size() + " vs "
                            + b.size());
                }
                any = b;
            }
        }
        if (any == null) {
            throw new IllegalArgumentException("no lane has a batch");
        }
        int n = any.size();
        if (n == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        Examples[] inputs = new Examples[lanes];
        for (int l = 0; l < lanes; l++) {
            inputs[l] = batches[l] != null ? batches[l] : any;
        }
        Workspace w = workspaces.computeIfAbsent(n, Workspace::new);
        forward(w, inputs, n);
        lossAndGradient(w, inputs, n, loss);
        backward(w, inputs, n);
        double[] out = new double[lanes];
        for (int l = 0; l < lanes; l++) {
            out[l] = batches[l] != null ? w.laneLoss[l] : Double.NaN;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lane scheduling

    @FunctionalInterface
    private interface LaneKernel {
        void run(Scratch scratch, int lane);
    }

    /** Runs {@code kernel} for every lane: lanes [0, L/2) on this thread, [L/2, L) on another when it pays. */
    private void forLanes(int rowsPerLane, LaneKernel kernel) {
        int mid = lanes / 2;
        Runnable second = () -> {
            for (int l = mid; l < lanes; l++) {
                kernel.run(halves[1], l);
            }
        };
        if (lanes < 2 || (long) lanes * rowsPerLane < PARALLEL_ROWS) {
            for (int l = 0; l < mid; l++) {
                kernel.run(halves[0], l);
            }
            second.run();
            return;
        }
        ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(second);
        try {
            for (int l = 0; l < mid; l++) {
                kernel.run(halves[0], l);
            }
        } finally {
            other.join();
        }
    }

    /** One thread's scratch; the {@code ..1} and {@code ..2} partial sums are over a lane's two row halves. */
    private final class Scratch {
        final double[] rowB = new double[widest];
        final double[] bias = new double[widest];
        final double[] acc1 = new double[widest];
        final double[] acc2 = new double[widest];
        final double[] table = new double[firstLayerLength];
        final double[] first1 = new double[firstLayerLength];
        final double[] first2 = new double[firstLayerLength];
        private double[] blockA = new double[0];
        private double[] blockB = new double[0];

        /**
         * A whole lane's rows of one buffer, staged in double: one bulk read and one bulk write per lane and kernel
         * instead of one per row (a row is only 31 to 128 wide, so per-call costs would dominate).
         */
        double[] blockA(int length) {
            if (blockA.length < length) {
                blockA = new double[length];
            }
            return blockA;
        }

        double[] blockB(int length) {
            if (blockB.length < length) {
                blockB = new double[length];
            }
            return blockB;
        }
    }

    private int checkToken(int token) {
        if (token < 0 || token >= elements) {
            throw new IllegalArgumentException("token " + token + " outside 0.." + (elements - 1));
        }
        return token;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Products and exponentials

    /**
     * Whether this step's products run as two half-stacks on two threads. Only at one BLAS thread: a single-threaded
     * product gives the same bits whoever calls it, while a multi-threaded OpenBLAS called from two threads at once
     * may run one of the calls on fewer threads, which computes other bits (OpenBLAS's kernels differ by thread count)
     * and would break the equality with solo runs. Read per step because the count is a process-wide setting.
     */
    private boolean splitProducts() {
        return lanes >= 2 && Nd4j.factory().blas().getMaxThreads() == 1;
    }

    /** Lanes [from, to) of a {@code [lanes, r, c]} stack (or strided weight view), as a view. */
    private static INDArray slab(INDArray stack, int from, int to) {
        // Built from the buffer, shape and strides: an interval view of a custom-strided weight view fails matmul's
        // validation in ND4J 1.0.0-M2.1.
        long[] stride = stack.stride();
        return Nd4j.create(stack.data(), new long[] {to - from, stack.size(1), stack.size(2)}, stride,
                stack.offset() + from * stride[0], 'c');
    }

    /** c = op(a)·op(b) for every lane: one batched product, or two half-stacks at once (see {@link #splitProducts}). */
    private void product(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB) {
        if (!splitProducts()) {
            Nd4j.matmul(a, b, c, transposeA, transposeB, false);
            return;
        }
        int mid = lanes / 2;
        ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> Nd4j.matmul(slab(a, mid, lanes),
                slab(b, mid, lanes), slab(c, mid, lanes), transposeA, transposeB, false));
        try {
            Nd4j.matmul(slab(a, 0, mid), slab(b, 0, mid), slab(c, 0, mid), transposeA, transposeB, false);
        } finally {
            other.join();
        }
    }

    /** Element-wise exp in place: one op over all lanes, or two halves at once (element-wise: the same bits). */
    private void exp(INDArray x) {
        if (!splitProducts()) {
            Nd4j.exec(new Exp(x, x));
            return;
        }
        int mid = lanes / 2;
        INDArray second = slab(x, mid, lanes);
        ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> Nd4j.exec(new Exp(second, second)));
        try {
            INDArray first = slab(x, 0, mid);
            Nd4j.exec(new Exp(first, first));
        } finally {
            other.join();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Forward

    private void forward(Workspace w, Examples[] inputs, int n) {
        if (oneHot) {
            gatherOneHotLayer(w, inputs, n);
        } else {
            gatherEmbeddings(w, inputs, n);
            product(w.input, weights[0], w.preActivation(0), false, false);
        }
        activate(w, 0, n);
        for (int l = 1; l < layers; l++) {
            product(w.post[l - 1], weights[l], w.preActivation(l), false, false);
            activate(w, l, n);
        }
        product(w.post[layers - 1], unembed, w.logits, false, false);
    }

    private void gatherEmbeddings(Workspace w, Examples[] inputs, int n) {
        int e = shape.embedDim();
        HostView x = w.inputView;
        forLanes(n, (s, lane) -> {
            double[] table = s.table;
            values.read(lane * size + embedOffset, table, 0, elements * e);
            int[] left = inputs[lane].left();
            int[] right = inputs[lane].right();
            double[] block = s.blockA(n * 2 * e);
            for (int i = 0; i < n; i++) {
                System.arraycopy(table, checkToken(left[i]) * e, block, i * 2 * e, e);
                System.arraycopy(table, checkToken(right[i]) * e, block, i * 2 * e + e, e);
            }
            x.write(block, 0, lane * n * 2 * e, n * 2 * e);
        });
    }

    private void gatherOneHotLayer(Workspace w, Examples[] inputs, int n) {
        int h = widths[0];
        HostView pre = w.preView(0);
        forLanes(n, (s, lane) -> {
            double[] table = s.table;
            values.read(lane * size + weightOffset[0], table, 0, firstLayerLength);
            int[] left = inputs[lane].left();
            int[] right = inputs[lane].right();
            double[] block = s.blockA(n * h);
            for (int i = 0; i < n; i++) {
                int ra = checkToken(left[i]) * h;
                int rb = (elements + checkToken(right[i])) * h;
                MlpKernels.gatherOneHot(table, ra, rb, block, i * h, h);
            }
            pre.write(block, 0, lane * n * h, n * h);
        });
    }

    private void activate(Workspace w, int layer, int n) {
        int h = widths[layer];
        HostView post = w.postViews[layer];
        HostView pre = quadratic ? w.preViews[layer] : null;
        forLanes(n, (s, lane) -> {
            double[] bias = s.bias;
            values.read(lane * size + biasOffset[layer], bias, 0, h);
            int length = n * h;
            int from = lane * length;
            double[] a = s.blockA(length);
            if (quadratic) {
                double[] b = s.blockB(length);
                pre.read(from, a, 0, length);
                for (int i = 0; i < n; i++) {
                    MlpKernels.biasSquare(a, b, i * h, bias, h);
                }
                pre.write(a, 0, from, length);
                post.write(b, 0, from, length);
            } else {
                post.read(from, a, 0, length);
                for (int i = 0; i < n; i++) {
                    MlpKernels.biasRelu(a, i * h, bias, h);
                }
                post.write(a, 0, from, length);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Losses

    /**
     * {@link OutputHead}'s loss and its gradient, its row kernels run per lane over the lane's whole block of rows,
     * each half's partial sums apart as {@link Lanes} keeps them for the solo model. Leaves each lane's mean loss in
     * {@code w.laneLoss}.
     */
    private void lossAndGradient(Workspace w, Examples[] inputs, int n, Loss loss) {
        HostView z = w.logitsView;
        HostView dz = w.logitGradView;
        double[] answerShift = w.answerShift;
        boolean crossEntropy = loss == Loss.CROSS_ENTROPY;
        int length = n * elements;
        if (crossEntropy) {
            forLanes(n, (s, lane) -> {
                double[] bias = s.bias;
                values.read(lane * size + unembedBiasOffset, bias, 0, elements);
                int[] answer = inputs[lane].answer();
                int base = lane * n;
                double[] block = s.blockA(length);
                z.read(base * elements, block, 0, length);
                for (int i = 0; i < n; i++) {
                    answerShift[base + i] = OutputHead.shiftRow(block, i * elements, bias, elements, answer[i]);
                }
                dz.write(block, 0, base * elements, length);
            });
            exp(w.logitGrad);
        }
        double invN = 1.0 / n;
        double count = (double) n * elements;
        forLanes(n, (s, lane) -> {
            int[] answer = inputs[lane].answer();
            int base = lane * n;
            double[] block = s.blockA(length);
            double total;
            if (crossEntropy) {
                dz.read(base * elements, block, 0, length);
                total = inHalves(n, s.acc1, s.acc2, elements, (i, biasGrad) -> OutputHead.crossEntropyGradientRow(
                        block, i * elements, elements, answer[i], answerShift[base + i], invN, biasGrad)) * invN;
            } else {
                double[] bias = s.rowB;
                values.read(lane * size + unembedBiasOffset, bias, 0, elements);
                z.read(base * elements, block, 0, length);
                total = inHalves(n, s.acc1, s.acc2, elements, (i, biasGrad) -> OutputHead.squaredErrorGradientRow(
                        block, i * elements, bias, elements, answer[i], count, biasGrad)) / count;
            }
            Lanes.combine(s.acc1, s.acc2, s.bias, elements);
            dz.write(block, 0, base * elements, length);
            gradients.write(s.bias, 0, lane * size + unembedBiasOffset, elements);
            w.laneLoss[lane] = total;
        });
    }

    /** A kernel over row {@code i} of a lane: adds into {@code sums}, returns the row's share of a total (or 0). */
    @FunctionalInterface
    private interface RowKernel {
        double row(int i, double[] sums);
    }

    /**
     * Runs {@code kernel} over one lane's rows as the solo model's two {@link Lanes} would: rows [0, n/2) adding into
     * {@code first}, rows [n/2, n) into {@code second} (each cleared over {@code width} first), and returns the two
     * halves' totals combined in that order. The caller combines the sums with {@link Lanes#combine}.
     */
    private static double inHalves(int n, double[] first, double[] second, int width, RowKernel kernel) {
        int mid = n / 2;
        Arrays.fill(first, 0, width, 0.0);
        double firstTotal = 0;
        for (int i = 0; i < mid; i++) {
            firstTotal += kernel.row(i, first);
        }
        Arrays.fill(second, 0, width, 0.0);
        double secondTotal = 0;
        for (int i = mid; i < n; i++) {
            secondTotal += kernel.row(i, second);
        }
        double total = 0;
        total += firstTotal;
        total += secondTotal;
        return total;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward

    private void backward(Workspace w, Examples[] inputs, int n) {
        product(w.post[layers - 1], w.logitGrad, unembedGradient, true, false);
        product(w.logitGrad, unembed, w.grad[layers - 1], false, true);
        for (int l = layers - 1; l >= 0; l--) {
            activationBackward(w, l, n);
            if (l > 0) {
                product(w.post[l - 1], w.grad[l], weightGradients[l], true, false);
                product(w.grad[l], weights[l], w.grad[l - 1], false, true);
            }
        }
        if (oneHot) {
            scatterOneHotLayer(w, inputs, n);
        } else {
            product(w.input, w.grad[0], weightGradients[0], true, false);
            product(w.grad[0], weights[0], w.inputGrad, false, true);
            scatterEmbeddings(w, inputs, n);
        }
    }

    private void activationBackward(Workspace w, int layer, int n) {
        int h = widths[layer];
        HostView g = w.gradViews[layer];
        HostView other = quadratic ? w.preViews[layer] : w.postViews[layer];
        forLanes(n, (s, lane) -> {
            int length = n * h;
            int from = lane * length;
            double[] a = s.blockA(length);
            double[] b = s.blockB(length);
            g.read(from, a, 0, length);
            other.read(from, b, 0, length);
            inHalves(n, s.acc1, s.acc2, h, (i, acc) -> {
                MlpKernels.activationBackward(a, b, i * h, h, quadratic, acc);
                return 0;
            });
            g.write(a, 0, from, length);
            Lanes.combine(s.acc1, s.acc2, s.bias, h);
            gradients.write(s.bias, 0, lane * size + biasOffset[layer], h);
        });
    }

    private void scatterEmbeddings(Workspace w, Examples[] inputs, int n) {
        int e = shape.embedDim();
        HostView dx = w.inputGradView;
        forLanes(n, (s, lane) -> {
            int[] left = inputs[lane].left();
            int[] right = inputs[lane].right();
            int length = n * 2 * e;
            double[] a = s.blockA(length);
            dx.read(lane * length, a, 0, length);
            inHalves(n, s.first1, s.first2, firstLayerLength, (i, acc) -> {
                MlpKernels.scatterEmbedding(a, i * 2 * e, e, left[i] * e, right[i] * e, acc);
                return 0;
            });
            Lanes.combine(s.first1, s.first2, s.table, firstLayerLength);
            gradients.write(s.table, 0, lane * size + embedOffset, firstLayerLength);
        });
    }

    private void scatterOneHotLayer(Workspace w, Examples[] inputs, int n) {
        int h = widths[0];
        HostView g = w.gradViews[0];
        forLanes(n, (s, lane) -> {
            int[] left = inputs[lane].left();
            int[] right = inputs[lane].right();
            int length = n * h;
            double[] row = s.blockA(length);
            g.read(lane * length, row, 0, length);
            inHalves(n, s.first1, s.first2, firstLayerLength, (i, acc) -> {
                MlpKernels.scatterOneHot(row, i * h, h, left[i] * h, (elements + right[i]) * h, acc);
                return 0;
            });
            Lanes.combine(s.first1, s.first2, s.table, firstLayerLength);
            gradients.write(s.table, 0, lane * size + weightOffset[0], firstLayerLength);
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Buffers

    /**
     * Array elements the training workspace of {@code lanes} lanes at {@code n} rows each allocates: {@link Mlp}'s
     * training workspace per lane (the lanes' own evaluation workspaces come on top, one per lane as for a solo run).
     */
    public static long workspaceFloats(MlpSpec spec, int elements, int lanes, long n) {
        return lanes * Mlp.workspaceFloats(spec, elements, n, true);
    }

    /** Elements allocated for workspaces so far, for tests of the static {@code workspaceFloats}. */
    long workspaceFloats() {
        return buffers.floats();
    }

    private INDArray stack(int n, int width) {
        return buffers.stack(lanes, n, width);
    }

    /** The stacked {@code [lanes, n, width]} activation buffers of one batch size, allocated on first use. */
    private final class Workspace {
        final INDArray input;
        final HostView inputView;
        final INDArray[] pre;
        final HostView[] preViews;
        final INDArray[] post;
        final HostView[] postViews;
        final INDArray logits;
        final HostView logitsView;
        final INDArray logitGrad;
        final HostView logitGradView;
        final INDArray[] grad;
        final HostView[] gradViews;
        final INDArray inputGrad;
        final HostView inputGradView;
        final double[] answerShift;
        final double[] laneLoss = new double[lanes];

        Workspace(int n) {
            if ((long) lanes * n * widest > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("lanes x rows x width too large for one stack: " + lanes + " x "
                        + n + " x " + widest);
            }
            this.input = oneHot ? null : stack(n, inputWidth);
            this.inputView = input == null ? null : HostView.of(input);
            this.pre = new INDArray[layers];
            this.preViews = new HostView[layers];
            this.post = new INDArray[layers];
            this.postViews = new HostView[layers];
            this.grad = new INDArray[layers];
            this.gradViews = new HostView[layers];
            for (int l = 0; l < layers; l++) {
                post[l] = stack(n, widths[l]);
                postViews[l] = HostView.of(post[l]);
                if (quadratic) {
                    pre[l] = stack(n, widths[l]);
                    preViews[l] = HostView.of(pre[l]);
                }
                grad[l] = stack(n, widths[l]);
                gradViews[l] = HostView.of(grad[l]);
            }
            this.logits = stack(n, elements);
            this.logitsView = HostView.of(logits);
            this.logitGrad = stack(n, elements);
            this.logitGradView = HostView.of(logitGrad);
            this.inputGrad = oneHot ? null : stack(n, inputWidth);
            this.inputGradView = inputGrad == null ? null : HostView.of(inputGrad);
            this.answerShift = new double[lanes * n];
        }

        INDArray preActivation(int l) {
            return quadratic ? pre[l] : post[l];
        }

        HostView preView(int l) {
            return quadratic ? preViews[l] : postViews[l];
        }
    }
}
