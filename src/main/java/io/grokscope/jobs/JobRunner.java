package io.grokscope.jobs;

import io.grokscope.database.DatabaseOutage;
import io.grokscope.metrics.MetricSink;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import io.grokscope.training.RunConfig;
import io.grokscope.training.Trainer;
import io.grokscope.training.TrainingOutcome;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Runs one claimed job to an end: resumes from its checkpoint, trains while a heartbeat renews the lease, and records
 * how it ended. Every write is fenced by the claim, so if the lease is lost (this instance stalled and the job moved
 * on) the run stops and changes nothing.
 *
 * <p>A database that goes away for a while (a restart, a network blip) does not end the attempt: training goes on,
 * metrics wait in the sink, and every other write is repeated until it succeeds or
 * {@link JobProperties#outageTolerance()} has passed. Repeating is safe because each write is fenced and idempotent.
 * The lease is not lost by the outage alone: the fence names the attempt, not the lease's expiry, so only another
 * worker claiming the expired job (possible once an outage outlasts the lease) moves it on.
 */
final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JobRepository repository;
    private final MetricStore metrics;
    private final SpectrumStore spectra;
    private final SpecReader specs;
    private final Trainer trainer;
    private final ScheduledExecutorService heartbeats;
    private final ApplicationEventPublisher events;
    private final JobProperties properties;
    private final Provenance provenance;
    private final JobMetrics jobMetrics;

    JobRunner(JobRepository repository, MetricStore metrics, SpectrumStore spectra, SpecReader specs, Trainer trainer,
            ScheduledExecutorService heartbeats, ApplicationEventPublisher events, JobProperties properties,
            Provenance provenance, JobMetrics jobMetrics) {
        this.repository = repository;
        this.metrics = metrics;
        this.spectra = spectra;
        this.specs = specs;
        this.trainer = trainer;
        this.heartbeats = heartbeats;
        this.events = events;
        this.properties = properties;
        this.provenance = provenance;
        this.jobMetrics = jobMetrics;
    }

    void run(Claim claim, JobControl control) {
        WriteFence fence = claim.fence();
        log.info("Starting experiment {} (attempt {}) on {}", fence.experimentId(), fence.attempt(), fence.worker());
        ScheduledFuture<?> heartbeat = heartbeats.scheduleWithFixedDelay(new Heartbeat(fence, control),
                properties.heartbeatInterval().toMillis(), properties.heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        String finalStatus = null;
        try (MetricSink sink = metrics.open(fence)) {
            control.writingTo(sink);
            retry("provenance", fence, () -> {
                repository.recordProvenance(fence, provenance.json(fence));
                return null;
            });
            RunConfig config = specs.runConfig(claim.specJson());
            Checkpoint resumeFrom = retry("checkpoint load", fence,
                    () -> repository.loadCheckpoint(fence.experimentId()))
                    .map(stored -> CheckpointCodec.decode(stored.payload())).orElse(null);
            if (resumeFrom != null) {
                // Rows a dead attempt wrote after its last checkpoint are replaced by this attempt's.
                retry("deletion of rows after the checkpoint", fence,
                        () -> metrics.deleteAfter(fence, resumeFrom.step()));
                log.info("Experiment {} resumes from its checkpoint at step {}", fence.experimentId(),
                        resumeFrom.step());
            }
            RecordingListener listener = new RecordingListener(fence, sink, spectra, repository, control,
                    properties.outageTolerance());
            TrainingOutcome outcome = trainer.run(config, resumeFrom, listener,
                    () -> control.stopRequested() || sink.fenceLost());
            sink.flush();
            if (sink.fenceLost()) {
                control.leaseLost();
            }
            finalStatus = conclude(fence, outcome, control);
        } catch (RuntimeException | Error e) {
            log.error("Experiment {} failed on attempt {}", fence.experimentId(), fence.attempt(), e);
            finalStatus = recordFailure(fence, e);
        } finally {
            control.writingTo(null);
            heartbeat.cancel(false);
        }
        if (finalStatus != null) {
            events.publishEvent(new RunFinished(fence.experimentId(), finalStatus));
        }
    }

    /** Records how the run ended; returns the final status, or null when the job is not finished (released, lost). */
    private String conclude(WriteFence fence, TrainingOutcome outcome, JobControl control) {
        long step = outcome.lastStep();
        if (outcome.completed() && control.stop() != JobControl.Stop.LEASE_LOST) {
            return retry("completion", fence, () -> repository.finish(fence, "SUCCEEDED", null, step))
                    ? "SUCCEEDED" : null;
        }
        switch (control.stop()) {
            case CANCELLED -> {
                return retry("cancellation", fence, () -> repository.finish(fence, "CANCELLED", null, step))
                        ? "CANCELLED" : null;
            }
            case SHUTDOWN -> {
                retry("release", fence, () -> repository.release(fence, step));
                log.info("Experiment {} released at step {} for another instance", fence.experimentId(), step);
                return null;
            }
            default -> {
                jobMetrics.leaseLost();
                log.warn("Experiment {} attempt {} lost its lease at step {}; stopped without writing",
                        fence.experimentId(), fence.attempt(), step);
                return null;
            }
        }
    }

    /**
     * Records a failed attempt; returns FAILED when it used up the job's attempts, else null (back in the queue). If
     * even that cannot be written (the database stayed away), the job keeps its lease until it expires, and then
     * another claim or the reaper counts the failure: nothing is lost, only delayed.
     */
    private String recordFailure(WriteFence fence, Throwable e) {
        try {
            String status = retry("failure record", fence,
                    () -> repository.fail(fence, describe(e), properties.maxFailures()).orElse(null));
            return "FAILED".equals(status) ? status : null;
        } catch (RuntimeException unrecorded) {
            log.error("Could not record the failure of experiment {} attempt {} ({}); its lease will expire",
                    fence.experimentId(), fence.attempt(), unrecorded.toString());
            return null;
        }
    }

    private <T> T retry(String what, WriteFence fence, Supplier<T> write) {
        return DatabaseOutage.retry(what + " of experiment " + fence.experimentId() + " attempt " + fence.attempt(),
                properties.outageTolerance(), write);
    }

    private static String describe(Throwable e) {
        String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return message.length() > 2000 ? message.substring(0, 2000) : message;
    }

    /** Renews the lease, reports progress and picks up cancellation. */
    private final class Heartbeat implements Runnable {
        private final WriteFence fence;
        private final JobControl control;
        private long lastStep = -1;
        private long lastNanos;
        private Double speed;

        Heartbeat(WriteFence fence, JobControl control) {
            this.fence = fence;
            this.control = control;
        }

        @Override
        public void run() {
            org.slf4j.MDC.put("experiment", Long.toString(fence.experimentId()));
            try {
                long step = control.step();
                long now = System.nanoTime();
                // Progress arrives once per evaluation, which may be rarer than heartbeats: the speed is measured
                // between evaluations and kept in between, rather than reported as unknown.
                if (lastStep >= 0 && step > lastStep) {
                    speed = (step - lastStep) / (Duration.ofNanos(now - lastNanos).toMillis() / 1000.0);
                    control.measured(speed);
                    jobMetrics.trained(step - lastStep);
                }
                if (lastStep < 0 || step > lastStep) {
                    lastStep = step;
                    lastNanos = now;
                }
                var answer = repository.heartbeat(fence, properties.leaseDuration(), step, speed);
                if (answer.isEmpty()) {
                    control.leaseLost();
                } else if (answer.get()) {
                    control.cancel();
                }
            } catch (RuntimeException e) {
                // A failed heartbeat (database briefly away) is retried at the next tick; the lease has slack.
                log.warn("Heartbeat of experiment {} failed: {}", fence.experimentId(), e.toString());
            } finally {
                org.slf4j.MDC.remove("experiment");
            }
        }
    }
}
