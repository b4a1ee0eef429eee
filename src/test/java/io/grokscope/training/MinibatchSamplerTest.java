package io.grokscope.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grokscope.task.Examples;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MinibatchSamplerTest {

    private static Examples examples(int n) {
        int[] left = new int[n];
        Arrays.setAll(left, i -> i);
        return new Examples(left, left.clone(), left.clone());
    }

    @Test
    void fullBatchIsTheWholeSplit() {
        Examples train = examples(10);
        assertSame(train, new MinibatchSampler(train, null, 1).next());
        assertSame(train, new MinibatchSampler(train, 10, 1).next());
    }

    @Test
    void eachEpochVisitsEveryExampleOnceWithASmallerLastBatch() {
        MinibatchSampler sampler = new MinibatchSampler(examples(10), 4, 3);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[10];
            int[] sizes = new int[3];
            for (int b = 0; b < 3; b++) {
                Examples batch = sampler.next();
                sizes[b] = batch.size();
                for (int i : batch.left()) {
                    seen[i]++;
                }
            }
            assertArrayEquals(new int[] {4, 4, 2}, sizes);
            for (int count : seen) {
                assertEquals(1, count);
            }
        }
    }

    @Test
    void aRestoredSamplerContinuesTheSameSequence() {
        MinibatchSampler a = new MinibatchSampler(examples(10), 3, 8);
        for (int k = 0; k < 5; k++) {
            a.next();
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        a.save(new LinkedHashMap<>(), counters);
        MinibatchSampler b = new MinibatchSampler(examples(10), 3, 999);
        b.restore(new Checkpoint(5, Map.of(), Map.of(), counters));
        for (int k = 0; k < 10; k++) {
            assertArrayEquals(a.next().left(), b.next().left());
        }
    }
}
