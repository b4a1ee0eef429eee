package io.grokscope.experiment;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.grokscope.training.GradientFilterSpec;
import io.swagger.v3.oas.annotations.media.DiscriminatorMapping;
import io.swagger.v3.oas.annotations.media.Schema;

/** A Grokfast gradient filter (Lee et al. 2024), chosen by {@code type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = EmaFilterSettings.class, name = "EMA"),
        @JsonSubTypes.Type(value = MovingAverageFilterSettings.class, name = "MA") })
@Schema(description = "A Grokfast gradient filter, chosen by type.", discriminatorProperty = "type",
        discriminatorMapping = {
                @DiscriminatorMapping(value = "EMA", schema = EmaFilterSettings.class),
                @DiscriminatorMapping(value = "MA", schema = MovingAverageFilterSettings.class) })
public sealed interface GradientFilterSettings permits EmaFilterSettings, MovingAverageFilterSettings {

    GradientFilterSettings withDefaults();

    GradientFilterSpec toSpec();
}
