package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void matchesTheReferenceOutputs() {
        // Vigna's splitmix64.c seeded with 1234567; the third value is 9817491932198370423 unsigned.
        SplitMix64 random = new SplitMix64(1234567);
        assertThat(random.nextLong()).isEqualTo(6457827717110365317L);
        assertThat(random.nextLong()).isEqualTo(3203168211198807973L);
        assertThat(random.nextLong()).isEqualTo(-8629252141511181193L);
        assertThat(new SplitMix64(0).nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
    }

    @Test
    void nextIntStaysInBoundsAndReachesEveryValue() {
        SplitMix64 random = new SplitMix64(7);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++) {
            counts[random.nextInt(6)]++;
        }
        // Each count is Binomial(60000, 1/6): mean 10000, sd ~91; 600 is more than 6 sd.
        for (int count : counts) {
            assertThat(count).isBetween(9_400, 10_600);
        }
    }
}
