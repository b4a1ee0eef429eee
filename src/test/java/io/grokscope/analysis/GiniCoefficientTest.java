package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GiniCoefficientTest {

    @Test
    void equalValuesAreNotSparse() {
        assertThat(GiniCoefficient.of(new double[] {2, 2, 2, 2, 2})).isCloseTo(0, within(1e-15));
    }

    @Test
    void oneNonZeroValueGivesOneMinusOneOverN() {
        assertThat(GiniCoefficient.of(new double[] {0, 0, 5, 0})).isCloseTo(0.75, within(1e-15));
        assertThat(GiniCoefficient.of(new double[56])).isZero();
    }

    @Test
    void matchesHurleyAndRickardByHand() {
        // sorted (1, 2, 3), l1 = 6, N = 3: 1 - 2 * (1/6 * 2.5/3 + 2/6 * 1.5/3 + 3/6 * 0.5/3) = 2/9
        assertThat(GiniCoefficient.of(new double[] {3, 1, 2})).isCloseTo(2.0 / 9, within(1e-15));
    }

    @Test
    void isScaleInvariantAndIgnoresOrder() {
        double[] values = {0.3, 4, 0.01, 2.5, 0};
        double[] scaled = {6.25, 0, 0.75, 10, 0.025}; // 2.5 × values, reordered
        assertThat(GiniCoefficient.of(scaled)).isCloseTo(GiniCoefficient.of(values), within(1e-14));
    }

    @Test
    void rejectsNegativeAndNonFiniteValues() {
        assertThatThrownBy(() -> GiniCoefficient.of(new double[] {1, -1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GiniCoefficient.of(new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GiniCoefficient.of(new double[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
