package io.grokscope.model;

/**
 * How a transformer's parameters are drawn before training (exact distributions in {@link Transformer}).
 * <ul>
 *   <li>{@link #NANDA}: Nanda et al.'s (2023) — every weight Gaussian with standard deviation 1/√d_model (W_U:
 *       1/√vocab), biases 0: token embeddings of norm about 1;</li>
 *   <li>{@link #TORCH_DEFAULT}: what PyTorch's modules draw when a model keeps their defaults, as the Grokfast
 *       reference code does — {@code nn.Embedding} N(0, 1) (embeddings of norm about √d_model), {@code nn.Linear}
 *       U(±1/√fan_in) for weights and biases, {@code nn.MultiheadAttention}'s packed input projection Xavier-uniform.
 *       </li>
 * </ul>
 * Either is then multiplied by {@link TransformerSpec#initScale()}.
 */
public enum TransformerInit {
    NANDA, TORCH_DEFAULT
}
