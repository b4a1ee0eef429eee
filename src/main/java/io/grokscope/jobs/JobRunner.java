package io.grokscope.jobs;

import io.grokscope.analysis.Settlement;
import io.grokscope.database.DatabaseOutage;
import io.grokscope.database.JobStatus;
import io.grokscope.history.ParameterHistory;
import io.grokscope.history.WholeRunMeasures;
import io.grokscope.metrics.MetricSink;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.spec.SpecReader;
import io.grokscope.task.AlgorithmicTask;
import io.grokscope.training.BatchKey;
import io.grokscope.training.BatchedTrainer;
import io.grokscope.training.Checkpoint;
import io.grokscope.training.CheckpointCodec;
import io.grokscope.training.RunConfig;
import io.grokscope.training.StopSignal;
import io.grokscope.training.Nd4jTrainer;
import io.grokscope.training.TrainingListener;
import io.grokscope.training.TrainingOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>How an attempt ends: SUCCEEDED or CANCELLED (with the analysis headline, in the statement that sets the status);
 * released to the queue on shutdown (no failure counted); or failed ({@link FailurePolicy}: at once when retrying
 * cannot help, else back to the queue after a back-off, FAILED after {@code max-failures} failures without a
 * checkpoint in between). A heartbeat that sees no step for {@link JobProperties#stallTimeout()} fails the attempt and
 * gives up the lease, so a hung training thread does not hold its job forever.
 */
final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    /** The span of the moving average behind {@code stepsPerSecond}. */
    static final Duration SPEED_WINDOW = Duration.ofSeconds(30);

    private final JobRepository repository;
    private final MetricStore metrics;
    private final SpectrumStore spectra;
    private final SpecReader specs;
    private final Nd4jTrainer trainer;
    /** Lanes in the solo trainer's precision, so that a lane computes what its solo run would. */
    private final BatchedTrainer batchedTrainer;
    private final String dataType;
    private final ScheduledExecutorService heartbeats;
    private final ApplicationEventPublisher events;
    private final JobProperties properties;
    private final Provenance provenance;
    private final RunSummarizer summarizer;
    private final ParameterHistory history;
    private final WholeRunMeasures wholeRun;
    private final JobMetrics jobMetrics;

    JobRunner(JobRepository repository, MetricStore metrics, SpectrumStore spectra, SpecReader specs, Nd4jTrainer trainer,
            ScheduledExecutorService heartbeats, ApplicationEventPublisher events, JobProperties properties,
            Provenance provenance, RunSummarizer summarizer, ParameterHistory history, WholeRunMeasures wholeRun,
            JobMetrics jobMetrics) {
        this.repository = repository;
        this.metrics = metrics;
        this.spectra = spectra;
        this.specs = specs;
        this.trainer = trainer;
        this.batchedTrainer = new BatchedTrainer(AlgorithmicTask::generate, trainer.dataType());
        this.dataType = trainer.dataType().name();
        this.heartbeats = heartbeats;
        this.events = events;
        this.properties = properties;
        this.provenance = provenance;
        this.summarizer = summarizer;
        this.history = history;
        this.wholeRun = wholeRun;
        this.jobMetrics = jobMetrics;
    }

    /** One claimed job and its control: a run of its own, or a lane of a group. */
    record Member(Claim claim, JobControl control) {
    }

    void run(Claim claim, JobControl control) {
        runGroup(List.of(new Member(claim, control)));
    }

    /**
     * Runs claimed jobs to their ends: one alone with the solo trainer, several compatible ones ({@link BatchKey}) as
     * lanes of one {@link BatchedTrainer} batch. Each member keeps everything a solo run has — its fence, heartbeat
     * and lease, sink, provenance, checkpoint to resume from, listener, stop signal — and ends on its own: a member
     * that fails to start, fails while training, is cancelled or loses its lease leaves the others running.
     */
    void runGroup(List<Member> members) {
        long t0 = System.nanoTime();
        List<Attempt> started = new ArrayList<>();
        List<Long> group = members.stream().map(m -> m.claim().fence().experimentId()).toList();
        for (Member member : members) {
            Attempt attempt = new Attempt(member.claim(), member.control(), group);
            try {
                attempt.prepare();
                started.add(attempt);
            } catch (Throwable e) {
                attempt.failed(e);
                attempt.release();
            }
        }
        if (started.isEmpty()) {
            return;
        }
        if (started.size() > 1) {
            log.info("Experiments {} train together as {} lanes of one batch", started.stream()
                    .map(a -> a.fence.experimentId()).toList(), started.size());
        }
        List<Throwable> failures = new ArrayList<>();
        List<TrainingOutcome> outcomes = new ArrayList<>();
        long t1 = System.nanoTime();
        train(started, outcomes, failures);
        long t2 = System.nanoTime();
        for (int i = 0; i < started.size(); i++) {
            Attempt attempt = started.get(i);
            try {
                if (failures.get(i) != null) {
                    throw failures.get(i);
                }
                attempt.trained(outcomes.get(i));
            } catch (Throwable e) {
                attempt.failed(e);
            } finally {
                attempt.release();
            }
        }
        if (started.size() > 1) {
            log.info("Group of {} lanes: prepared in {} ms, trained in {} ms, concluded in {} ms", started.size(),
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
    }

    /** Trains the prepared attempts: one outcome or one failure per attempt, in order. */
    private void train(List<Attempt> attempts, List<TrainingOutcome> outcomes, List<Throwable> failures) {
        var key = BatchKey.of(attempts.get(0).config);
        boolean oneBatch = attempts.size() > 1 && key.isPresent()
                && attempts.stream().allMatch(a -> key.equals(BatchKey.of(a.config)));
        if (!oneBatch) {
            // One run, or runs whose stored keys matched but whose configurations, as this version reads their specs,
            // do not (a key written by an older version): each trains alone, one after another, none failed for it.
            for (Attempt attempt : attempts) {
                try {
                    outcomes.add(trainer.run(attempt.config, attempt.resumeFrom, attempt.listener,
                            attempt.stopSignal()));
                    failures.add(null);
                } catch (Throwable e) {
                    // Throwable, not only RuntimeException: an Error (out of memory, a native library's) ends this
                    // attempt, not the worker, and is recorded like any failure.
                    outcomes.add(null);
                    failures.add(e);
                }
            }
            return;
        }
        List<BatchedTrainer.Lane> lanes = attempts.stream().map(a -> new BatchedTrainer.Lane(a.config, a.resumeFrom,
                a.listener, a.stopSignal())).toList();
        try {
            for (BatchedTrainer.LaneResult result : batchedTrainer.run(lanes)) {
                outcomes.add(result.outcome());
                failures.add(result.failure());
            }
        } catch (Throwable e) {
            // The batched pass itself failed (or an Error escaped it): every lane's attempt ends with it.
            outcomes.clear();
            failures.clear();
            attempts.forEach(a -> {
                outcomes.add(null);
                failures.add(e);
            });
        }
    }

    /** One attempt at one job, from its claim to how it ended; every write fenced by the claim. */
    private final class Attempt {
        private final Claim claim;
        private final List<Long> group;
        private final WriteFence fence;
        private final JobControl control;
        private final ScheduledFuture<?> heartbeat;
        private ScheduledFuture<?> settlementCheck;
        private MetricSink sink;
        private RunConfig config;
        private Checkpoint resumeFrom;
        private TrainingListener listener;
        private JobStatus finalStatus;

        Attempt(Claim claim, JobControl control, List<Long> group) {
            this.group = group;
            this.claim = claim;
            this.fence = claim.fence();
            this.control = control;
            log.info("Starting experiment {} (attempt {}) on {}", fence.experimentId(), fence.attempt(),
                    fence.worker());
            this.heartbeat = everyHeartbeat(fence, "Heartbeat", new Heartbeat(fence, control)::tick);
        }

        /** Everything before the first step: provenance, the run's configuration, the checkpoint to resume from. */
        void prepare() {
            sink = metrics.open(fence);
            control.writingTo(sink);
            retry("provenance", fence, () -> {
                repository.recordProvenance(fence, provenance.json(fence, dataType, group));
                return null;
            });
            config = specs.runConfig(claim.specJson());
            resumeFrom = retry("checkpoint load", fence, () -> repository.loadCheckpoint(fence.experimentId()))
                    .map(stored -> CheckpointCodec.decode(stored.payload())).orElse(null);
            if (resumeFrom != null) {
                // Rows a dead attempt wrote after its last checkpoint are replaced by this attempt's.
                long step = resumeFrom.step();
                retry("deletion of rows after the checkpoint", fence, () -> metrics.deleteAfter(fence, step));
                control.resumedAt(step);
                if (history != null) {
                    retry("deletion of snapshots after the checkpoint", fence,
                            () -> history.deleteAfter(fence, step));
                }
                log.info("Experiment {} resumes from its checkpoint at step {}", fence.experimentId(), step);
            }
            if (summarizer.stopsWhenSettled(claim.specJson())) {
                settlementCheck = everyHeartbeat(fence, "Settlement check",
                        new SettlementCheck(fence, control)::tick);
            }
            sink.goLive(); // from here on, until the training ends, only this sink writes the run's points
            listener = TestFaults.wrap(fence.experimentId(), new RecordingListener(fence, sink, spectra, repository,
                    control, properties.outageTolerance(), history, config.training().loss(),
                    config.progressMeasuresEvery()));
        }

        StopSignal stopSignal() {
            MetricSink writing = sink;
            return () -> control.stopRequested() || writing.fenceLost();
        }

        /** The training returned: flush, recompute the whole-run measures, record how it ended. */
        void trained(TrainingOutcome outcome) {
            sink.flush();
            sink.endLive(); // the whole-run recomputation below rewrites two series
            if (sink.fenceLost()) {
                control.leaseLost();
            }
            if (settlementCheck != null) {
                settlementCheck.cancel(false);
            }
            JobControl.Stop stop = control.stop();
            if (outcome.completed() || stop == JobControl.Stop.CANCELLED || stop == JobControl.Stop.SETTLED) {
                recomputeWholeRun(fence, config);
            }
            finalStatus = conclude(fence, outcome, control, config.training().steps());
            MetricSink closing = sink;
            sink = null;
            closing.close();
        }

        void failed(Throwable e) {
            if (control.stop() == JobControl.Stop.LEASE_LOST) {
                log.warn("Experiment {} attempt {} ended after losing its lease: {}", fence.experimentId(),
                        fence.attempt(), e.toString());
            } else {
                log.error("Experiment {} failed on attempt {}", fence.experimentId(), fence.attempt(), e);
                finalStatus = recordFailure(fence, e);
            }
        }

        /** Always last: the sink (if a failure left it open), the heartbeat, the step count, the end event. */
        void release() {
            try {
                if (sink != null) {
                    sink.close();
                }
            } catch (RuntimeException e) {
                // The attempt has already failed (that is why the sink is still open); its failure is recorded.
                log.debug("Sink of experiment {} closed with {}", fence.experimentId(), e.toString());
            } finally {
                control.writingTo(null);
                heartbeat.cancel(false);
                if (settlementCheck != null) {
                    settlementCheck.cancel(false);
                }
                jobMetrics.trained(control.takeTrained()); // the steps since the last heartbeat
            }
            if (finalStatus != null) {
                events.publishEvent(new RunFinished(fence.experimentId(), finalStatus));
            }
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
    private JobStatus conclude(WriteFence fence, TrainingOutcome outcome, JobControl control, long budget) {
        long step = outcome.lastStep();
        if (outcome.completed() && control.stop() != JobControl.Stop.LEASE_LOST) {
            return finish(fence, JobStatus.SUCCEEDED, step);
        }
        switch (control.stop()) {
            case CANCELLED -> {
                return finish(fence, JobStatus.CANCELLED, step);
            }
            case SETTLED -> {
                Settlement.Settled settled = control.settlement();
                retry("settlement", fence, () -> repository.recordSettlement(fence, settled.reason(),
                        settled.settledAt(), Math.max(0, budget - step)));
                log.info("Experiment {} stopped at step {} of {}: {}", fence.experimentId(), step, budget,
                        settled.reason());
                return finish(fence, JobStatus.SUCCEEDED, step);
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

    /** Ends the run with its analysis headline in the same statement; null when the fence failed. */
    private JobStatus finish(WriteFence fence, JobStatus status, long step) {
        RunHeadline headline = summarise(fence, status);
        return retry(status.name().toLowerCase(java.util.Locale.ROOT), fence,
                () -> repository.finish(fence, status, null, step, headline)) ? status : null;
    }

    private RunHeadline summarise(WriteFence fence, JobStatus status) {
        try {
            return summarizer.summarise(fence.experimentId(), status);
        } catch (RuntimeException e) {
            // The run's data is stored either way; the headline is reconciled later, the analysis is served on request.
            log.warn("Could not summarise experiment {}: {}", fence.experimentId(), e.toString());
            return null;
        }
    }

    /**
     * Records a failed attempt; returns FAILED when it used up the job's attempts or cannot succeed, else null (back
     * in the queue). If even that cannot be written (the database stayed away), the job keeps its lease until it
     * expires, and then another claim settles it: nothing is lost, only delayed.
     */
    private JobStatus recordFailure(WriteFence fence, Throwable e) {
        boolean permanent = FailurePolicy.isPermanent(e);
        try {
            JobStatus status = retry("failure record", fence, () -> repository.fail(fence,
                    describe(e) + (permanent ? " (not retried: it would fail again)" : ""),
                    properties.maxFailures(), properties.retryBackoff(), permanent).orElse(null));
            return status == JobStatus.FAILED ? status : null;
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

    static String describe(Throwable e) {
        String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return message.length() > 2000 ? message.substring(0, 2000) : message;
    }

    /**
     * Runs {@code tick} every heartbeat interval for one attempt, its log lines naming the run. Nothing it throws
     * escapes: an exception escaping a scheduled task silently cancels every later run of it (a job whose heartbeats
     * stopped loses its lease while it trains), so a failed tick (the database briefly away) is logged and tried again
     * at the next one; the lease has slack.
     */
    private ScheduledFuture<?> everyHeartbeat(WriteFence fence, String what, Runnable tick) {
        long every = properties.heartbeatInterval().toMillis();
        return heartbeats.scheduleWithFixedDelay(() -> {
            org.slf4j.MDC.put("experiment", Long.toString(fence.experimentId()));
            try {
                tick.run();
            } catch (Throwable e) {
                log.warn("{} of experiment {} failed: {}", what, fence.experimentId(), e.toString());
            } finally {
                org.slf4j.MDC.remove("experiment");
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * For a run that asked to stop once settled ({@code stopWhenSettled}): analyses its stored data as if it ended
     * now and feeds {@link Settlement}, which asks the run to stop once the analysis has held still for its margin.
     * On the scheduler beside the heartbeats (it has a thread for each), so a slow analysis never delays a lease.
     */
    private final class SettlementCheck {
        private final WriteFence fence;
        private final JobControl control;
        private final Settlement settlement = new Settlement();
        private long lastObserved = -1;

        SettlementCheck(WriteFence fence, JobControl control) {
            this.fence = fence;
            this.control = control;
        }

        void tick() {
            if (control.stopRequested()) {
                return;
            }
            var soFar = summarizer.analyseSoFar(fence.experimentId(), lastObserved);
            if (soFar.isEmpty()) {
                return; // nothing new was evaluated since the last look
            }
            lastObserved = soFar.get().lastStep();
            settlement.observe(soFar.get().analysis(), lastObserved).ifPresent(control::settled);
        }
    }

    /** Renews the lease, reports progress and speed, picks up cancellation, and watches for a stalled run. */
    private final class Heartbeat {
        private final WriteFence fence;
        private final JobControl control;
        private final StepRate rate = new StepRate(SPEED_WINDOW);
        private long lastStep = -1;
        private long lastAdvanceNanos = System.nanoTime();

        Heartbeat(WriteFence fence, JobControl control) {
            this.fence = fence;
            this.control = control;
        }

        void tick() {
            if (control.isStalled()) {
                return;
            }
            long now = System.nanoTime();
            long step = control.step();
            jobMetrics.trained(control.takeTrained());
            if (step != lastStep) {
                lastStep = step;
                lastAdvanceNanos = now;
            } else if (now - lastAdvanceNanos > properties.stallTimeout().toNanos()) {
                giveUp(step);
                return;
            }
            Double speed = rate.sample(now, step);
            var answer = repository.heartbeat(fence, properties.leaseDuration(), step, speed);
            if (answer.isEmpty()) {
                control.leaseLost();
            } else if (answer.get()) {
                control.cancel();
            }
        }

        /** The watchdog: the run made no step for the stall timeout. Fails the attempt; the thread may never return. */
        private void giveUp(long step) {
            String error = "no training step for " + properties.stallTimeout() + " (stuck at step " + step
                    + "); attempt abandoned";
            log.error("Experiment {} attempt {}: {}", fence.experimentId(), fence.attempt(), error);
            control.stalled();
            var status = repository.fail(fence, error, properties.maxFailures(), properties.retryBackoff(), false);
            if (status.filter(JobStatus.FAILED::equals).isPresent()) {
                events.publishEvent(new RunFinished(fence.experimentId(), JobStatus.FAILED));
            }
        }
    }
}
