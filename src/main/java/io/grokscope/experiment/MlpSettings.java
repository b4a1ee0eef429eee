package io.grokscope.experiment;

import io.grokscope.model.Activation;
import io.grokscope.model.InputEncoding;
import io.grokscope.model.MlpSpec;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/** The grokking MLP; absent fields give a 128-wide embedding and one ReLU layer of 512. */
@Schema(description = "An MLP over the two operands' embeddings (or one-hot vectors).")
public record MlpSettings(
        @Min(1) @Max(ExperimentLimits.MAX_WIDTH) Integer embedDim,
        @Size(min = 1, max = ExperimentLimits.MAX_HIDDEN_LAYERS)
        @ArraySchema(schema = @Schema(minimum = "1", maximum = "" + ExperimentLimits.MAX_WIDTH))
        List<@NotNull @Min(1) @Max(ExperimentLimits.MAX_WIDTH) Integer> hiddenDims,
        @Schema(description = "RELU or QUADRATIC") Activation activation,
        InputEncoding inputEncoding,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "" + ExperimentLimits.MAX_INIT_SCALE)
        Double initScale) implements ModelSettings {

    static final int DEFAULT_EMBED_DIM = 128;
    static final List<Integer> DEFAULT_HIDDEN_DIMS = List.of(512);

    @Override
    public MlpSettings withDefaults() {
        return new MlpSettings(embedDim == null ? DEFAULT_EMBED_DIM : embedDim,
                hiddenDims == null ? DEFAULT_HIDDEN_DIMS : hiddenDims,
                activation == null ? Activation.RELU : activation,
                inputEncoding == null ? InputEncoding.EMBEDDING : inputEncoding,
                initScale == null ? 1.0 : initScale);
    }

    @Override
    public MlpSpec toSpec() {
        MlpSettings s = withDefaults();
        return new MlpSpec(s.embedDim, s.hiddenDims, s.activation, s.inputEncoding, s.initScale);
    }
}
