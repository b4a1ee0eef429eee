package io.grokscope.model;

/** The training loss: mean softmax cross-entropy, or mean squared error against one-hot targets. */
public enum Loss {
    CROSS_ENTROPY, MSE
}
