package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The key frequencies of a run at one moment, read from the per-frequency norms n_k of W_L (the map into the logits).
 *
 * <p>Definition (API notes): the smallest set of frequencies whose n_k² sum to at least {@value #ENERGY_SHARE} of the
 * total, if it has at most {@value #MAX_KEY_FREQUENCIES} members; otherwise there are none yet. The smallest such
 * set is found greedily (largest n_k² first; ties go to the lower frequency, so the answer is deterministic). Early in
 * training W_L's energy is spread over all (p−1)/2 frequencies and the set is empty; as the Fourier circuit forms it
 * collapses onto the 3–6 frequencies the network uses (Nanda et al. find {14, 35, 41, 42, 52} at p = 113).
 *
 * <p>{@code fraction} is the {@link Metric#FOURIER_KEY_FRACTION}: the share of W_L's Σn_k² held by the key set when it
 * exists (so at least 0.8). When the set is empty it is the share held by the {@value #MAX_KEY_FREQUENCIES} strongest
 * frequencies (so below 0.8): a measure that is defined at every step and climbs towards 0.8 while the circuit forms,
 * instead of being undefined until the key set appears. It is 0 when W_L is all zeros.
 *
 * @param frequencies the key frequencies in ascending order (1..(p−1)/2), empty when none yet
 * @param fraction    the key fraction defined above, in [0, 1]
 */
public record KeyFrequencies(List<Integer> frequencies, double fraction) {

    /** The share of W_L's Fourier energy the key set must reach. */
    public static final double ENERGY_SHARE = 0.8;
    /** The largest set still called "key frequencies"; a larger one means the spectrum is not yet sparse. */
    public static final int MAX_KEY_FREQUENCIES = 8;

    public KeyFrequencies {
        frequencies = List.copyOf(frequencies);
        if (!(fraction >= 0 && fraction <= 1 + 1e-12)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], was " + fraction);
        }
    }

    /** Whether the key set exists yet. */
    public boolean isEmpty() {
        return frequencies.isEmpty();
    }

    /**
     * Selects the key frequencies from W_L's per-frequency norms.
     *
     * @param unembedNorms n_1..n_K at indices 0..K−1 (as from {@link FourierBasis#frequencyNorms})
     */
    public static KeyFrequencies select(double[] unembedNorms) {
        double total = 0;
        for (double n : unembedNorms) {
            total += n * n;
        }
        if (total == 0 || unembedNorms.length == 0) {
            return new KeyFrequencies(List.of(), 0);
        }
        List<Integer> byEnergy = IntStream.range(0, unembedNorms.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -unembedNorms[i] * unembedNorms[i])
                        .thenComparingInt(i -> i))
                .toList();
        double held = 0;
        List<Integer> chosen = new ArrayList<>();
        for (int index : byEnergy) {
            held += unembedNorms[index] * unembedNorms[index];
            chosen.add(index + 1);
            // the relative slack absorbs rounding when the set holds exactly 80 %
            if (held >= ENERGY_SHARE * total * (1 - 1e-12)) {
                break;
            }
        }
        if (chosen.size() <= MAX_KEY_FREQUENCIES) {
            return new KeyFrequencies(chosen.stream().sorted().toList(), Math.min(1, held / total));
        }
        double topShare = 0;
        for (int i = 0; i < MAX_KEY_FREQUENCIES; i++) {
            int index = byEnergy.get(i);
            topShare += unembedNorms[index] * unembedNorms[index];
        }
        return new KeyFrequencies(List.of(), Math.min(1, topShare / total));
    }
}
