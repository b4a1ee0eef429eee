package io.grokscope.history;

/**
 * Which parameter snapshots a run keeps so that its history fits a byte budget, however long it runs.
 *
 * <p>Snapshots are taken at every progress measurement (steps 0, c, 2c, … for the cadence c, and the last step).
 * With room for N = ⌊budget / snapshot size⌋ snapshots, a run at step t keeps:
 * <ul>
 *   <li>the <b>dense head</b>: every snapshot before step H·c, H = ⌊N/4⌋ (the memorisation phase, where the
 *       measures change fastest: for Nanda's run, N = 109 and the head covers steps 0–2 600 at every 100 steps);</li>
 *   <li>the <b>tail</b>: the snapshots at multiples of a stride s = c·2^j, the smallest such stride for which
 *       head + tail + 1 ≤ N; as the run grows the stride doubles and every other tail snapshot is dropped, so the tail
 *       stays evenly spaced over the whole run (Fig. 7 of Nanda et al. is on a linear step axis);</li>
 *   <li>the <b>latest</b> snapshot, whatever its step (the final model's, when the run ends).</li>
 * </ul>
 * The rule is a function of (t, N, c) only, so an attempt that resumes from a checkpoint thins exactly as the first
 * one would have; and a snapshot dropped once is never wanted again (the stride only grows, and the multiples of a
 * doubled stride are a subset). Doubling keeps the history between about half and all of the budget.
 *
 * @param capacity the most snapshots the budget holds (N ≥ 1)
 * @param cadence  the progress-measure cadence c ≥ 1
 */
public record HistoryThinning(long capacity, long cadence) {

    public HistoryThinning {
        if (capacity < 1 || cadence < 1) {
            throw new IllegalArgumentException("capacity and cadence must be >= 1, were " + capacity + ", " + cadence);
        }
    }

    /** The thinning for a budget, or null when not even one snapshot fits (the run then keeps no history). */
    public static HistoryThinning forBudget(long budgetBytes, long snapshotBytes, long cadence) {
        long capacity = budgetBytes / Math.max(1, snapshotBytes);
        return capacity < 1 ? null : new HistoryThinning(capacity, cadence);
    }

    /** Steps below this are all kept (the dense head). */
    public long headEnd() {
        return capacity / 4 * cadence;
    }

    /** Whether the budget leaves room for a tail besides the head and the latest snapshot. */
    public boolean hasTail() {
        return capacity - capacity / 4 - 1 > 0;
    }

    /** The tail's stride when the latest snapshot is at {@code latest}; {@link Long#MAX_VALUE} without a tail. */
    public long stride(long latest) {
        if (!hasTail()) {
            return Long.MAX_VALUE;
        }
        long head = capacity / 4;
        long stride = cadence;
        while (head + tailCount(latest, stride) + 1 > capacity) {
            stride = Math.multiplyExact(stride, 2);
        }
        return stride;
    }

    /** Whether the snapshot at {@code step} is kept once the latest one is at {@code latest}. */
    public boolean keeps(long step, long latest) {
        return step == latest || step < headEnd() || (hasTail() && step % stride(latest) == 0);
    }

    /** Multiples of the stride in [headEnd, latest), the latest itself counted apart. */
    private long tailCount(long latest, long stride) {
        long from = headEnd();
        if (latest <= from) {
            return 0;
        }
        return Math.floorDiv(latest - 1, stride) - Math.floorDiv(from - 1, stride);
    }
}
