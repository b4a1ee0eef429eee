package io.grokscope.training;

import io.grokscope.model.SeededRandom;
import io.grokscope.task.Examples;
import java.util.Map;

/**
 * Chooses each update's examples: the whole training split (full batch), or minibatches drawn WITHOUT replacement —
 * every epoch is a fresh seeded permutation of the training split cut into consecutive batches of
 * {@code batchSize}, the last one smaller when the size does not divide (as a torch DataLoader with
 * {@code shuffle=True, drop_last=False}).
 *
 * <p>The position is checkpointed as the generator's state at the start of the current epoch plus the cursor into
 * it; restoring regenerates that epoch's permutation from the saved state, so nothing proportional to the data set
 * needs storing.
 */
final class MinibatchSampler implements RunState {

    private final Examples train;
    private final int batchSize; // 0 = full batch
    private SeededRandom random;
    private long epochStartState;
    private int[] order;
    private int cursor;

    /**
     * @param batchSize examples per update, or null for the full batch (also used when it is >= the split's size)
     * @param seed      the sampling stream's seed
     */
    MinibatchSampler(Examples train, Integer batchSize, long seed) {
        this.train = train;
        this.batchSize = batchSize == null || batchSize >= train.size() ? 0 : batchSize;
        this.random = new SeededRandom(seed);
        if (this.batchSize > 0) {
            startEpoch();
        }
    }

    private void startEpoch() {
        epochStartState = random.state();
        order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        random.shuffle(order);
        cursor = 0;
    }

    /** The next update's examples. */
    Examples next() {
        if (batchSize == 0) {
            return train;
        }
        if (cursor >= order.length) {
            startEpoch();
        }
        int n = Math.min(batchSize, order.length - cursor);
        int[] left = new int[n];
        int[] right = new int[n];
        int[] answer = new int[n];
        for (int k = 0; k < n; k++) {
            int i = order[cursor + k];
            left[k] = train.left()[i];
            right[k] = train.right()[i];
            answer[k] = train.answer()[i];
        }
        cursor += n;
        return new Examples(left, right, answer);
    }

    @Override
    public void save(Map<String, float[]> state, Map<String, Long> counters) {
        if (batchSize > 0) {
            counters.put("sampler.epochStart", epochStartState);
            counters.put("sampler.cursor", (long) cursor);
        }
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        if (batchSize > 0) {
            random = SeededRandom.fromState(RunState.counter(checkpoint, "sampler.epochStart"));
            startEpoch();
            cursor = Math.toIntExact(RunState.counter(checkpoint, "sampler.cursor"));
        }
    }
}
