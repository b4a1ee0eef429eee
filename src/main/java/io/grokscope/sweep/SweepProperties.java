package io.grokscope.sweep;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of sweeps.
 *
 * @param maxExperiments the most experiments one sweep may expand into (cells × seeds); a sweep is also refused
 *                       when it could never fit in the queue ({@code grokscope.jobs.max-queued})
 */
@ConfigurationProperties("grokscope.sweeps")
public record SweepProperties(@DefaultValue("200") int maxExperiments) {

    public SweepProperties {
        if (maxExperiments < 1) {
            throw new IllegalArgumentException("grokscope.sweeps.max-experiments must be >= 1");
        }
    }
}
