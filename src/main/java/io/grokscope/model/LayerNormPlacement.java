package io.grokscope.model;

/** Where a transformer block normalises: not at all (Nanda), before each sublayer plus a final LayerNorm (Grokfast), or after each residual sum (Power et al.). */
public enum LayerNormPlacement {
    NONE, PRE, POST
}
