package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    @Test
    void matchesTheSplitMix64ReferenceStream() {
        // First outputs of Vigna's splitmix64.c with x = 0.
        SeededRandom random = new SeededRandom(0);
        assertEquals(0xE220A8397B1DCDAFL, random.nextLong());
        assertEquals(0x6E789E6AA1B965F4L, random.nextLong());
        assertEquals(0x06C45D188009454FL, random.nextLong());
    }

    @Test
    void stateRestoresTheExactStream() {
        SeededRandom random = new SeededRandom(123);
        random.nextGaussian();
        random.nextInt(17);
        SeededRandom copy = SeededRandom.fromState(random.state());
        for (int i = 0; i < 100; i++) {
            assertEquals(random.nextGaussian(), copy.nextGaussian());
            assertEquals(random.nextInt(1000), copy.nextInt(1000));
        }
    }

    @Test
    void streamsOfOneSeedDiffer() {
        assertNotEquals(SeededRandom.stream(5, 1).nextLong(), SeededRandom.stream(5, 2).nextLong());
        assertEquals(SeededRandom.stream(5, 1).nextLong(), SeededRandom.stream(5, 1).nextLong());
    }

    @Test
    void gaussiansHaveUnitVarianceAndUniformIntsCoverTheirRange() {
        SeededRandom random = new SeededRandom(9);
        int n = 200_000;
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double g = random.nextGaussian();
            sum += g;
            squares += g * g;
        }
        assertEquals(0.0, sum / n, 0.01);
        assertEquals(1.0, squares / n, 0.01);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) {
            counts[random.nextInt(7)]++;
        }
        for (int c : counts) {
            assertEquals(10_000, c, 400);
        }
    }

    @Test
    void shuffleIsAPermutation() {
        int[] values = new int[50];
        Arrays.setAll(values, i -> i);
        new SeededRandom(1).shuffle(values);
        int[] sorted = values.clone();
        Arrays.sort(sorted);
        int[] identity = new int[50];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, sorted);
        assertTrue(!Arrays.equals(identity, values));
    }
}
