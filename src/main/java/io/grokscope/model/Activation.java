package io.grokscope.model;

/** The hidden nonlinearity. QUADRATIC is phi(z) = z^2 (Gromov 2023). */
public enum Activation {
    RELU, GELU, QUADRATIC
}
