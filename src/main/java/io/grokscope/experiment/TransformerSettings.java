package io.grokscope.experiment;

import io.grokscope.model.Activation;
import io.grokscope.model.LayerNormPlacement;
import io.grokscope.model.SequenceFormat;
import io.grokscope.model.TransformerInit;
import io.grokscope.model.TransformerSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** A decoder-only transformer; absent fields take Nanda et al.'s 1-layer model. */
@Schema(description = "A decoder-only transformer read at the last position (Nanda et al. 2023 by default).")
public record TransformerSettings(
        @Min(1) @Max(ExperimentLimits.MAX_LAYERS) Integer layers,
        @Min(1) @Max(ExperimentLimits.MAX_WIDTH) Integer dModel,
        @Min(1) @Max(ExperimentLimits.MAX_HEADS) Integer heads,
        @Min(1) @Max(ExperimentLimits.MAX_WIDTH) Integer dMlp,
        @Schema(description = "RELU or GELU") Activation activation,
        LayerNormPlacement layerNorm,
        SequenceFormat sequence,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "" + ExperimentLimits.MAX_INIT_SCALE)
        Double initScale,
        @Schema(description = "NANDA (default) or TORCH_DEFAULT (PyTorch's module defaults, as the Grokfast code)")
        TransformerInit init) implements ModelSettings {

    @Override
    public TransformerSettings withDefaults() {
        TransformerSpec d = TransformerSpec.nanda();
        return new TransformerSettings(or(layers, d.layers()), or(dModel, d.dModel()), or(heads, d.heads()),
                or(dMlp, d.dMlp()), or(activation, d.activation()), or(layerNorm, d.layerNorm()),
                or(sequence, d.sequence()), or(initScale, d.initScale()), or(init, d.init()));
    }

    @Override
    public TransformerSpec toSpec() {
        TransformerSettings s = withDefaults();
        return new TransformerSpec(s.layers, s.dModel, s.heads, s.dMlp, s.activation, s.layerNorm, s.sequence,
                s.initScale, s.init);
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
