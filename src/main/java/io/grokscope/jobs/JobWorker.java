package io.grokscope.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.training.Nd4jTrainer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This instance's workers: {@link JobProperties#effectiveWorkers} threads that each claim a job, run it, and claim
 * the next. Idle workers poll; the claim query never blocks on another instance's rows. On shutdown every running job
 * checkpoints and is released to the queue, where another instance (or this one, restarted) resumes it.
 */
@Component
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final JobRepository repository;
    private final JobProperties properties;
    private final JobRunner runner;
    private final String instanceId;
    private final int workers;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Set<JobControl> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeats;
    private volatile boolean active;

    JobWorker(JobRepository repository, JobProperties properties, MetricStore metrics, SpectrumStore spectra,
            SpecReader specs, ApplicationEventPublisher events, ObjectMapper json) {
        this(repository, properties, metrics, spectra, specs, events, json, new JobMetrics());
    }

    @org.springframework.beans.factory.annotation.Autowired
    JobWorker(JobRepository repository, JobProperties properties, MetricStore metrics, SpectrumStore spectra,
            SpecReader specs, ApplicationEventPublisher events, ObjectMapper json, JobMetrics jobMetrics) {
        this.repository = repository;
        this.properties = properties;
        int cores = Runtime.getRuntime().availableProcessors();
        this.workers = properties.effectiveWorkers(cores);
        int threadsPerWorker = properties.threadsPerWorker(cores);
        // Process-wide: fixed once, recorded with every run (bit-for-bit reproducibility holds per thread count).
        Nd4j.getEnvironment().setMaxThreads(threadsPerWorker);
        Nd4j.factory().blas().setMaxThreads(threadsPerWorker);
        this.instanceId = properties.instanceId().isBlank() ? defaultInstanceId() : properties.instanceId();
        this.heartbeats = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "grokscope-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.runner = new JobRunner(repository, metrics, spectra, specs, new Nd4jTrainer(), heartbeats, events,
                properties, new Provenance(json, workers, threadsPerWorker), jobMetrics);
        jobMetrics.observe(running);
        log.info("Job pool: {} worker(s) on {} core(s), {} ND4J thread(s) each, instance {}", workers, cores,
                threadsPerWorker, instanceId);
    }

    @Override
    public void start() {
        if (!properties.enabled() || active) {
            return;
        }
        active = true;
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
            } catch (RuntimeException e) {
                // A job that could not even record its end (the database stayed away) keeps its lease until it
                // expires and is claimed again; this worker must live on to take other work.
                log.error("Worker {} lost a job to an error it could not record", worker, e);
                ran = false;
            }
            if (!ran) {
                sleep();
            }
        }
    }

    /**
     * One poll: claims a job and runs it to its end on the calling thread. Returns false when there was nothing to
     * claim. Tests drive the pool with this, one deterministic step at a time.
     */
    boolean runOnce(String worker) {
        Optional<Claim> claim;
        try {
            repository.reapExpired(properties.maxFailures());
            claim = repository.claimNext(worker, properties.leaseDuration());
        } catch (RuntimeException e) {
            log.warn("Could not claim a job ({}); retrying", e.toString());
            return false;
        }
        if (claim.isEmpty()) {
            return false;
        }
        JobControl control = new JobControl();
        running.add(control);
        // Every log line of this run on this thread (trainer, listener, stores) names it.
        MDC.put("experiment", Long.toString(claim.get().fence().experimentId()));
        try {
            runner.run(claim.get(), control);
        } finally {
            MDC.remove("experiment");
            running.remove(control);
        }
        return true;
    }

    /** Asks every job this instance runs to stop and release (used by shutdown, and by tests simulating it). */
    void releaseAll() {
        running.forEach(JobControl::shutdown);
    }

    private void sleep() {
        try {
            Thread.sleep(properties.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            active = false;
        }
    }

    /** Graceful stop: running jobs checkpoint and are released; waits for them up to a bound. */
    @Override
    public void stop() {
        active = false;
        releaseAll();
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
        heartbeats.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return active;
    }

    String instanceId() {
        return instanceId;
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
