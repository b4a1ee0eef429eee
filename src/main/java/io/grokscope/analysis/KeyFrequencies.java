package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * The key frequencies of a model, read from the per-frequency norms n_k of W_L (the map into the logits; Nanda et al.
 * 2023, App. C.2, keep the frequencies with "nontrivial coefficients" in W_L's DFT).
 *
 * <p>Rule: k is a key frequency when n_k ≥ {@value #RELATIVE_THRESHOLD}·max_k' n_k', i.e. when it holds at least
 * 1/16 of the energy of the strongest frequency. The rule is relative to the largest norm, not a share of the total,
 * so a weak but real frequency (Nanda's 14, carried by 44 of 433 neurons, about half the norm of the strongest) is
 * kept however many others there are, while the noise left after cleanup (a few per cent of the largest norm) is not.
 * There is no cap: early in training, when the spectrum is flat, most frequencies pass, which is the honest answer
 * (nothing stands out yet); whole-run measures use the key set of the final model.
 *
 * <p>{@code fraction} is the {@link Metric#FOURIER_KEY_FRACTION}: the share of W_L's Σn_k² held by the key set, 0 when
 * W_L is all zeros.
 *
 * @param frequencies the key frequencies in ascending order (1..(p−1)/2); empty only when W_L is all zeros
 * @param fraction    the key fraction defined above, in [0, 1]
 */
public record KeyFrequencies(List<Integer> frequencies, double fraction) {

    /** A frequency is key when its norm is at least this fraction of the largest norm. */
    public static final double RELATIVE_THRESHOLD = 0.25;

    public KeyFrequencies {
        frequencies = List.copyOf(frequencies);
        if (!(fraction >= 0 && fraction <= 1 + 1e-12)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
        }
    }

    /** Whether there is no key frequency (only when W_L has no Fourier energy at all). */
    public boolean isEmpty() {
        return frequencies.isEmpty();
    }

    /**
     * Selects the key frequencies from W_L's per-frequency norms.
     *
     * @param unembedNorms n_1..n_K at indices 0..K−1 (as from {@link FourierBasis#frequencyNorms})
     */
    public static KeyFrequencies select(double[] unembedNorms) {
        double largest = 0;
        double total = 0;
        for (double n : unembedNorms) {
            if (!(n >= 0) || Double.isInfinite(n)) {
                throw new IllegalArgumentException("norms must be finite and non-negative, got " + n);
            }
            largest = Math.max(largest, n);
            total += n * n;
        }
        if (largest == 0) {
            return new KeyFrequencies(List.of(), 0);
        }
        List<Integer> chosen = new ArrayList<>();
        double held = 0;
        for (int i = 0; i < unembedNorms.length; i++) {
            if (unembedNorms[i] >= RELATIVE_THRESHOLD * largest) {
                chosen.add(i + 1);
                held += unembedNorms[i] * unembedNorms[i];
            }
        }
        return new KeyFrequencies(chosen, Math.min(1, held / total));
    }
}
