package io.grokscope.training;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.Loss;
import io.grokscope.model.MlpSpec;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.Operation;
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
 * Batched runs ({@link BatchedTrainer}) against solo runs ({@link Nd4jTrainer}), all measured in one JVM.
 *
 * <p>Run: {@code mvn -Pbench -q test-compile exec:exec -Dbench.main=io.grokscope.training.LaneBenchmark}.
 *
 * <ol>
 *   <li>ND4J's sgemm on square 1024 x 1024 products, the machine's GEMM rate in this run.</li>
 *   <li>Lane scaling: run-steps per second (lanes x steps / seconds) of the trainer's own loop for 1, 4, 16 and 64
 *       lanes at p = 31, 59 and 113, the solo trainer's rate on the same config, their ratio, and the achieved
 *       GFLOP/s of the step's six matrix products. Timed between the first lane's {@code onStep} after the warm-up
 *       steps and its {@code onStep} at the last step, so the timed window holds whole batched steps (every lane's
 *       gradient norm, filter and optimizer included) and no evaluation (evaluation and checkpoint only at step 0
 *       and the end, outside the window).</li>
 *   <li>The sweep: 16 runs of the p = 31 MLP (seeds 0..15, learning rates and weight decays varied), evaluation
 *       every 100 steps, as 16 solo runs one after another and as one 16-lane batch; wall time of each (task
 *       generation, model creation, every evaluation and checkpoint included) and whether every run's curve equals its
 *       lane's, bit for bit; once at 2 BLAS threads (as the tests and the other benchmarks) and once at 1 (OpenBLAS
 *       computes other bits on one thread, so lanes and solo runs are only compared at the same count).</li>
 * </ol>
 */
public final class LaneBenchmark {

    private LaneBenchmark() {
    }

    /** A task size and MLP shape of the scaling table. */
    record Shape(int p, double trainFraction, int embed, int hidden) {
        int trainSize() {
            return (int) Math.floor(p * p * trainFraction);
        }

        /** FLOPs of one lane's six products per full-batch step: 3 x n x (2E·H + H·p) multiply-adds. */
        double flopsPerLaneStep() {
            return 2.0 * 3 * trainSize() * (2.0 * embed * hidden + (double) hidden * p);
        }

        @Override
        public String toString() {
            return "p = " + p + ": (a + b) mod " + p + ", train fraction " + trainFraction + " -> " + trainSize()
                    + " train pairs, full batch; MLP embed " + embed + " / hidden [" + hidden + "] ReLU";
        }
    }

    public static void main(String[] args) {
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        double seconds = Double.parseDouble(System.getProperty("bench.laneSeconds", "0.5"));
        int sweepSteps = Integer.getInteger("bench.sweepSteps", 500);

        System.out.println("Grokscope lane benchmark (batched runs)");
        System.out.println("  machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " processors; Java " + System.getProperty("java.version"));
        System.out.println("  ND4J backend: " + Nd4j.getBackend().getClass().getSimpleName() + ", BLAS threads "
                + Nd4j.factory().blas().getMaxThreads() + ", ND4J op threads " + Nd4j.getEnvironment().maxThreads()
                + ", FP32; AdamW lr 1e-3 x (1 + 0.1 lane), wd 1, no filter; cross-entropy");
        System.out.println();

        double sgemm = sgemm();

        List<Shape> shapes = List.of(new Shape(31, 0.5, 16, 64), new Shape(59, 0.5, 16, 64),
                new Shape(113, 0.3, 16, 64));
        // JIT warm-up of both paths (their kernels do not depend on the shape), so that no cell pays for compilation.
        Shape reference = shapes.get(0);
        soloSeconds(reference, 400);
        batchedSeconds(reference, 4, 150);
        System.out.println("Lane scaling (full batch; each cell timed " + REPEATS + " times for ~" + seconds
                + " s after 3 warm-up steps, solo and batched interleaved; best of the " + REPEATS + "):");
        for (Shape s : shapes) {
            System.out.println("  " + s);
        }
        System.out.println();
        System.out.println("|   p | lanes | run-steps/s | solo run-steps/s | lanes / solo | ms per batched step "
                + "| GFLOP/s | % of sgemm |");
        System.out.println("|----:|------:|------------:|-----------------:|-------------:|--------------------:"
                + "|--------:|-----------:|");
        int[] laneCounts = {1, 4, 16, 64};
        for (Shape s : shapes) {
            int soloSteps = timedSteps(soloSeconds(s, WARMUP + 10) / 10, seconds);
            int[] steps = new int[laneCounts.length];
            for (int k = 0; k < laneCounts.length; k++) {
                steps[k] = timedSteps(batchedSeconds(s, laneCounts[k], WARMUP + 2) / 2, seconds);
            }
            double solo = 0;
            double[] rates = new double[laneCounts.length];
            for (int r = 0; r < REPEATS; r++) {
                solo = Math.max(solo, soloSteps / soloSeconds(s, WARMUP + soloSteps));
                for (int k = 0; k < laneCounts.length; k++) {
                    rates[k] = Math.max(rates[k], laneCounts[k] * steps[k]
                            / batchedSeconds(s, laneCounts[k], WARMUP + steps[k]));
                    System.gc();
                }
            }
            for (int k = 0; k < laneCounts.length; k++) {
                int lanes = laneCounts[k];
                double rate = rates[k];
                double gflops = rate * s.flopsPerLaneStep() / 1e9;
                System.out.printf("| %3d | %5d | %11.0f | %16.0f | %11.2fx | %19.2f | %7.1f | %9.0f%% |%n", s.p(),
                        lanes, rate, solo, rate / solo, 1e3 * lanes / rate, gflops, 100 * gflops / sgemm);
            }
        }
        System.out.println();
        sweep(sweepSteps, 2);
        // BLAS's thread count changes the bits of its products (OpenBLAS 0.3.19 uses other kernels on one thread),
        // so lanes equal solo runs only at the same count; this second sweep runs both at one thread.
        sweep(sweepSteps, 1);
        Nd4j.getEnvironment().setMaxThreads(2);
        Nd4j.factory().blas().setMaxThreads(2);
    }

    private static double sgemm() {
        int size = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray b = Nd4j.rand(DataType.FLOAT, size, size);
        INDArray c = Nd4j.create(DataType.FLOAT, size, size);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double[] times = new double[10];
        for (int r = 0; r < times.length; r++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            times[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(times);
        double gflops = 2.0 * size * size * size / times[times.length / 2] / 1e9;
        System.out.printf("ND4J sgemm 1024 x 1024 x 1024 (Nd4j.gemm, median of 10): %.1f GFLOP/s%n%n", gflops);
        return gflops;
    }

    private static RunConfig config(Shape s, int lane, int steps, int evalEvery, long seed, double weightDecay) {
        return new RunConfig(TaskSpec.of(Operation.ADD, s.p(), s.trainFraction(), 7),
                new MlpSpec(s.embed(), List.of(s.hidden()), Activation.RELU, InputEncoding.EMBEDDING, 1.0),
                new OptimizerSpec(OptimizerType.ADAMW, 1e-3 * (1 + 0.1 * lane), weightDecay, 0.9, 0.98, 1e-8, 0, 10,
                        null),
                new TrainingSpec(steps, null, Loss.CROSS_ENTROPY, evalEvery, steps, seed), 0);
    }

    /** Times the first lane's onStep calls: {@code onStep(warmup)} to {@code onStep(last)}. */
    private static final class Clock implements TrainingListener {
        final long warmup;
        final long last;
        long start;
        long end;

        Clock(long warmup, long last) {
            this.warmup = warmup;
            this.last = last;
        }

        @Override
        public void onStep(long step) {
            if (step == warmup) {
                start = System.nanoTime();
            } else if (step == last) {
                end = System.nanoTime();
            }
        }

        double seconds() {
            return (end - start) / 1e9;
        }
    }

    private static final int WARMUP = 3;
    private static final int REPEATS = 3;

    /** Timed steps for about {@code seconds}, at least 2. */
    private static int timedSteps(double secondsPerStep, double seconds) {
        return (int) Math.max(2, Math.min(20000, seconds / secondsPerStep));
    }

    private static double batchedSeconds(Shape s, int lanes, int steps) {
        Clock clock = new Clock(WARMUP, steps);
        List<BatchedTrainer.Lane> batch = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
            batch.add(new BatchedTrainer.Lane(config(s, l, steps, steps, l, 1.0), null,
                    l == 0 ? clock : TrainingListener.NONE, null));
        }
        for (BatchedTrainer.LaneResult r : new BatchedTrainer().run(batch)) {
            if (r.failed()) {
                throw r.failure();
            }
        }
        return clock.seconds();
    }

    private static double soloSeconds(Shape s, int steps) {
        Clock clock = new Clock(WARMUP, steps);
        new Nd4jTrainer().run(config(s, 0, steps, steps, 0, 1.0), null, clock, StopSignal.NEVER);
        return clock.seconds();
    }

    /** Records the evaluations of one run. */
    private static final class Curve implements TrainingListener {
        final List<StepMetrics> metrics = new ArrayList<>();

        @Override
        public void onEvaluation(StepMetrics m) {
            metrics.add(m);
        }
    }

    private static void sweep(int steps, int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        Shape s = new Shape(31, 0.5, 16, 64);
        int runs = 16;
        List<RunConfig> configs = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            // learning rates 1e-3 .. 2.5e-3 and weight decays 0.25 .. 2: a small phase-diagram sweep
            configs.add(config(s, k, steps, 100, k, 0.25 * (1 + k % 8)));
        }
        System.out.println("Sweep at " + threads + " BLAS and ND4J thread(s): " + runs + " runs of the p = 31 MLP ("
                + s + "), " + steps
                + " steps each, evaluation (train and test loss and accuracy, norms) every 100 steps, checkpoint at "
                + "the end, no progress measures; seeds 0..15, lr 1e-3 x (1 + 0.1 k), wd 0.25 x (1 + k mod 8)");
        // Warm both paths up (JIT, ND4J buffers), then alternate so that a neighbour's load hits both alike.
        new Nd4jTrainer().run(configs.get(0), null, TrainingListener.NONE, StopSignal.NEVER);
        runBatch(configs);
        double soloTotal = 0;
        double batchTotal = 0;
        double soloBest = Double.POSITIVE_INFINITY;
        double batchBest = Double.POSITIVE_INFINITY;
        int equal = 0;
        int rounds = 2;
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            List<Curve> soloCurves = new ArrayList<>();
            for (RunConfig c : configs) {
                Curve curve = new Curve();
                new Nd4jTrainer(AlgorithmicTask::generate, DataType.FLOAT).run(c, null, curve, StopSignal.NEVER);
                soloCurves.add(curve);
            }
            long t1 = System.nanoTime();
            List<Curve> laneCurves = runBatch(configs);
            long t2 = System.nanoTime();
            soloTotal += (t1 - t0) / 1e9;
            batchTotal += (t2 - t1) / 1e9;
            soloBest = Math.min(soloBest, (t1 - t0) / 1e9);
            batchBest = Math.min(batchBest, (t2 - t1) / 1e9);
            equal = 0;
            for (int k = 0; k < runs; k++) {
                if (soloCurves.get(k).metrics.equals(laneCurves.get(k).metrics)) {
                    equal++;
                }
            }
            System.out.printf("  round %d: 16 solo runs %.2f s, one 16-lane batch %.2f s -> %.2fx; curves equal bit "
                    + "for bit: %d of %d%n", round + 1, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    (double) (t1 - t0) / (t2 - t1), equal, runs);
        }
        System.out.printf("  sum over %d rounds: solo %.2f s, batched %.2f s -> %.2fx; best round of each: solo %.2f s, "
                + "batched %.2f s -> the batched sweep is %.2fx faster%n", rounds, soloTotal, batchTotal,
                soloTotal / batchTotal, soloBest, batchBest, soloBest / batchBest);
    }

    private static List<Curve> runBatch(List<RunConfig> configs) {
        List<Curve> curves = new ArrayList<>();
        List<BatchedTrainer.Lane> batch = new ArrayList<>();
        for (RunConfig c : configs) {
            Curve curve = new Curve();
            curves.add(curve);
            batch.add(new BatchedTrainer.Lane(c, null, curve, null));
        }
        for (BatchedTrainer.LaneResult r : new BatchedTrainer().run(batch)) {
            if (r.failed()) {
                throw r.failure();
            }
        }
        return curves;
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
