package io.grokscope.experiment;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.grokscope.model.ModelSpec;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;

/** The network to train, chosen by {@code type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = TransformerSettings.class, name = "TRANSFORMER"),
        @JsonSubTypes.Type(value = MlpSettings.class, name = "MLP") })
@Schema(description = "The network to train, chosen by type.", discriminatorProperty = "type",
        discriminatorMapping = {
                @DiscriminatorMapping(value = "TRANSFORMER", schema = TransformerSettings.class),
                @DiscriminatorMapping(value = "MLP", schema = MlpSettings.class) })
public sealed interface ModelSettings permits TransformerSettings, MlpSettings {

    /** A copy with every absent field set to its default. */
    ModelSettings withDefaults();

    /** The training engine's view of these settings, defaults applied. */
    ModelSpec toSpec();
}
