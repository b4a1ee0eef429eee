package io.grokscope.jobs;

import io.grokscope.metrics.ExperimentEvents;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The job pool's meters, scraped at {@code /actuator/prometheus} (names there in brackets):
 * <ul>
 * <li>{@code grokscope.jobs.queued} [grokscope_jobs_queued]: experiments waiting, across all instances (the database's
 * count, read at each scrape; NaN while the database is away);</li>
 * <li>{@code grokscope.jobs.running} [grokscope_jobs_running]: runs training on this instance;</li>
 * <li>{@code grokscope.training.steps} [grokscope_training_steps_total]: steps trained here, so
 * {@code rate(grokscope_training_steps_total[1m])} is this instance's steps per second;</li>
 * <li>{@code grokscope.training.steps.per.second} [grokscope_training_steps_per_second]: the speeds its heartbeats
 * last measured, summed over its runs;</li>
 * <li>{@code grokscope.metrics.sink.backlog} [grokscope_metrics_sink_backlog]: metric points trained but not yet
 * written (grows while the database is away);</li>
 * <li>{@code grokscope.events.streams} [grokscope_events_streams]: live event streams this instance serves;</li>
 * <li>{@code grokscope.jobs.leases.lost} [grokscope_jobs_leases_lost_total]: runs here that found their lease taken
 * over (this instance stalled past the lease, and another claimed the run).</li>
 * </ul>
 */
@Component
class JobMetrics {

    private final LongAdder stepsTrained = new LongAdder();
    private final AtomicLong leasesLost = new AtomicLong();
    private volatile Collection<JobControl> running = List.of();

    /** Counts without publishing (job pools that tests build by hand). */
    JobMetrics() {
    }

    @Autowired
    JobMetrics(MeterRegistry registry, JobRepository repository, ExperimentEvents events) {
        Gauge.builder("grokscope.jobs.queued", repository, JobMetrics::queued)
                .description("Experiments waiting in the queue, across all instances").baseUnit("experiments")
                .register(registry);
        Gauge.builder("grokscope.jobs.running", this, m -> m.running.size())
                .description("Experiments training on this instance").baseUnit("experiments").register(registry);
        FunctionCounter.builder("grokscope.training.steps", stepsTrained, LongAdder::doubleValue)
                .description("Training steps taken on this instance").baseUnit("steps").register(registry);
        Gauge.builder("grokscope.training.steps.per.second", this,
                m -> m.running.stream().mapToDouble(JobControl::stepsPerSecond).sum())
                .description("Training speed of this instance's runs, summed, as their heartbeats last measured it")
                .register(registry);
        Gauge.builder("grokscope.metrics.sink.backlog", this,
                m -> m.running.stream().mapToLong(JobControl::sinkBacklog).sum())
                .description("Metric points trained on this instance and not yet written to the database")
                .baseUnit("points").register(registry);
        Gauge.builder("grokscope.events.streams", events, ExperimentEvents::openStreams)
                .description("Live event streams (Server-Sent Events) this instance serves").register(registry);
        FunctionCounter.builder("grokscope.jobs.leases.lost", leasesLost, AtomicLong::doubleValue)
                .description("Runs on this instance that lost their lease to another claim").register(registry);
    }

    /** The worker's live set of running jobs (read at each scrape). */
    void observe(Collection<JobControl> running) {
        this.running = running;
    }

    void trained(long steps) {
        stepsTrained.add(steps);
    }

    void leaseLost() {
        leasesLost.incrementAndGet();
    }

    long stepsTrained() {
        return stepsTrained.sum();
    }

    private static double queued(JobRepository repository) {
        try {
            return repository.countQueued();
        } catch (RuntimeException databaseAway) {
            return Double.NaN;
        }
    }
}
