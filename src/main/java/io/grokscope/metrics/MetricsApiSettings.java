package io.grokscope.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds of the curves API, so that no request makes the service read or send an unbounded amount.
 *
 * @param defaultMaxPoints points per series when the client names no {@code maxPoints}
 * @param maxPoints        the largest {@code maxPoints} a client may ask for
 * @param maxExperiments   experiments in one comparison request
 */
@ConfigurationProperties("grokscope.metrics.api")
public record MetricsApiSettings(
        @DefaultValue("2000") int defaultMaxPoints,
        @DefaultValue("20000") int maxPoints,
        @DefaultValue("50") int maxExperiments) {

    public MetricsApiSettings {
        if (defaultMaxPoints < 2 || maxPoints < defaultMaxPoints || maxExperiments < 1) {
            throw new IllegalArgumentException("grokscope.metrics.api: 2 <= default-max-points <= max-points,"
                    + " max-experiments >= 1");
        }
    }
}
