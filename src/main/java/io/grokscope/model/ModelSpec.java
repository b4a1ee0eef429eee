package io.grokscope.model;

/** The architecture to train: a transformer or an MLP. Each variant checks its own sizes on construction. */
public sealed interface ModelSpec permits TransformerSpec, MlpSpec {

    /** Omnigrok's alpha: every parameter is multiplied by this after the standard initialisation. */
    double initScale();
}
