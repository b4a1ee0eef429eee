package io.grokscope.model;

/** How the MLP sees its operands: a learned embedding W_E shared by a and b, or fixed one-hot vectors. */
public enum InputEncoding {
    EMBEDDING, ONE_HOT
}
