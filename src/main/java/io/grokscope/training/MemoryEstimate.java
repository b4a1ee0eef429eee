package io.grokscope.training;

import io.grokscope.model.ModelSpec;
import io.grokscope.model.Models;
import io.grokscope.task.S5;
import io.grokscope.task.TaskSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one run of a {@link RunConfig} will hold in memory, computed from the config alone so that a service can refuse
 * a run that cannot fit before it is queued (rather than have it fail hours later, or take the worker down with it).
 *
 * <h2>The formula</h2>
 * With P = {@link Models#parameterCount parameters}, p = elements (the modulus, or 120 for S5), N = p² pairs (an
 * upper bound: division tasks leave out p of them), T = ⌊N·trainFraction⌋ training pairs, B = the batch size (T for
 * full batch) and 4 bytes per FP32 element:
 * <ul>
 *   <li><b>off-heap</b> (ND4J arrays; bounded by JavaCPP's {@code maxbytes}):
 *     <ul>
 *       <li>parameters and gradients: 2P;</li>
 *       <li>optimizer state: 2P for Adam and AdamW (m, v), P for SGD (the momentum buffer, always allocated);</li>
 *       <li>gradient filter state: P for Grokfast-EMA (μ), (window + 1)·P for Grokfast-MA (the ring and its
 *           sum);</li>
 *       <li>activations: the model's workspace for B examples with its backward buffers, plus one forward-only
 *           workspace for every other chunk size that evaluation uses (the splits in chunks of
 *           {@value Models#EVAL_CHUNK}, and the p² table when progress measures need its logits); the model caches
 *           one workspace per size, so each distinct size counts once ({@link Models#workspaceFloats});</li>
 *       <li>progress measures that need the logits of every pair (restricted and excluded loss): the p²×p logits;</li>
 *     </ul></li>
 *   <li><b>heap</b>: the task's table and split (24 bytes a pair), a checkpoint twice (its float copy and its encoded
 *       bytes), and for the table logits their double copy (8·p³ bytes) and the pair index arrays (8·p²).</li>
 * </ul>
 * The checkpoint itself holds the parameters, the optimizer state and the filter state (4 bytes each). Small
 * per-model scratch (row buffers, per-row statistics) is left out; the terms above dominate by orders of magnitude.
 *
 * @param parameters      trainable parameters
 * @param offHeapBytes    ND4J arrays, the total of {@code offHeapParts}
 * @param offHeapParts    off-heap bytes by what they hold, for messages
 * @param heapBytes       Java heap the run needs at its peak (during a checkpoint or a progress measurement)
 * @param checkpointBytes size of one encoded checkpoint
 */
public record MemoryEstimate(long parameters, long offHeapBytes, Map<String, Long> offHeapParts, long heapBytes,
        long checkpointBytes) {

    static final long BYTES_PER_ELEMENT = 4;
    /** Heap per pair of the task's table and split; see {@code AlgorithmicTask}. */
    static final long TABLE_BYTES_PER_PAIR = 24;

    public MemoryEstimate {
        offHeapParts = Collections.unmodifiableMap(new LinkedHashMap<>(offHeapParts));
    }

    /**
     * The estimate for a run.
     *
     * @param config              the run, every default applied
     * @param measuresTableLogits whether its progress measures compute the logits of all p² pairs (restricted and
     *                            excluded loss: {@code ProgressMeasures} knows for which tasks)
     */
    public static MemoryEstimate of(RunConfig config, boolean measuresTableLogits) {
        TaskSpec task = config.task();
        ModelSpec model = config.model();
        int elements = task.operation().isPermutationGroup() ? S5.ORDER : task.modulus();
        long pairs = (long) elements * elements;
        long train = Math.max(1, Math.min(pairs - 1, (long) Math.floor(pairs * task.trainFraction())));
        long test = pairs - train;
        Integer batchSize = config.training().batchSize();
        long batch = batchSize == null ? train : Math.min(batchSize, train);
        boolean tableLogits = measuresTableLogits && config.progressMeasuresEvery() > 0;

        long p = Models.parameterCount(model, elements);
        long optimizer = config.optimizer().type() == OptimizerType.SGD ? p : 2 * p;
        GradientFilterSpec filterSpec = config.optimizer().gradientFilter();
        long filter = filterSpec instanceof GradientFilterSpec.MovingAverage ma
                ? Math.multiplyExact(ma.window() + 1L, p) : filterSpec instanceof GradientFilterSpec.Ema ? p : 0;

        TreeSet<Long> forwardSizes = new TreeSet<>();
        addChunkSizes(forwardSizes, train);
        addChunkSizes(forwardSizes, test);
        if (tableLogits) {
            addChunkSizes(forwardSizes, pairs);
        }
        forwardSizes.remove(batch); // shares the training workspace
        long activations = Models.workspaceFloats(model, elements, batch, true) + Models.fixedScratchFloats(model);
        for (long size : forwardSizes) {
            activations += Models.workspaceFloats(model, elements, size, false);
        }

        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("parameters and gradients", BYTES_PER_ELEMENT * 2 * p);
        parts.put("optimizer state", BYTES_PER_ELEMENT * optimizer);
        if (filter > 0) {
            parts.put("gradient filter state", BYTES_PER_ELEMENT * filter);
        }
        parts.put("activations", BYTES_PER_ELEMENT * activations);
        if (tableLogits) {
            parts.put("progress-measure logits", BYTES_PER_ELEMENT * pairs * elements);
        }
        long offHeap = parts.values().stream().mapToLong(Long::longValue).sum();

        long checkpoint = BYTES_PER_ELEMENT * (p + optimizer + filter);
        long heap = TABLE_BYTES_PER_PAIR * pairs + 2 * checkpoint
                + (tableLogits ? 8 * pairs * elements + 8 * pairs : 0);
        return new MemoryEstimate(p, offHeap, parts, heap, checkpoint);
    }

    /** The off-heap parts as text, e.g. {@code "parameters and gradients 1.8 MB, optimizer state 1.8 MB, ..."}. */
    public String describeOffHeap() {
        return offHeapParts.entrySet().stream().map(e -> e.getKey() + " " + bytes(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** A byte count for people: {@code 950 B}, {@code 12.3 MB}, {@code 4.1 GB} (powers of 1000, one decimal). */
    public static String bytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = { "kB", "MB", "GB", "TB", "PB", "EB" };
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** The batch sizes evaluation runs at over {@code examples} examples: full chunks and the remainder. */
    private static void addChunkSizes(TreeSet<Long> sizes, long examples) {
        if (examples <= 0) {
            return;
        }
        sizes.add(Math.min(examples, Models.EVAL_CHUNK));
        if (examples > Models.EVAL_CHUNK && examples % Models.EVAL_CHUNK != 0) {
            sizes.add(examples % Models.EVAL_CHUNK);
        }
    }
}
