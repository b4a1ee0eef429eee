package io.grokscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.analysis.Metric;
import io.grokscope.analysis.ProgressMeasures;
import io.grokscope.history.ParameterHistory;
import io.grokscope.history.WholeRunMeasures;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.metrics.WriteFence;
import io.grokscope.spec.SpecReader;
import io.grokscope.training.MemoryEstimate;
import io.grokscope.training.Nd4jTrainer;
import io.grokscope.training.RunConfig;
import io.grokscope.web.ServiceLimits;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This instance's workers: {@link JobProperties#effectiveWorkers} threads that each claim a job, run it, and claim
 * the next. Idle workers poll; the claim query never blocks on another instance's rows.
 *
 * <h2>Graceful stop</h2>
 * On SIGTERM (the context closing) the job pool stops first, in this order: no worker claims again (a claim already
 * in flight is released at once); every running job stops at its next step boundary, writes a checkpoint, flushes its
 * metrics and is released to the queue (QUEUED, no failure counted); the pool waits for that up to
 * {@link JobProperties#stopTimeout()}. A job still busy then (a single step, or the checkpoint write, of a very large
 * model can outlast the budget) is released from here, from its last stored checkpoint; its thread's later writes are
 * fenced out, and the JVM exits without waiting for it. Only after this do the web server and then the database
 * stop: the pool is a {@link SmartLifecycle} in the highest phase, and the embedded database is a bean destroyed
 * after every lifecycle has stopped (it has no shutdown hook of its own to race this).
 */
@Component
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    /** Stopped first (highest phase), before the web server's graceful shutdown and the database. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE;

    private final JobRepository repository;
    private final JobProperties properties;
    private final JobRunner runner;
    private final SpecReader specs;
    private final WorkerMemory memory;
    private final String instanceId;
    private final int workers;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Map<WriteFence, JobControl> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats;
    private volatile boolean active;
    private volatile boolean stopping;

    JobWorker(JobRepository repository, JobProperties properties, MetricStore metrics, SpectrumStore spectra,
            SpecReader specs, ApplicationEventPublisher events, ObjectMapper json, RunSummarizer summarizer,
            ParameterHistory history, WholeRunMeasures wholeRun, JobMetrics jobMetrics, ServiceLimits limits) {
        this.repository = repository;
        this.properties = properties;
        this.specs = specs;
        this.memory = WorkerMemory.of(limits, properties);
        int cores = Runtime.getRuntime().availableProcessors();
        this.workers = properties.effectiveWorkers(cores);
        int threadsPerWorker = properties.threadsPerWorker(cores);
        // Process-wide: fixed once, recorded with every run (bit-for-bit reproducibility holds per thread count).
        Nd4j.getEnvironment().setMaxThreads(threadsPerWorker);
        Nd4j.factory().blas().setMaxThreads(threadsPerWorker);
        this.instanceId = properties.instanceId().isBlank() ? defaultInstanceId() : properties.instanceId();
        // Two threads: the heartbeats, and beside them the settlement checks, whose analyses take longer.
        this.heartbeats = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "grokscope-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.runner = new JobRunner(repository, metrics, spectra, specs, new Nd4jTrainer(), heartbeats, events,
                properties, new Provenance(json, workers, threadsPerWorker), summarizer, history, wholeRun,
                jobMetrics);
        jobMetrics.observe(running.values());
        log.info("Job pool: {} worker(s) on {} core(s), {} ND4J thread(s) each, instance {}", workers, cores,
                threadsPerWorker, instanceId);
    }

    @Override
    public void start() {
        if (!properties.enabled() || active) {
            return;
        }
        active = true;
        stopping = false;
        for (int slot = 0; slot < workers; slot++) {
            String worker = instanceId + "/" + slot;
            Thread thread = new Thread(() -> work(worker), "grokscope-worker-" + slot);
            threads.add(thread);
            thread.start();
        }
    }

    private void work(String worker) {
        while (active) {
            boolean ran;
            try {
                ran = runOnce(worker);
            } catch (Throwable e) {
                // Throwable: an Error that escaped a job (or the claim) must not end this worker while health says UP.
                // A job that could not even record its end keeps its lease until it expires and is settled then.
                log.error("Worker {} lost a job to an error it could not record", worker, e);
                ran = false;
            }
            if (!ran) {
                sleep();
            }
        }
    }

    /**
     * One poll: settles expired leases, claims a job and runs it to its end on the calling thread. Returns false when
     * there was nothing to claim. Tests drive the pool with this, one deterministic step at a time.
     */
    boolean runOnce(String worker) {
        return runOnce(worker, properties.maxLanes());
    }

    /**
     * One poll that may claim a group: the next job and up to {@code maxLanes - 1} queued jobs that can train with it
     * as lanes of one batch ({@link JobRepository#claimGroup}), trimmed to what this worker's memory budget holds.
     */
    boolean runOnce(String worker, int maxLanes) {
        List<Claim> claims;
        try {
            repository.settleExpired(properties.maxFailures(), properties.retryBackoff());
            claims = withinBudget(repository.claimGroup(worker, properties.leaseDuration(), workers == 1, maxLanes));
        } catch (RuntimeException e) {
            log.warn("Could not claim a job ({}); retrying", e.toString());
            return false;
        }
        if (claims.isEmpty()) {
            return false;
        }
        List<JobRunner.Member> members = new ArrayList<>();
        for (Claim claim : claims) {
            JobControl control = new JobControl();
            running.put(claim.fence(), control);
            if (stopping) {
                control.shutdown(); // claimed while the pool was stopping: released at once, before any training
            }
            members.add(new JobRunner.Member(claim, control));
        }
        // Every log line of this run on this thread (trainer, listener, stores) names it (or the group's runs).
        MDC.put("experiment", String.join(",", claims.stream().map(c -> Long.toString(c.fence().experimentId()))
                .toList()));
        try {
            runner.runGroup(members);
        } finally {
            MDC.remove("experiment");
            claims.forEach(c -> running.remove(c.fence()));
        }
        return true;
    }

    /**
     * The claimed group, trimmed so that its lanes together fit one worker's memory budget (each run was admitted
     * against that budget alone); mates beyond it go back to the queue at once, not as a failure. The head stays.
     */
    private List<Claim> withinBudget(List<Claim> group) {
        if (group.size() < 2) {
            return group;
        }
        List<Claim> kept = new ArrayList<>();
        long offHeap = 0;
        long heap = 0;
        for (Claim claim : group) {
            MemoryEstimate estimate;
            try {
                RunConfig config = specs.runConfig(claim.specJson());
                estimate = MemoryEstimate.of(config,
                        !ProgressMeasures.unavailable(config.task()).containsKey(Metric.RESTRICTED_LOSS));
            } catch (RuntimeException unreadable) {
                estimate = null; // its own attempt will fail and say why; it does not share a batch meanwhile
            }
            boolean fits = estimate != null && offHeap + estimate.offHeapBytes() <= memory.offHeapBytes()
                    && heap + estimate.heapBytes() <= memory.heapBytes();
            if (kept.isEmpty() || fits) {
                kept.add(claim);
                if (estimate != null) {
                    offHeap += estimate.offHeapBytes();
                    heap += estimate.heapBytes();
                }
            } else if (!repository.release(claim.fence(), 0)) {
                log.warn("Experiment {} claimed as a lane beyond the memory budget could not be released",
                        claim.fence().experimentId());
            }
        }
        return kept;
    }

    /** Asks every job this instance runs to stop and release (used by shutdown, and by tests simulating it). */
    void releaseAll() {
        running.values().forEach(JobControl::shutdown);
    }

    private void sleep() {
        try {
            Thread.sleep(properties.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            active = false;
        }
    }

    /** The graceful stop described above; returns within {@link JobProperties#stopTimeout()} and a little more. */
    @Override
    public void stop() {
        long started = System.nanoTime();
        stopping = true;
        active = false;
        releaseAll();
        long deadline = started + properties.stopTimeout().toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    thread.join(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        running.forEach(this::abandon);
        threads.stream().filter(Thread::isAlive).forEach(Thread::interrupt); // a sleep or wait ends; native code runs on
        threads.clear();
        heartbeats.shutdownNow();
        log.info("Job pool stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /** A job that did not stop within the budget: back to the queue from its last stored checkpoint, no failure. */
    private void abandon(WriteFence fence, JobControl control) {
        control.leaseLost(); // whatever its thread does next, it writes nothing
        try {
            boolean released = repository.release(fence, control.step());
            log.warn("Experiment {} did not reach a step boundary within {}; {}", fence.experimentId(),
                    properties.stopTimeout(), released ? "released from its last stored checkpoint"
                            : "already moved on");
        } catch (RuntimeException e) {
            log.error("Could not release experiment {} on shutdown ({}); its lease will expire", fence.experimentId(),
                    e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return active;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    String instanceId() {
        return instanceId;
    }

    /**
     * Whether this instance can train: the pool is enabled and started, and at least one worker thread is alive and
     * not held by a run the watchdog gave up on.
     */
    Capacity capacity() {
        if (!properties.enabled()) {
            return new Capacity(false, 0, 0, 0);
        }
        int alive = (int) threads.stream().filter(Thread::isAlive).count();
        int stalled = (int) running.values().stream().filter(JobControl::isStalled).count();
        return new Capacity(true, workers, alive, stalled);
    }

    /** A snapshot for the health indicator. */
    record Capacity(boolean enabled, int workers, int alive, int stalled) {

        boolean canTrain() {
            return !enabled || alive - stalled > 0;
        }
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
