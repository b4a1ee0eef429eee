package io.grokscope.model;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Runs a kernel over rows {@code [0, count)} in two fixed, contiguous ranges ("lanes"), each with its own
 * scratch: the first lane on the calling thread, the second on the common fork-join pool.
 *
 * <p>Why fixed lanes rather than a parallel stream: the split depends on the row count only, never on the cores or the
 * load, and every lane sums its own rows in row order. A caller that then combines the lanes' partial sums in lane
 * order ({@link #all()}) gets the same bits with one core or two, so a run stays reproducible bit for bit
 * while the element-wise passes (bias and activation, loss, scatter-adds, the optimizer) use both cores alongside BLAS.
 *
 * @param <S> one lane's scratch (row buffers, partial sums)
 */
public final class Lanes<S> {

    /** Below this many rows both lanes run on the calling thread: handing one to another thread would cost more. */
    static final int PARALLEL_ROWS = 512;

    /** A kernel over rows {@code from..to-1}, using its lane's scratch. */
    @FunctionalInterface
    public interface Kernel<S> {
        void run(S scratch, int from, int to);
    }

    private final S first;
    private final S second;

    /** Makes one scratch per lane. */
    public Lanes(Supplier<S> scratch) {
        this.first = scratch.get();
        this.second = scratch.get();
    }

    /** Every lane's scratch in lane order, to combine partial results after {@link #run}. */
    public List<S> all() {
        return List.of(first, second);
    }

    /** The lanes' partial values (a loss total, a hit count), summed from zero in lane order. */
    public double sum(ToDoubleFunction<S> partial) {
        double total = 0;
        total += partial.applyAsDouble(first);
        total += partial.applyAsDouble(second);
        return total;
    }

    /** {@code target[c]} = Σ over lanes, in lane order, of each lane's {@code partial(lane)[c]}, for c < width. */
    public void sum(Function<S, double[]> partial, double[] target, int width) {
        combine(partial.apply(first), partial.apply(second), target, width);
    }

    /**
     * {@code target[c] = (0 + first[c]) + second[c]} for {@code c < width}: two lanes' partial sums (or two row
     * halves') combined from zero in lane order, the one order every fixed-order sum of the models uses.
     */
    public static void combine(double[] first, double[] second, double[] target, int width) {
        for (int c = 0; c < width; c++) {
            double sum = 0;
            sum += first[c];
            sum += second[c];
            target[c] = sum;
        }
    }

    /** Runs {@code kernel} over [0, count) as two fixed ranges; returns once both ended, even if one failed. */
    public void run(int count, Kernel<S> kernel) {
        int mid = count / 2;
        if (count < PARALLEL_ROWS) {
            kernel.run(first, 0, mid);
            kernel.run(second, mid, count);
            return;
        }
        ForkJoinTask<?> other = ForkJoinPool.commonPool().submit(() -> kernel.run(second, mid, count));
        try {
            kernel.run(first, 0, mid);
        } finally {
            other.join();
        }
    }
}
