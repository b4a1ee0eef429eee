package io.grokscope.metrics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a run's metric points travel to the database.
 *
 * @param bufferPoints  points a run may have in flight before its training thread waits for the writer: the bound on
 *                      memory and on what a crash can lose (everything up to the last checkpoint is rewritten anyway)
 * @param batchPoints   the most points one COPY carries
 * @param linger        how long the writer waits for more points before writing a partial batch: the delay before a
 *                      poller sees a new point
 * @param flushTimeout  how long a flush (before a checkpoint, at the end of a run) waits for a database that is away
 *                      before the attempt fails and is retried from its checkpoint
 */
@ConfigurationProperties("grokscope.metrics.sink")
public record MetricSinkSettings(
        @DefaultValue("100000") int bufferPoints,
        @DefaultValue("20000") int batchPoints,
        @DefaultValue("200ms") Duration linger,
        @DefaultValue("2m") Duration flushTimeout) {

    public MetricSinkSettings {
        if (bufferPoints < 1 || batchPoints < 1 || linger.isNegative() || flushTimeout.isNegative()) {
            throw new IllegalArgumentException("grokscope.metrics.sink: sizes >= 1, durations >= 0");
        }
    }
}
