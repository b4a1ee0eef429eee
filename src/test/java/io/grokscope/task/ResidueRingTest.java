package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class ResidueRingTest {

    @Test
    void primalityAgreesWithBigIntegerUpToTheLimit() {
        for (int n = 0; n <= AlgorithmicTask.MAX_MODULUS; n++) {
            // certainty 50 makes BigInteger's answer wrong with probability < 2^-50 per number.
            assertThat(ResidueRing.isPrime(n)).as("%d", n).isEqualTo(BigInteger.valueOf(n).isProbablePrime(50));
        }
    }

    @Test
    void inverseTimesValueIsOneForEveryUnit() {
        ResidueRing ring = new ResidueRing(12);
        for (int a : new int[] {1, 5, 7, 11}) {
            assertThat(a * ring.inverse(a) % 12).isEqualTo(1);
        }
        assertThatThrownBy(() -> ring.inverse(4)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> ring.inverse(0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void inverseAgreesWithBigIntegerModInverse() {
        ResidueRing ring = new ResidueRing(9973);
        BigInteger modulus = BigInteger.valueOf(9973);
        for (int a = 1; a < 9973; a += 37) {
            assertThat(ring.inverse(a)).isEqualTo(BigInteger.valueOf(a).modInverse(modulus).intValue());
        }
    }

    @Test
    void powerAgreesWithBigIntegerModPow() {
        ResidueRing ring = new ResidueRing(113);
        for (int base = 0; base < 113; base += 7) {
            for (int exponent : new int[] {0, 1, 2, 3, 112, 1000}) {
                assertThat(ring.power(base, exponent)).isEqualTo(BigInteger.valueOf(base)
                        .modPow(BigInteger.valueOf(exponent), BigInteger.valueOf(113)).intValue());
            }
        }
        assertThat(ring.power(0, 0)).isEqualTo(1);
    }

    @Test
    void resultsAreResiduesEvenForNegativeOrLargeOperands() {
        ResidueRing ring = new ResidueRing(7);
        assertThat(ring.subtract(2, 5)).isEqualTo(4);
        assertThat(ring.negate(3)).isEqualTo(4);
        assertThat(ring.add(Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo((int) (2L * Integer.MAX_VALUE % 7));
        assertThat(ring.multiply(Integer.MIN_VALUE, Integer.MIN_VALUE))
                .isEqualTo(BigInteger.valueOf(Integer.MIN_VALUE).pow(2).mod(BigInteger.valueOf(7)).intValue());
    }

    @Test
    void rejectsModulusBelowTwo() {
        assertThatThrownBy(() -> new ResidueRing(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
