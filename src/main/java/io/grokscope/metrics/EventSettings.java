package io.grokscope.metrics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live event stream ({@code /events}).
 *
 * @param pollInterval   how often the database is read for new points and status changes of watched experiments;
 *                       reading the database (not in-process events) is what lets a client of any instance follow a
 *                       run trained on another
 * @param timeout        how long one stream stays open; clients reconnect with {@code Last-Event-ID} and miss nothing
 * @param maxSubscribers open streams per instance; beyond it a new one gets 429
 * @param maxStepsPerPoll steps read per experiment and poll, so a replay of a long run is sent in bounded slices
 */
@ConfigurationProperties("grokscope.events")
public record EventSettings(
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("30m") Duration timeout,
        @DefaultValue("500") int maxSubscribers,
        @DefaultValue("2000") int maxStepsPerPoll) {

    public EventSettings {
        if (pollInterval.isNegative() || pollInterval.isZero() || maxSubscribers < 1 || maxStepsPerPoll < 1) {
            throw new IllegalArgumentException("grokscope.events: poll-interval > 0, max-subscribers >= 1,"
                    + " max-steps-per-poll >= 1");
        }
    }
}
