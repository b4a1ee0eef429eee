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
 * @param maxQueuedBytes  events rendered for one stream but not yet taken by its client; beyond it the poller
 *                        queues nothing more of that stream's points (they wait in the database), so a slow client
 *                        costs this much memory at most and no other stream waits for it
 * @param stallTimeout    a stream whose client has taken nothing for this long while events wait is dropped (the
 *                        client may reconnect with {@code Last-Event-ID})
 * @param keepAlive       an idle stream gets a comment line this often, so proxies keep it open and a client that
 *                        went away is noticed
 */
@ConfigurationProperties("grokscope.events")
public record EventSettings(
        @DefaultValue("500ms") Duration pollInterval,
        @DefaultValue("30m") Duration timeout,
        @DefaultValue("500") int maxSubscribers,
        @DefaultValue("2000") int maxStepsPerPoll,
        @DefaultValue("1048576") long maxQueuedBytes,
        @DefaultValue("60s") Duration stallTimeout,
        @DefaultValue("15s") Duration keepAlive) {

    public EventSettings {
        if (pollInterval.isNegative() || pollInterval.isZero() || maxSubscribers < 1 || maxStepsPerPoll < 1
                || maxQueuedBytes < 1 || stallTimeout.isNegative() || stallTimeout.isZero() || keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("grokscope.events: poll-interval > 0, max-subscribers >= 1,"
                    + " max-steps-per-poll >= 1, max-queued-bytes >= 1, stall-timeout > 0, keep-alive > 0");
        }
    }
}
