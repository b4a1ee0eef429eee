package io.grokscope.analysis;

import java.util.Arrays;

/**
 * The Gini coefficient as a sparsity index (Hurley &amp; Rickard 2009, "Comparing measures of sparsity"): sort the
 * non-negative values ascending, c_(1) ≤ … ≤ c_(N), then
 * <pre>G = 1 − 2 · Σ_i (c_(i) / ‖c‖₁) · (N − i + ½) / N.</pre>
 *
 * <p>G is 0 when all values are equal and 1 − 1/N when a single value is non-zero. Hurley and Rickard show it is the
 * one common sparsity measure that satisfies all their criteria (it is scale invariant, rises when energy moves from a
 * small to a large entry, and is unchanged by cloning the vector), which is why Nanda et al. (2023) use it to show the
 * network's weights concentrating on a few Fourier frequencies during cleanup.
 */
public final class GiniCoefficient {

    private GiniCoefficient() {
    }

    /**
     * The Gini coefficient of {@code values}.
     *
     * @return 0 for an all-zero vector (no value is favoured), and for a single value
     * @throws IllegalArgumentException if the vector is empty or holds a negative or non-finite value
     */
    public static double of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the Gini coefficient of an empty vector is undefined");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double l1 = 0;
        for (double v : sorted) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("Gini coefficient needs finite non-negative values, got " + v);
            }
            l1 += v;
        }
        if (l1 == 0) {
            return 0;
        }
        int n = sorted.length;
        double weighted = 0;
        for (int i = 1; i <= n; i++) {
            weighted += (sorted[i - 1] / l1) * (n - i + 0.5) / n;
        }
        return 1 - 2 * weighted;
    }
}
