package io.grokscope.model;

/**
 * A decoder-only transformer reading its prediction at the last ("=") position.
 *
 * @param layers     number of blocks
 * @param dModel     residual stream width
 * @param heads      attention heads; must divide dModel
 * @param dMlp       hidden width of each block's MLP
 * @param activation {@link Activation#RELU} or {@link Activation#GELU}
 * @param layerNorm  where LayerNorm sits; {@link LayerNormPlacement#PRE} and
 *                   {@link LayerNormPlacement#PRE_NORMALISED_STREAM} also add a final LayerNorm
 * @param sequence   the token layout of one equation
 * @param initScale  Omnigrok's alpha, multiplying every initial parameter
 * @param init       the initial distributions ({@link TransformerInit#NANDA} unless stated)
 */
public record TransformerSpec(int layers, int dModel, int heads, int dMlp, Activation activation,
        LayerNormPlacement layerNorm, SequenceFormat sequence, double initScale, TransformerInit init)
        implements ModelSpec {

    /** A transformer with Nanda et al.'s initialisation. */
    public TransformerSpec(int layers, int dModel, int heads, int dMlp, Activation activation,
            LayerNormPlacement layerNorm, SequenceFormat sequence, double initScale) {
        this(layers, dModel, heads, dMlp, activation, layerNorm, sequence, initScale, TransformerInit.NANDA);
    }

    public TransformerSpec {
        if (layerNorm == null || sequence == null || activation == null || init == null) {
            throw new IllegalArgumentException("activation, layerNorm, sequence and init are required");
        }
        if (layers < 1 || dModel < 1 || heads < 1 || dMlp < 1) {
            throw new IllegalArgumentException("layers, dModel, heads and dMlp must be positive");
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must divide dModel (" + dModel + ")");
        }
        if (activation == Activation.QUADRATIC) {
            throw new IllegalArgumentException("a transformer's activation is RELU or GELU");
        }
        if (!(initScale > 0)) {
            throw new IllegalArgumentException("initScale must be > 0");
        }
    }

    /** Nanda et al. (2023): one layer, d_model 128, 4 heads, d_mlp 512, ReLU, no LayerNorm, "a b =". */
    public static TransformerSpec nanda() {
        return new TransformerSpec(1, 128, 4, 512, Activation.RELU, LayerNormPlacement.NONE, SequenceFormat.A_B_EQ, 1.0);
    }
}
