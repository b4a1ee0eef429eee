package io.grokscope.analysis;

/**
 * The real Fourier basis of functions on Z_p (p odd): the constant 1/√p, then for each frequency k = 1..(p−1)/2 the
 * normalised cos(2πkx/p) and sin(2πkx/p). Its p rows are orthonormal, so the squared coefficients of a vector sum to
 * its squared norm (Parseval) and "the share of a matrix's energy at frequency k" is well defined.
 *
 * <p>This is the basis of Nanda et al. (2023): the modular-addition circuit writes the answer into a handful of
 * frequencies, so how concentrated a weight matrix is in this basis measures how far the circuit has formed. Angles
 * are taken from a table of cos/sin(2πr/p) indexed by r = kx mod p, which is exact up to one rounding and makes a
 * basis cheap to build (O(p²)).
 *
 * <p>Immutable and thread-safe.
 */
public final class FourierBasis {

    private final int modulus;
    /** cos(2πr/p) and sin(2πr/p) for r = 0..p−1. */
    private final double[] cosTable;
    private final double[] sinTable;
    /** √(2/p): the norm of cos(2πkx/p) over x = 0..p−1 is √(p/2) for every k ≠ 0 when p is odd. */
    private final double scale;

    private FourierBasis(int modulus) {
        this.modulus = modulus;
        this.cosTable = new double[modulus];
        this.sinTable = new double[modulus];
        for (int r = 0; r < modulus; r++) {
            double angle = 2 * Math.PI * r / modulus;
            cosTable[r] = Math.cos(angle);
            sinTable[r] = Math.sin(angle);
        }
        this.scale = Math.sqrt(2.0 / modulus);
    }

    /**
     * The basis over Z_p.
     *
     * @throws IllegalArgumentException unless p is odd and at least 3 (for even p a Nyquist row cos(πx) would be
     *                                  needed, which has no sine partner; the project's moduli are odd primes)
     */
    public static FourierBasis of(int modulus) {
        if (modulus < 3 || modulus % 2 == 0) {
            throw new IllegalArgumentException("the Fourier basis is defined here for odd p >= 3, was " + modulus);
        }
        return new FourierBasis(modulus);
    }

    /** p. */
    public int modulus() {
        return modulus;
    }

    /** (p−1)/2: the number of non-constant frequencies. */
    public int frequencyCount() {
        return (modulus - 1) / 2;
    }

    /** The angular frequency w_k = 2πk/p. */
    public double angularFrequency(int k) {
        return 2 * Math.PI * k / modulus;
    }

    /** The normalised constant row, 1/√p everywhere. */
    public double[] constant() {
        double[] row = new double[modulus];
        java.util.Arrays.fill(row, 1 / Math.sqrt(modulus));
        return row;
    }

    /** The normalised row cos(2πkx/p)·√(2/p), x = 0..p−1, for k = 1..(p−1)/2. */
    public double[] cosine(int k) {
        checkFrequency(k);
        double[] row = new double[modulus];
        for (int x = 0; x < modulus; x++) {
            row[x] = cos(k, x);
        }
        return row;
    }

    /** The normalised row sin(2πkx/p)·√(2/p), x = 0..p−1, for k = 1..(p−1)/2. */
    public double[] sine(int k) {
        checkFrequency(k);
        double[] row = new double[modulus];
        for (int x = 0; x < modulus; x++) {
            row[x] = sin(k, x);
        }
        return row;
    }

    /**
     * All p rows in Nanda et al.'s order: row 0 the constant, rows 2k−1 and 2k the cosine and sine of frequency k.
     * A fresh p×p array.
     */
    public double[][] rows() {
        double[][] rows = new double[modulus][];
        rows[0] = constant();
        for (int k = 1; k <= frequencyCount(); k++) {
            rows[2 * k - 1] = cosine(k);
            rows[2 * k] = sine(k);
        }
        return rows;
    }

    /** cos(2πk·x/p) without normalisation, for any integers k and x. */
    double unitCos(long kx) {
        return cosTable[(int) Math.floorMod(kx, modulus)];
    }

    /** sin(2πk·x/p) without normalisation, for any integers k and x. */
    double unitSin(long kx) {
        return sinTable[(int) Math.floorMod(kx, modulus)];
    }

    private double cos(int k, int x) {
        return scale * unitCos((long) k * x);
    }

    private double sin(int k, int x) {
        return scale * unitSin((long) k * x);
    }

    /**
     * The per-frequency norms of a matrix whose rows are indexed by the tokens of Z_p:
     * n_k = √(‖c_kᵀM‖² + ‖s_kᵀM‖²) for k = 1..(p−1)/2, where c_k and s_k are the normalised cosine and sine rows. The
     * constant component is left out, as in the API's definition: a shared offset of every token says nothing about
     * which frequencies the network uses.
     *
     * @param tokenRows {@code tokenRows[x][j]}, at least p rows of equal length; rows beyond p (such as a transformer's
     *                  "=" token, which is not an element of Z_p) are ignored
     * @return n_1..n_(p−1)/2 at indices 0..(p−3)/2
     */
    public double[] frequencyNorms(double[][] tokenRows) {
        if (tokenRows.length < modulus) {
            throw new IllegalArgumentException("need one row per token of Z_" + modulus + ", got " + tokenRows.length);
        }
        int width = tokenRows[0].length;
        double[] norms = new double[frequencyCount()];
        double[] cosPart = new double[width];
        double[] sinPart = new double[width];
        for (int k = 1; k <= frequencyCount(); k++) {
            java.util.Arrays.fill(cosPart, 0);
            java.util.Arrays.fill(sinPart, 0);
            for (int x = 0; x < modulus; x++) {
                double[] row = tokenRows[x];
                if (row.length != width) {
                    throw new IllegalArgumentException("ragged matrix: row " + x + " has " + row.length
                            + " columns, row 0 has " + width);
                }
                double c = cos(k, x);
                double s = sin(k, x);
                for (int j = 0; j < width; j++) {
                    cosPart[j] += c * row[j];
                    sinPart[j] += s * row[j];
                }
            }
            double energy = 0;
            for (int j = 0; j < width; j++) {
                energy += cosPart[j] * cosPart[j] + sinPart[j] * sinPart[j];
            }
            norms[k - 1] = Math.sqrt(energy);
        }
        return norms;
    }

    /**
     * The norm of every Fourier component of a matrix whose rows are indexed by the tokens of Z_p, in Nanda et al.'s
     * row order: element 0 is ‖constᵀM‖, elements 2k−1 and 2k are ‖c_kᵀM‖ and ‖s_kᵀM‖ (k = 1..(p−1)/2). These p
     * values are what Nanda et al. (2023, Fig. 7) take the Gini coefficient of: the constant, cosine and sine
     * components separately, not the per-frequency norms of {@link #frequencyNorms}.
     *
     * @param tokenRows as for {@link #frequencyNorms}; rows beyond p are ignored
     */
    public double[] componentNorms(double[][] tokenRows) {
        if (tokenRows.length < modulus) {
            throw new IllegalArgumentException("need one row per token of Z_" + modulus + ", got " + tokenRows.length);
        }
        int width = tokenRows[0].length;
        double[][] rows = rows();
        double[] norms = new double[modulus];
        double[] part = new double[width];
        for (int r = 0; r < modulus; r++) {
            java.util.Arrays.fill(part, 0);
            for (int x = 0; x < modulus; x++) {
                double[] row = tokenRows[x];
                if (row.length != width) {
                    throw new IllegalArgumentException("ragged matrix: row " + x + " has " + row.length
                            + " columns, row 0 has " + width);
                }
                double w = rows[r][x];
                for (int j = 0; j < width; j++) {
                    part[j] += w * row[j];
                }
            }
            double energy = 0;
            for (double v : part) {
                energy += v * v;
            }
            norms[r] = Math.sqrt(energy);
        }
        return norms;
    }

    private void checkFrequency(int k) {
        if (k < 1 || k > frequencyCount()) {
            throw new IllegalArgumentException("frequency must be in 1.." + frequencyCount() + ", was " + k);
        }
    }
}
