package io.grokscope.model;

/** The token layout of an equation: "a b =" (Nanda et al.) or "a op b =" (Power et al., Grokfast). */
public enum SequenceFormat {
    A_B_EQ, A_OP_B_EQ
}
