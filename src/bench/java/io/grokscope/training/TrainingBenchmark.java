package io.grokscope.training;

import io.grokscope.model.Activation;
import io.grokscope.model.HostView;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.model.Model;
import io.grokscope.model.ModelSpec;
import io.grokscope.model.Models;
import io.grokscope.model.TransformerSpec;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times one full-batch training update of the grokking MLP and of Nanda et al.'s transformer, and compares it with
 * the time ND4J's GEMM alone needs for the same step's matrix products, measured in the same run (absolute times
 * drift between runs and machines; ratios measured together do not).
 *
 * <p>Run: {@code mvn -Pbench -q test-compile exec:exec} (the {@code bench} profile adds {@code src/bench/java} to the
 * test sources and forks a JVM running this class, the profile's default {@code bench.main}). Timed and warm-up
 * steps per model: {@code -Dbench.steps=20} and {@code -Dbench.warmup=10} (the defaults; also the two program
 * arguments); {@code -Dbench.models=transformer} (or {@code mlp}) measures one model only.
 *
 * <p>What is timed is the trainer's update exactly ({@code Nd4jTrainer.Run.update}): forward and backward
 * ({@link Model#lossAndGradients}), the raw gradient norm, the gradient filter (none) and the AdamW step; no
 * evaluation, progress measure or checkpoint. The GEMM reference replays the step's products with
 * {@code Nd4j.gemm} into preallocated 'c'-ordered arrays of the same shapes and transpose flags.
 */
public final class TrainingBenchmark {

    private TrainingBenchmark() {
    }

    /** One product C[m,n] = op(A)·op(B) with inner dimension k. */
    record Product(String name, int m, int n, int k, boolean transposeA, boolean transposeB) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    public static void main(String[] args) throws Exception {
        int timed = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("bench.steps", 20);
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : Integer.getInteger("bench.warmup", 10);
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);

        System.out.println("Grokscope training benchmark");
        System.out.println("  machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " processors; Java " + System.getProperty("java.version"));
        System.out.println("  ND4J backend: " + Nd4j.getBackend().getClass().getSimpleName() + ", BLAS threads "
                + Nd4j.factory().blas().getMaxThreads() + ", ND4J op threads " + Nd4j.getEnvironment().maxThreads()
                + ", FP32; OPENBLAS_THREAD_TIMEOUT=" + System.getenv().getOrDefault("OPENBLAS_THREAD_TIMEOUT",
                "unset (OpenBLAS's default, 28)"));
        System.out.println("  per step: timed " + timed + " steps after " + warmup + " warm-up steps, each followed by "
                + "one run of the same step's products through Nd4j.gemm alone");
        System.out.println();

        largeSgemm();

        TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 113, 0.3, 0));
        OptimizerSpec adamW = OptimizerSpec.nanda();
        int n = data.train().size();
        System.out.println("Task: (a + b) mod 113, train fraction 0.3 -> " + n + " train examples, full batch");
        System.out.println("Optimizer: AdamW lr " + adamW.learningRate() + " (warm-up " + adamW.warmupSteps()
                + " steps), weight decay " + adamW.weightDecay() + ", betas " + adamW.beta1() + "/" + adamW.beta2()
                + ", eps " + adamW.epsilon() + ", on all tensors; gradient filter: none; loss: mean softmax "
                + "cross-entropy; evaluation during timing: none");
        System.out.println();

        String models = System.getProperty("bench.models", "mlp,transformer");
        MlpSpec mlp = new MlpSpec(128, List.of(512), Activation.RELU, InputEncoding.EMBEDDING, 1.0);
        // The libtorch step times, the millisecond targets and the GEMM floor quoted below: docs/reference-speeds.md.
        if (models.contains("mlp")) {
            measure("MLP: embedding 113x128 shared by a and b -> 256, hidden 512 ReLU, unembed 512x113 with bias",
                "libtorch 55 ms/step, target <= 43 ms, GEMM floor ~30 ms", mlp, data, adamW, mlpProducts(n), timed,
                warmup);
        }
        if (models.contains("transformer")) {
            measure("Transformer (Nanda et al. 2023): 1 layer, d_model 128, 4 heads x 32, d_mlp 512 ReLU, "
                + "no LayerNorm, \"a b =\", vocab 114, last-position readout",
                "libtorch 75 ms/step last position only, 156 ms all positions; target <= 75 ms and <= 1.7 x GEMM",
                TransformerSpec.nanda(), data, adamW, transformerProducts(n), timed, warmup);
        }
    }

    private static void largeSgemm() {
        System.out.println("ND4J sgemm, square n x n, Nd4j.gemm into a preallocated C:");
        for (int size : new int[] {1024, 2048}) {
            INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
            INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
            INDArray c = Nd4j.create(DataType.FLOAT, size, size);
            int reps = size <= 1024 ? 10 : 4;
            double[] times = new double[reps];
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                times[r] = (System.nanoTime() - t0) / 1e6;
            }
            double flops = 2.0 * size * size * size;
            System.out.printf("  n = %4d: %.1f GFLOP/s (best of %d), %.1f GFLOP/s median%n", size,
                    flops / min(times) / 1e6, reps, flops / median(times) / 1e6);
        }
        System.out.println();
    }

    private static void measure(String title, String target, ModelSpec spec, TaskData data, OptimizerSpec adamW,
            List<Product> products, int timed, int warmup) {
        Model model = Models.create(spec, data.elements(), DataType.FLOAT, 1);
        Optimizer optimizer = Optimizer.create(adamW, model.parameters());
        GradientFilter filter = GradientFilter.create(null, model.parameters());
        HostView gradients = HostView.of(model.parameters().gradients());
        Examples batch = data.train();
        GemmReplay gemm = new GemmReplay(products);

        // Steps and GEMM sets alternate, so that a neighbour's load hits both alike and the ratios stay meaningful on
        // a shared machine.
        double[] stepMs = new double[timed];
        double[] gemmMs = new double[timed];
        double[] ratios = new double[timed];
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        long step = 0;
        for (int s = 0; s < warmup + timed; s++) {
            step++;
            long t0 = System.nanoTime();
            double loss = model.lossAndGradients(batch, Loss.CROSS_ENTROPY);
            double gradNorm = Math.sqrt(gradients.sumOfSquares());
            filter.apply(gradients);
            optimizer.step(step, adamW.learningRateAt(step));
            long t1 = System.nanoTime();
            double g = gemm.run();
            if (s >= warmup) {
                stepMs[s - warmup] = (t1 - t0) / 1e6;
                gemmMs[s - warmup] = g;
                ratios[s - warmup] = stepMs[s - warmup] / g;
            }
            if (s == 0) {
                firstLoss = loss;
            }
            lastLoss = loss;
            if (!Double.isFinite(gradNorm)) {
                throw new IllegalStateException("non-finite gradient at step " + step);
            }
        }
        double flops = products.stream().mapToDouble(Product::flops).sum();

        System.out.println(title);
        System.out.printf("  %,d parameters; %d matrix products per step, %.3f GFLOP%n",
                model.parameters().size(), products.size(), flops / 1e9);
        System.out.printf("  training step: min %.1f ms, median %.1f ms -> %.0f GFLOP/s (min), %.0f GFLOP/s "
                + "(median); loss %.4f at step 1, %.4f at step %d%n", min(stepMs), median(stepMs),
                flops / min(stepMs) / 1e6, flops / median(stepMs) / 1e6, firstLoss, lastLoss, step);
        System.out.printf("  GEMM alone, same products: min %.1f ms, median %.1f ms -> %.0f GFLOP/s (min)%n",
                min(gemmMs), median(gemmMs), flops / min(gemmMs) / 1e6);
        System.out.printf("  ratio step / GEMM: %.2f (min / min), %.2f (median of the %d paired ratios)%n",
                min(stepMs) / min(gemmMs), median(ratios), timed);
        System.out.println("  for comparison (docs/reference-speeds.md, measured elsewhere, idle): " + target);
        System.out.println();
    }

    /** The step's products with Nd4j.gemm into preallocated 'c'-ordered arrays of the same shapes. */
    private static final class GemmReplay {
        private final List<Product> products;
        private final List<INDArray[]> operands = new ArrayList<>();

        GemmReplay(List<Product> products) {
            this.products = products;
            for (Product p : products) {
                INDArray a = p.transposeA() ? Nd4j.rand(DataType.FLOAT, p.k(), p.m())
                        : Nd4j.rand(DataType.FLOAT, p.m(), p.k());
                INDArray b = p.transposeB() ? Nd4j.rand(DataType.FLOAT, p.n(), p.k())
                        : Nd4j.rand(DataType.FLOAT, p.k(), p.n());
                operands.add(new INDArray[] {a, b, Nd4j.create(DataType.FLOAT, p.m(), p.n())});
            }
        }

        /** Runs every product once; returns the time in ms. */
        double run() {
            long t0 = System.nanoTime();
            for (int i = 0; i < products.size(); i++) {
                Product p = products.get(i);
                INDArray[] o = operands.get(i);
                Nd4j.gemm(o[0], o[1], o[2], p.transposeA(), p.transposeB(), 1.0, 0.0);
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /** The Mlp's six products for embedding 128 (x is 2·128 wide), hidden 512, 113 classes. */
    static List<Product> mlpProducts(int n) {
        int x = 256;
        int h = 512;
        int c = 113;
        return List.of(
                new Product("x·W1", n, h, x, false, false),
                new Product("h·W_U", n, c, h, false, false),
                new Product("hᵀ·dz (dW_U)", h, c, n, true, false),
                new Product("dz·W_Uᵀ (dh)", n, h, c, false, true),
                new Product("xᵀ·dh (dW1)", x, h, n, true, false),
                new Product("dh·W1ᵀ (dx)", n, x, h, false, true));
    }

    /**
     * The transformer's products for Nanda's shapes, as Transformer computes them: keys and values (fused, 2·d wide)
     * for all three positions (3n rows), everything else for the last position (n rows).
     */
    static List<Product> transformerProducts(int n) {
        int all = 3 * n;
        int d = 128;
        int m = 512;
        int c = 113;
        return List.of(
                new Product("x·[W_K|W_V]", all, 2 * d, d, false, false),
                new Product("x_last·W_Q", n, d, d, false, false),
                new Product("z·W_O", n, d, d, false, false),
                new Product("x·W_in", n, m, d, false, false),
                new Product("h·W_out", n, d, m, false, false),
                new Product("x·W_U", n, c, d, false, false),
                new Product("dW_U", d, c, n, true, false),
                new Product("d(out)", n, d, c, false, true),
                new Product("dW_out", m, d, n, true, false),
                new Product("d(hidden)", n, m, d, false, true),
                new Product("dW_in", d, m, n, true, false),
                new Product("d(mid) +=", n, d, m, false, true),
                new Product("dW_O", d, d, n, true, false),
                new Product("dz", n, d, d, false, true),
                new Product("dW_Q", d, d, n, true, false),
                new Product("d[W_K|W_V]", d, 2 * d, all, true, false),
                new Product("dx = d[K|V]·[W_K|W_V]ᵀ", all, d, 2 * d, false, true),
                new Product("dx_last += dQ·W_Qᵀ", n, d, d, false, true));
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int k = sorted.length;
        return k % 2 == 1 ? sorted[k / 2] : 0.5 * (sorted[k / 2 - 1] + sorted[k / 2]);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
