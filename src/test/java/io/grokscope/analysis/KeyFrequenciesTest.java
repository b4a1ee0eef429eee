package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The relative rule on planted spectra: key when n_k ≥ 0.25·max n. */
class KeyFrequenciesTest {

    @Test
    void keepsEveryFrequencyAtOrAboveAQuarterOfTheLargestNorm() {
        double[] norms = new double[56];
        norms[13] = 4; // frequency 14
        norms[34] = 2; // 35
        norms[40] = 1; // 41: exactly a quarter of the largest, kept
        norms[0] = 0.99; // 1: just below, not kept
        KeyFrequencies keys = KeyFrequencies.select(norms);
        assertThat(keys.frequencies()).containsExactly(14, 35, 41);
        assertThat(keys.fraction()).isCloseTo(21 / (21 + 0.99 * 0.99), within(1e-12));
    }

    @Test
    void aWeakButRealFrequencyIsKeptHoweverManyStrongOnesThereAre() {
        // Nanda's mainline model: frequency 14 carries 44 of 433 neurons, about half the largest norm; eight strong
        // frequencies would have pushed it out of an 80 %-share set capped at 8
        double[] norms = new double[56];
        int[] strong = {3, 9, 17, 22, 30, 35, 41, 42, 52};
        for (int k : strong) {
            norms[k - 1] = 1;
        }
        norms[13] = 0.45;
        Random random = new Random(1);
        for (int i = 0; i < norms.length; i++) {
            if (norms[i] == 0) {
                norms[i] = 0.05 * random.nextDouble(); // cleanup's residue, a few per cent of the largest
            }
        }
        assertThat(KeyFrequencies.select(norms).frequencies()).containsExactly(3, 9, 14, 17, 22, 30, 35, 41, 42, 52);
    }

    @Test
    void theRuleIsScaleInvariant() {
        double[] norms = {0.1, 3, 0.8, 2.9, 0.7};
        double[] scaled = new double[norms.length];
        for (int i = 0; i < norms.length; i++) {
            scaled[i] = 1e-6 * norms[i];
        }
        assertThat(KeyFrequencies.select(scaled)).isEqualTo(KeyFrequencies.select(norms));
        assertThat(KeyFrequencies.select(norms).frequencies()).containsExactly(2, 3, 4);
    }

    @Test
    void aFlatSpectrumHasMostFrequenciesAsKeys() {
        // random initialisation: nothing stands out, so the rule does not pretend a sparse set exists
        double[] norms = new double[56];
        Random random = new Random(2);
        for (int i = 0; i < norms.length; i++) {
            norms[i] = 1 + 0.2 * random.nextGaussian();
        }
        KeyFrequencies keys = KeyFrequencies.select(norms);
        assertThat(keys.frequencies()).hasSize(56);
        assertThat(keys.fraction()).isCloseTo(1, within(1e-12));
    }

    @Test
    void aSinglePlantedFrequencyIsTheOnlyKey() {
        double[] norms = new double[56];
        norms[41] = 7;
        norms[3] = 1.7; // below 7/4
        KeyFrequencies keys = KeyFrequencies.select(norms);
        assertThat(keys.frequencies()).containsExactly(42);
        assertThat(keys.fraction()).isCloseTo(49 / (49 + 1.7 * 1.7), within(1e-12));
    }

    @Test
    void allZeroNormsHaveNoKeySetAndFractionZero() {
        KeyFrequencies keys = KeyFrequencies.select(new double[56]);
        assertThat(keys.isEmpty()).isTrue();
        assertThat(keys.fraction()).isZero();
    }

    @Test
    void negativeOrNonFiniteNormsAreRefused() {
        assertThatThrownBy(() -> KeyFrequencies.select(new double[] {1, -1})).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyFrequencies.select(new double[] {1, Double.NaN})).isInstanceOf(
                IllegalArgumentException.class);
    }
}
