package io.grokscope.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Defaults of the curves API. Its limits ({@code maxPoints}, experiments per comparison) are in
 * {@code grokscope.limits}.
 *
 * @param defaultMaxPoints points per series when the client names no {@code maxPoints}; at most
 *                         {@code grokscope.limits.max-points}
 */
@ConfigurationProperties("grokscope.metrics.api")
public record MetricsApiSettings(@DefaultValue("2000") int defaultMaxPoints) {

    public MetricsApiSettings {
        if (defaultMaxPoints < 2) {
            throw new IllegalArgumentException("grokscope.metrics.api.default-max-points must be >= 2");
        }
    }
}
