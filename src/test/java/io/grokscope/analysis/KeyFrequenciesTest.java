package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KeyFrequenciesTest {

    @Test
    void takesTheSmallestSetReachingEightyPercent() {
        double[] norms = new double[56];
        norms[13] = 3; // frequency 14: 9
        norms[34] = 2; // frequency 35: 4
        norms[40] = 1; // frequency 41: 1
        norms[0] = 1; // frequency 1: 1 (ties with 41: the lower frequency is taken first)
        // total 15; 9 + 4 = 13 >= 12
        KeyFrequencies keys = KeyFrequencies.select(norms);
        assertThat(keys.frequencies()).containsExactly(14, 35);
        assertThat(keys.fraction()).isCloseTo(13.0 / 15, within(1e-12));
    }

    @Test
    void exactlyEightyPercentIsEnough() {
        double[] norms = {2, 1}; // energies 4 and 1: 4/5 = 0.8 exactly
        assertThat(KeyFrequencies.select(norms).frequencies()).containsExactly(1);
    }

    @Test
    void aSetOfEightIsKeyButNineIsNot() {
        double[] ten = new double[56];
        double[] eleven = new double[56];
        for (int k = 0; k < 10; k++) {
            ten[k * 5] = 1;
        }
        for (int k = 0; k < 11; k++) {
            eleven[k * 5] = 1;
        }
        // ten equal frequencies: 8 of them hold exactly 80 %
        KeyFrequencies eight = KeyFrequencies.select(ten);
        assertThat(eight.frequencies()).containsExactly(1, 6, 11, 16, 21, 26, 31, 36);
        assertThat(eight.fraction()).isCloseTo(0.8, within(1e-12));
        // eleven: 80 % needs 9 of them, too many to be key frequencies
        KeyFrequencies none = KeyFrequencies.select(eleven);
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.fraction()).isCloseTo(8.0 / 11, within(1e-12));
    }

    /**
     * A consequence of the API's 80 % rule worth knowing: with five equally strong frequencies, four of them already
     * hold 80 %, so the weakest-by-tie-break one is left out of the key set (and out of restricted/excluded loss).
     */
    @Test
    void fiveEqualFrequenciesGiveAKeySetOfFour() {
        double[] norms = new double[56];
        for (int k : new int[] {14, 35, 41, 42, 52}) {
            norms[k - 1] = 1;
        }
        assertThat(KeyFrequencies.select(norms).frequencies()).containsExactly(14, 35, 41, 42);
    }

    @Test
    void withoutAKeySetTheFractionIsTheTopEightShare() {
        double[] flat = new double[56];
        java.util.Arrays.fill(flat, 1);
        KeyFrequencies keys = KeyFrequencies.select(flat);
        assertThat(keys.frequencies()).isEmpty();
        assertThat(keys.fraction()).isCloseTo(8.0 / 56, within(1e-12));
    }

    @Test
    void allZeroNormsHaveNoKeySetAndFractionZero() {
        KeyFrequencies keys = KeyFrequencies.select(new double[56]);
        assertThat(keys.frequencies()).isEmpty();
        assertThat(keys.fraction()).isZero();
    }
}
