package io.grokscope.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the job pool.
 *
 * <p>ND4J's thread pools are process-wide, so the number of concurrent trainings and the threads each may use are
 * chosen together: by default one worker per instance using every core on machines with up to 4 cores (two
 * concurrent runs on 2 cores would each run at less than half speed, as the GEMMs already use both cores), and one
 * worker per 4 cores above that. The choice is recorded with every run.
 *
 * @param workers           concurrent trainings on this instance; 0 = the default above
 * @param maxQueued         queued experiments across all instances; beyond it submissions get 429
 * @param leaseDuration     how long a claim lasts without a heartbeat; a dead instance's job is reclaimed after it
 * @param heartbeatInterval how often a running job renews its lease and checks for cancellation
 * @param pollInterval      how often an idle worker looks for work
 * @param maxFailures       attempts in a row that may fail without progress (an exception, or a lease that expired
 *                          while the job ran alone on its instance) before a job is FAILED; a stored checkpoint resets
 *                          the count
 * @param instanceId        this instance's name in {@code worker}; default host name and process id
 * @param enabled           false runs the API only (no training on this instance)
 * @param outageTolerance   how long a running job waits for a database that is away (restarting, unreachable) before
 *                          its attempt fails; training goes on meanwhile, its metrics buffered by the sink
 * @param retryBackoff      how long a job waits in the queue after a failed attempt, doubled for each failure since
 *                          its last checkpoint
 * @param stopTimeout       on shutdown, how long running jobs get to reach a step boundary, checkpoint and flush; a
 *                          job still busy then (one step longer than this) is released from its last stored checkpoint
 * @param stallTimeout      a run whose step has not advanced for this long is failed (its attempt counts) and its
 *                          lease given up, even if its training thread never returns
 * @param maxLanes          how many compatible queued runs (same task table, MLP shape, batch size and loss) a
 *                          worker claims together and trains as lanes of one batch; 1 runs every job alone. A group
 *                          is also trimmed to the worker's memory budget.
 */
@ConfigurationProperties("grokscope.jobs")
public record JobProperties(
        @DefaultValue("0") int workers,
        @DefaultValue("100") int maxQueued,
        @DefaultValue("20s") Duration leaseDuration,
        @DefaultValue("3s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("3") int maxFailures,
        @DefaultValue("") String instanceId,
        @DefaultValue("true") boolean enabled,
        @DefaultValue("2m") Duration outageTolerance,
        @DefaultValue("10s") Duration retryBackoff,
        @DefaultValue("12s") Duration stopTimeout,
        @DefaultValue("30m") Duration stallTimeout,
        @DefaultValue("16") int maxLanes) {

    public JobProperties {
        if (workers < 0 || maxQueued < 1 || maxFailures < 1 || maxLanes < 1) {
            throw new IllegalArgumentException("grokscope.jobs: workers >= 0, max-queued >= 1, max-failures >= 1,"
                    + " max-lanes >= 1");
        }
        if (retryBackoff.isNegative() || stopTimeout.isNegative() || stallTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("grokscope.jobs: retry-backoff, stop-timeout >= 0, stall-timeout longer"
                    + " than the heartbeat interval");
        }
        if (!heartbeatInterval.multipliedBy(2).minus(leaseDuration).isNegative()) {
            throw new IllegalArgumentException("grokscope.jobs.heartbeat-interval must be under half the lease");
        }
    }

    /** The worker count in effect for a machine with {@code cores} cores. */
    public int effectiveWorkers(int cores) {
        return workers > 0 ? workers : Math.max(1, cores / 4);
    }

    /** ND4J threads per training: the cores shared evenly by the workers. */
    public int threadsPerWorker(int cores) {
        return Math.max(1, cores / effectiveWorkers(cores));
    }
}
