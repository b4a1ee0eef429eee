package io.grokscope.model;

/**
 * Where a transformer block normalises (see {@link Transformer} for the exact formulas).
 * <ul>
 *   <li>{@link #NONE}: not at all (Nanda et al.);</li>
 *   <li>{@link #PRE}: standard pre-LN, before each sublayer on a side branch, plus a final LayerNorm: the residual
 *       stream itself is never normalised;</li>
 *   <li>{@link #PRE_NORMALISED_STREAM}: as PRE, except that the first LayerNorm's output REPLACES the residual stream
 *       (x ← LN1(x); x ← x + attn(x); x ← x + mlp(LN2(x))), plus a final LayerNorm. This is the block of the Grokfast
 *       reference code (Lee et al. 2024), whose {@code Block.forward} reassigns {@code x = self.ln_1(x)}: every block
 *       starts from a stream of unit scale, whatever the embeddings' or the previous block's scale;</li>
 *   <li>{@link #POST}: after each residual sum (Power et al.).</li>
 * </ul>
 */
public enum LayerNormPlacement {
    NONE, PRE, PRE_NORMALISED_STREAM, POST;

    /** Whether each block normalises before its sublayers and the model ends with a final LayerNorm. */
    public boolean normalisesBeforeSublayers() {
        return this == PRE || this == PRE_NORMALISED_STREAM;
    }
}
