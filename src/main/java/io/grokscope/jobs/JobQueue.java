package io.grokscope.jobs;

import io.grokscope.database.JobStatus;
import io.grokscope.web.ServiceBusyException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the rest of the service sees of the job pool: admission and queueing of new runs, the researcher's cancel,
 * the locks a delete needs, and each run's state as the pool reports it. Every write here is made by
 * {@link JobRepository}, the only writer of the {@code job} table, inside the caller's transaction (they are
 * {@link Propagation#MANDATORY}), so that a run's experiment row and its job row are created, cancelled and deleted
 * together or not at all.
 */
@Service
public class JobQueue {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final JdbcTemplate jdbc;
    private final JobRepository repository;
    private final JobProperties properties;

    JobQueue(JdbcTemplate jdbc, JobRepository repository, JobProperties properties) {
        this.jdbc = jdbc;
        this.repository = repository;
        this.properties = properties;
    }

    /**
     * Checks that {@code count} more jobs fit in the queue, or throws {@link ServiceBusyException} (429). Admissions
     * are serialised by a transaction-scoped advisory lock, so concurrent submitters on any instance cannot overshoot
     * the bound; the lock is released when the caller's transaction ends.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void admit(int count) {
        jdbc.query("select pg_advisory_xact_lock(hashtext('grokscope.job-queue'))", rs -> null);
        long queued = repository.countQueued();
        if (queued + count > properties.maxQueued()) {
            throw new ServiceBusyException("the queue holds " + queued + " experiments (limit "
                    + properties.maxQueued() + "); retry later", RETRY_AFTER);
        }
    }

    /**
     * Queues the job of an experiment inserted in the caller's transaction (after {@link #admit}).
     *
     * @param priority claim order: higher first, then oldest
     * @param batchKey which queued runs may train with this one as lanes of one batch; null: it runs alone
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public JobState enqueue(long experimentId, int priority, String batchKey) {
        return repository.enqueue(experimentId, priority, batchKey);
    }

    /**
     * Cancels a queued run at once, or asks the worker of a running one to stop; a finished one is left as it is.
     * Returns the status the run had, empty when there is no such run.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<JobStatus> cancel(long experimentId) {
        return repository.cancel(experimentId);
    }

    /** {@link #cancel} of every named run that has not finished; returns how many were cancelled or asked to stop. */
    @Transactional(propagation = Propagation.MANDATORY)
    public int cancelAll(Collection<Long> experimentIds) {
        return experimentIds.isEmpty() ? 0 : repository.cancelAll(experimentIds);
    }

    /**
     * Locks the jobs of runs about to be deleted until the caller's transaction ends, and returns their statuses: no
     * worker claims, finishes or writes a metric of them meanwhile. Call it before locking their experiment rows.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Map<Long, JobStatus> lockForRemoval(Collection<Long> experimentIds) {
        return experimentIds.isEmpty() ? Map.of() : repository.lockForRemoval(experimentIds);
    }

    /** The state of each named run that exists, by experiment id. */
    public Map<Long, JobState> states(Collection<Long> experimentIds) {
        return experimentIds.isEmpty() ? Map.of() : repository.states(experimentIds);
    }

    /** The state of one run, empty when there is none. */
    public Optional<JobState> state(long experimentId) {
        return Optional.ofNullable(states(List.of(experimentId)).get(experimentId));
    }

    /** Finished runs whose analysis headline is missing, oldest first, at most {@code limit}. */
    public List<Long> finishedWithoutHeadline(int limit) {
        return repository.finishedWithoutHeadline(limit);
    }

    /** Fills in the headline of a finished run that has none; a headline already written is kept. */
    public boolean fillMissingHeadline(long experimentId, RunHeadline headline) {
        return repository.fillMissingHeadline(experimentId, headline);
    }
}
