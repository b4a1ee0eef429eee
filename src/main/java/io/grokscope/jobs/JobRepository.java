package io.grokscope.jobs;

import io.grokscope.database.TrainingDatabase;
import io.grokscope.metrics.WriteFence;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The queue's SQL, all of it. The queue is the {@code experiment} table itself: a QUEUED row is a job, a RUNNING row
 * with a live lease is owned by {@code worker}. Every statement is a short transaction of its own (none stays open
 * while a model trains), every time is the database's {@code now()} (one clock for all instances), and every write
 * made on behalf of a running job is fenced on (id, attempt, worker) so a worker that lost its lease changes nothing.
 *
 * <p>The workers' statements go through the {@link TrainingDatabase}'s own connections, so API traffic cannot starve
 * them; the two reads made for API requests ({@link #countQueued()} within a submission's transaction, and
 * {@link #loadCheckpoint} for downloads) use the shared pool.
 */
@Repository
class JobRepository {

    private static final String FENCE = WriteFence.OWNS_EXPERIMENT;

    private final JdbcTemplate shared;
    private final JdbcTemplate jdbc;

    JobRepository(JdbcTemplate shared, TrainingDatabase training) {
        this.shared = shared;
        this.jdbc = training.jdbc();
    }

    long countQueued() {
        return shared.queryForObject("select count(*) from experiment where status = 'QUEUED'", Long.class);
    }

    /**
     * Ends the jobs whose lease expired and that must not run again: cancelled ones become CANCELLED, and those that
     * have used up their attempts become FAILED. Returns their ids.
     */
    List<Long> reapExpired(int maxFailures) {
        return jdbc.queryForList("""
                update experiment set
                    status = case when cancel_requested then 'CANCELLED' else 'FAILED' end,
                    failures = failures + case when cancel_requested then 0 else 1 end,
                    error = case when cancel_requested then error
                                 else coalesce(error || '; ', '') || 'lease of attempt ' || attempt || ' on '
                                      || coalesce(worker, '?') || ' expired (instance died?)' end,
                    finished_at = now(), worker = null, lease_expires_at = null, version = version + 1
                where status = 'RUNNING' and lease_expires_at < now()
                  and (cancel_requested or failures + 1 >= ?)
                returning id
                """, Long.class, maxFailures);
    }

    /**
     * Claims the next job: the highest priority, oldest QUEUED row, or a RUNNING row whose lease expired (its owner
     * died; the expiry counts as a failed attempt). {@code SKIP LOCKED} lets many workers claim concurrently without
     * waiting on each other or taking the same row.
     */
    Optional<Claim> claimNext(String worker, Duration lease) {
        List<Claim> claims = jdbc.query("""
                with next as (
                    select id from experiment
                    where status = 'QUEUED' or (status = 'RUNNING' and lease_expires_at < now())
                    order by priority desc, id
                    for update skip locked
                    limit 1)
                update experiment e set
                    failures = e.failures + case when e.status = 'RUNNING' then 1 else 0 end,
                    status = 'RUNNING', attempt = e.attempt + 1, worker = ?,
                    lease_expires_at = now() + make_interval(secs => ?),
                    started_at = coalesce(e.started_at, now()), version = e.version + 1
                from next where e.id = next.id
                returning e.id, e.attempt, e.spec::text
                """,
                (rs, i) -> new Claim(new WriteFence(rs.getLong(1), rs.getInt(2), worker), rs.getString(3)),
                worker, seconds(lease));
        return claims.stream().findFirst();
    }

    /**
     * Renews the lease and reports progress. Empty when the lease is lost (the job moved on); otherwise whether a
     * cancel was requested.
     */
    Optional<Boolean> heartbeat(WriteFence fence, Duration lease, long step, Double stepsPerSecond) {
        List<Boolean> cancel = jdbc.query("update experiment set lease_expires_at = now() + make_interval(secs => ?),"
                + " progress_step = greatest(progress_step, ?), steps_per_second = ? where " + FENCE
                + " returning cancel_requested",
                (rs, i) -> rs.getBoolean(1),
                seconds(lease), step, stepsPerSecond, fence.experimentId(), fence.attempt(), fence.worker());
        return cancel.stream().findFirst();
    }

    /** Ends a job: SUCCEEDED, CANCELLED or FAILED. False when the fence failed. */
    boolean finish(WriteFence fence, String status, String error, long step) {
        return jdbc.update("update experiment set status = ?, error = coalesce(?, error), finished_at = now(),"
                + " progress_step = greatest(progress_step, ?), lease_expires_at = null, version = version + 1"
                + " where " + FENCE,
                status, error, step, fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    /** Gives a job back to the queue after a graceful stop: not a failure, another instance resumes it. */
    boolean release(WriteFence fence, long step) {
        return jdbc.update("update experiment set status = 'QUEUED', worker = null, lease_expires_at = null,"
                + " progress_step = greatest(progress_step, ?), steps_per_second = null, version = version + 1"
                + " where " + FENCE,
                step, fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    /**
     * Records a failed attempt: back to the queue (it resumes from its checkpoint) or, after {@code maxFailures},
     * FAILED. The error is kept either way. Returns the resulting status, or empty when the fence failed.
     */
    Optional<String> fail(WriteFence fence, String error, int maxFailures) {
        List<String> status = jdbc.query("""
                update experiment set
                    failures = failures + 1,
                    status = case when failures + 1 >= ? then 'FAILED' else 'QUEUED' end,
                    finished_at = case when failures + 1 >= ? then now() end,
                    error = ?, worker = null, lease_expires_at = null, steps_per_second = null,
                    version = version + 1
                where id = ? and attempt = ? and worker = ? and status = 'RUNNING'
                returning status
                """, (rs, i) -> rs.getString(1),
                maxFailures, maxFailures, error, fence.experimentId(), fence.attempt(), fence.worker());
        return status.stream().findFirst();
    }

    /** Stores the latest checkpoint, replacing the previous one, if the fence holds. */
    boolean saveCheckpoint(WriteFence fence, long step, byte[] payload) {
        return jdbc.update("""
                insert into checkpoint (experiment_id, step, attempt, payload)
                select ?, ?, ?, ? where exists (select 1 from experiment where %s)
                on conflict (experiment_id) do update
                    set step = excluded.step, attempt = excluded.attempt, payload = excluded.payload,
                        created_at = now()
                """.formatted(FENCE), fence.experimentId(), step, fence.attempt(), payload,
                fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    Optional<StoredCheckpoint> loadCheckpoint(long experimentId) {
        return shared.query("select step, payload, created_at from checkpoint where experiment_id = ?",
                (rs, i) -> new StoredCheckpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant()),
                experimentId).stream().findFirst();
    }

    /** Records how a job was run (instance, threads, backend, versions), once per attempt. */
    void recordProvenance(WriteFence fence, String provenanceJson) {
        jdbc.update("update experiment set provenance = ?::jsonb where " + FENCE, provenanceJson,
                fence.experimentId(), fence.attempt(), fence.worker());
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    /** A checkpoint as stored. */
    record StoredCheckpoint(long step, byte[] payload, java.time.Instant createdAt) {
    }
}
