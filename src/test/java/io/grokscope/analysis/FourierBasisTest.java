package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FourierBasisTest {

    @ParameterizedTest
    @ValueSource(ints = {3, 7, 53, 97, 113})
    void rowsAreOrthonormal(int p) {
        double[][] rows = FourierBasis.of(p).rows();
        assertThat(rows).hasDimensions(p, p);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                assertThat(dot(rows[i], rows[j])).as("<row %d, row %d>", i, j).isCloseTo(i == j ? 1 : 0,
                        within(1e-12));
            }
        }
    }

    @Test
    void rowsFollowNandasOrder() {
        FourierBasis basis = FourierBasis.of(113);
        double[][] rows = basis.rows();
        double scale = Math.sqrt(2.0 / 113);
        assertThat(rows[0][5]).isCloseTo(1 / Math.sqrt(113), within(1e-15));
        assertThat(rows[2 * 14 - 1][3]).isCloseTo(scale * Math.cos(2 * Math.PI * 14 * 3 / 113), within(1e-14));
        assertThat(rows[2 * 14][3]).isCloseTo(scale * Math.sin(2 * Math.PI * 14 * 3 / 113), within(1e-14));
        assertThat(basis.frequencyCount()).isEqualTo(56);
    }

    @Test
    void normsOfAPureFrequencyAreAllInThatFrequency() {
        FourierBasis basis = FourierBasis.of(31);
        double[][] matrix = new double[31][2];
        for (int x = 0; x < 31; x++) {
            matrix[x][0] = 3 * Math.cos(2 * Math.PI * 5 * x / 31 + 0.4);
            matrix[x][1] = 0.5 * Math.sin(2 * Math.PI * 5 * x / 31) + 7; // the constant 7 is excluded
        }
        double[] norms = basis.frequencyNorms(matrix);
        double expected = Math.sqrt((9 + 0.25) * 31 / 2.0);
        for (int k = 1; k <= 15; k++) {
            assertThat(norms[k - 1]).as("n_%d", k).isCloseTo(k == 5 ? expected : 0, within(1e-10));
        }
    }

    @Test
    void normsObeyParsevalWithoutTheConstant() {
        FourierBasis basis = FourierBasis.of(97);
        Random random = new Random(1);
        double[][] matrix = new double[97][16];
        double energy = 0;
        double[] columnSums = new double[16];
        for (int x = 0; x < 97; x++) {
            for (int j = 0; j < 16; j++) {
                matrix[x][j] = random.nextGaussian();
                energy += matrix[x][j] * matrix[x][j];
                columnSums[j] += matrix[x][j];
            }
        }
        double constantEnergy = 0;
        for (double s : columnSums) {
            constantEnergy += s * s / 97;
        }
        double sum = 0;
        for (double n : basis.frequencyNorms(matrix)) {
            sum += n * n;
        }
        assertThat(sum).isCloseTo(energy - constantEnergy, within(1e-9));
    }

    @Test
    void extraRowsBeyondTheElementsAreIgnored() {
        FourierBasis basis = FourierBasis.of(7);
        double[][] withEqualsToken = new double[8][1];
        for (int x = 0; x < 7; x++) {
            withEqualsToken[x][0] = Math.cos(2 * Math.PI * 2 * x / 7);
        }
        withEqualsToken[7][0] = 1000;
        assertThat(basis.frequencyNorms(withEqualsToken)[1]).isCloseTo(Math.sqrt(3.5), within(1e-12));
    }

    @Test
    void rejectsEvenModuliAndMissingRows() {
        assertThatThrownBy(() -> FourierBasis.of(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FourierBasis.of(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FourierBasis.of(7).frequencyNorms(new double[6][2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one row per token");
        assertThatThrownBy(() -> FourierBasis.of(7).cosine(4)).isInstanceOf(IllegalArgumentException.class);
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void componentNormsSeparateConstantCosineAndSineAndMatchTheFrequencyNorms() {
        int p = 13;
        FourierBasis basis = FourierBasis.of(p);
        double[][] m = new double[p + 1][2]; // an extra row, like the transformer's "=" token, is ignored
        for (int x = 0; x < p; x++) {
            m[x][0] = 3 + 2 * Math.cos(2 * Math.PI * 4 * x / p); // constant and cos 4
            m[x][1] = Math.sin(2 * Math.PI * 5 * x / p); // sin 5
        }
        m[p][0] = 1000;
        double[] norms = basis.componentNorms(m);
        assertThat(norms).hasSize(p);
        assertThat(norms[0]).isCloseTo(3 * Math.sqrt(p), within(1e-9));
        assertThat(norms[7]).isCloseTo(2 * Math.sqrt(p / 2.0), within(1e-9)); // cos 4 is row 2·4 − 1
        assertThat(norms[10]).isCloseTo(Math.sqrt(p / 2.0), within(1e-9)); // sin 5 is row 2·5
        double[] frequencies = basis.frequencyNorms(m);
        for (int k = 1; k <= 6; k++) {
            double both = Math.hypot(norms[2 * k - 1], norms[2 * k]);
            assertThat(both).isCloseTo(frequencies[k - 1], within(1e-9));
            if (k != 4 && k != 5) {
                assertThat(both).isLessThan(1e-9);
            }
        }
    }
}
