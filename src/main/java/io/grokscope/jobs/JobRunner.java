package io.grokscope.jobs;

import io.grokscope.database.DatabaseOutage;
import io.grokscope.history.ParameterHistory;
import io.grokscope.history.WholeRunMeasures;
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
    private final ParameterHistory history;
    private final WholeRunMeasures wholeRun;

    JobRunner(JobRepository repository, MetricStore metrics, SpectrumStore spectra, SpecReader specs, Trainer trainer,
            ScheduledExecutorService heartbeats, ApplicationEventPublisher events, JobProperties properties,
            Provenance provenance, ParameterHistory history, WholeRunMeasures wholeRun) {
        this.repository = repository;
        this.metrics = metrics;
        this.spectra = spectra;
        this.specs = specs;
        this.trainer = trainer;
        this.heartbeats = heartbeats;
        this.events = events;
        this.properties = properties;
        this.provenance = provenance;
        this.history = history;
        this.wholeRun = wholeRun;
    }

    void run(Claim claim, JobControl control) {
        WriteFence fence = claim.fence();
        log.info("Starting experiment {} (attempt {}) on {}", fence.experimentId(), fence.attempt(), fence.worker());
        ScheduledFuture<?> heartbeat = heartbeats.scheduleWithFixedDelay(new Heartbeat(fence, control),
                properties.heartbeatInterval().toMillis(), properties.heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        String finalStatus = null;
        try (MetricSink sink = metrics.open(fence)) {
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
                if (history != null) {
                    retry("deletion of snapshots after the checkpoint", fence,
                            () -> history.deleteAfter(fence, resumeFrom.step()));
                }
                log.info("Experiment {} resumes from its checkpoint at step {}", fence.experimentId(),
                        resumeFrom.step());
            }
            RecordingListener listener = new RecordingListener(fence, sink, spectra, repository, control,
                    properties.outageTolerance(), history, config.training().loss(), config.progressMeasuresEvery());
            TrainingOutcome outcome = trainer.run(config, resumeFrom, listener,
                    () -> control.stopRequested() || sink.fenceLost());
            sink.flush();
            if (sink.fenceLost()) {
                control.leaseLost();
            }
            if (outcome.completed() || control.stop() == JobControl.Stop.CANCELLED) {
                recomputeWholeRun(fence, config);
            }
            finalStatus = conclude(fence, outcome, control);
        } catch (RuntimeException | Error e) {
            log.error("Experiment {} failed on attempt {}", fence.experimentId(), fence.attempt(), e);
            finalStatus = recordFailure(fence, e);
        } finally {
            heartbeat.cancel(false);
        }
        if (finalStatus != null) {
            events.publishEvent(new RunFinished(fence.experimentId(), finalStatus));
        }
    }

    /**
     * The whole-run restricted and excluded loss (final key set at every stored snapshot), written while the attempt
     * still owns the run. A failure here is logged and leaves the provisional series: it must not fail a finished run.
     */
    private void recomputeWholeRun(WriteFence fence, RunConfig config) {
        if (wholeRun == null || config.progressMeasuresEvery() == 0 || noLossesReason(config) != null) {
            return;
        }
        long started = System.nanoTime();
        try {
            var result = wholeRun.compute(fence.experimentId(), config);
            if (result.isPresent()) {
                retry("whole-run measures", fence, () -> wholeRun.store(fence, result.get()));
                log.info("Experiment {}: whole-run restricted/excluded loss at {} stored steps with key frequencies {}"
                        + " (from step {}) in {} ms", fence.experimentId(), result.get().points().size(),
                        result.get().keyFrequencies(), result.get().keyStep(), (System.nanoTime() - started) / 1000000);
            }
        } catch (RuntimeException e) {
            log.warn("Experiment {}: whole-run measures not recomputed; the series stay provisional",
                    fence.experimentId(), e);
        }
    }

    /** Why a run has no restricted and excluded loss at all, or null when it has them. */
    private static String noLossesReason(RunConfig config) {
        return io.grokscope.analysis.ProgressMeasures.unavailable(config.task())
                .get(io.grokscope.analysis.Metric.RESTRICTED_LOSS);
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
            try {
                long step = control.step();
                long now = System.nanoTime();
                // Progress arrives once per evaluation, which may be rarer than heartbeats: the speed is measured
                // between evaluations and kept in between, rather than reported as unknown.
                if (lastStep >= 0 && step > lastStep) {
                    speed = (step - lastStep) / (Duration.ofNanos(now - lastNanos).toMillis() / 1000.0);
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
            }
        }
    }
}
