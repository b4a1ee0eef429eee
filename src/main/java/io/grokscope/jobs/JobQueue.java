package io.grokscope.jobs;

import io.grokscope.web.ServiceBusyException;
import java.time.Duration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the rest of the service sees of the job pool: admission. An experiment row in status QUEUED is the job, so
 * submitting one is the caller's insert; this class only enforces the bound on the queue, inside the caller's
 * transaction, so a refused submission leaves nothing behind.
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
}
