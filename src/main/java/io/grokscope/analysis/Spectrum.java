package io.grokscope.analysis;

import java.util.Arrays;
import java.util.List;

/**
 * The Fourier spectra of a model at one measured step, as served by {@code /spectrum}: the per-frequency norms n_k of
 * the token embedding W_E and of W_L, the map into the logits, for k = 1..(p−1)/2 (the constant is excluded; see
 * {@link FourierBasis#frequencyNorms}). Element i of each list is frequency i + 1.
 *
 * @param modulus p
 * @param embed   n_k of W_E (rows = input tokens)
 * @param unembed n_k of W_L (rows = answer tokens)
 */
public record Spectrum(int modulus, List<Double> embed, List<Double> unembed) {

    public Spectrum {
        embed = List.copyOf(embed);
        unembed = List.copyOf(unembed);
        int frequencies = (modulus - 1) / 2;
        if (embed.size() != frequencies || unembed.size() != frequencies) {
            throw new IllegalArgumentException("expected " + frequencies + " frequencies for p = " + modulus
                    + ", got " + embed.size() + " (embed) and " + unembed.size() + " (unembed)");
        }
    }

    /** Builds a spectrum from norm arrays (index 0 = frequency 1). */
    public static Spectrum of(int modulus, double[] embedNorms, double[] unembedNorms) {
        return new Spectrum(modulus, Arrays.stream(embedNorms).boxed().toList(),
                Arrays.stream(unembedNorms).boxed().toList());
    }

    /** The embedding's norms as a fresh array (index 0 = frequency 1). */
    public double[] embedNorms() {
        return embed.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** W_L's norms as a fresh array (index 0 = frequency 1). */
    public double[] unembedNorms() {
        return unembed.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The key frequencies and key fraction this spectrum implies. */
    public KeyFrequencies keyFrequencies() {
        return KeyFrequencies.select(unembedNorms());
    }
}
