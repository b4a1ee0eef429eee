package io.grokscope.analysis;

/** The three phases of grokking identified by Nanda et al. (2023, §5.2), in the order they occur. */
public enum PhaseName {
    /** Train and excluded loss fall: the network fits its training set with a solution spread over Fourier space. */
    MEMORIZATION,
    /** Excluded loss rises, restricted loss and weight norm fall, test loss stays high: the Fourier circuit forms. */
    CIRCUIT_FORMATION,
    /** Test loss and weight norm fall fastest and the Gini jumps: weight decay removes the memorised part. */
    CLEANUP
}
