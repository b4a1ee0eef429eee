package io.grokscope.jobs;

import io.grokscope.database.JobStatus;
import io.grokscope.database.TrainingDatabase;
import io.grokscope.metrics.WriteFence;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job pool's SQL, all of it, and the only code that writes the {@code job} table (V10; ArchitectureTest and
 * TableOwnershipTest keep it so). A {@code job} row belongs to one experiment (same id): a QUEUED row is a job to
 * claim, a RUNNING row with a live lease is owned by {@code worker}. It never writes the {@code experiment} row, the
 * researcher's record; it only reads the spec from it when it claims. Every status in the SQL comes from
 * {@link JobStatus}. Every statement is a short transaction of its own (none stays open while a model trains), every
 * time is the database's {@code now()} (one clock for all instances), and every write made on behalf of a running job
 * is fenced on (id, attempt, worker) so a worker that lost its lease changes nothing.
 *
 * <p>The workers' statements go through the {@link TrainingDatabase}'s own connections, so API traffic cannot starve
 * them; the statements made for API requests (admission, {@link #enqueue}, {@link #cancel}, {@link #lockForRemoval},
 * {@link #states}, the headline reconciliation, and {@link #loadCheckpoint} for downloads) use the shared pool, so
 * that they join the caller's transaction.
 */
@Repository
class JobRepository {

    private static final String FENCE = WriteFence.OWNS_JOB;

    private static final String QUEUED = JobStatus.QUEUED.sql();
    private static final String RUNNING = JobStatus.RUNNING.sql();
    private static final String FAILED = JobStatus.FAILED.sql();
    private static final String CANCELLED = JobStatus.CANCELLED.sql();
    private static final String TERMINAL = JobStatus.sqlList(JobStatus.TERMINAL);
    private static final String ACTIVE = JobStatus.sqlList(JobStatus.QUEUED, JobStatus.RUNNING);

    /** The columns of {@link JobState}, in the order {@link #state} reads them. */
    private static final String STATE_COLUMNS = "experiment_id, status, attempt, worker, progress_step,"
            + " steps_per_second, started_at, finished_at, error, verdict, generalization_step, grokking_delay,"
            + " stop_reason, settled_at, steps_saved";

    private final JdbcTemplate shared;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    JobRepository(JdbcTemplate shared, TrainingDatabase training) {
        this.shared = shared;
        this.jdbc = training.jdbc();
        this.transactions = training.transactions();
    }

    long countQueued() {
        return shared.queryForObject("select count(*) from job where status = " + QUEUED, Long.class);
    }

    /**
     * Queues the job of a new experiment, in the submitting transaction (the experiment row was inserted just before
     * it). {@code priority} and {@code batchKey} come from the resolved spec: the claim orders and groups by them.
     */
    JobState enqueue(long experimentId, int priority, String batchKey) {
        return shared.queryForObject("insert into job (experiment_id, status, priority, batch_key) values (?, "
                + QUEUED + ", ?, ?) returning " + STATE_COLUMNS, JobRepository::state, experimentId, priority,
                batchKey);
    }

    /**
     * The researcher's cancel of one run, in the caller's transaction: a QUEUED job is CANCELLED at once, a RUNNING one
     * is flagged and its worker stops it (its heartbeat reads the flag), a finished one is left as it is. The row is
     * locked first, so a claim skips it meanwhile and a worker's fenced write waits. Returns the status it had; empty
     * when there is no such job.
     */
    Optional<JobStatus> cancel(long experimentId) {
        return Optional.ofNullable(cancel(List.of(experimentId)).get(experimentId));
    }

    /** {@link #cancel(long)} of every named job that has not finished; returns how many were cancelled or flagged. */
    int cancelAll(Collection<Long> experimentIds) {
        return (int) cancel(experimentIds).values().stream().filter(JobStatus::isActive).count();
    }

    /** Locks the jobs (in id order), cancels or flags the active ones, and returns every job's status before. */
    private Map<Long, JobStatus> cancel(Collection<Long> experimentIds) {
        Map<Long, JobStatus> before = lockForRemoval(experimentIds);
        shared.update("""
                update job set
                    status = case when status = %1$s then %2$s else status end,
                    finished_at = case when status = %1$s then now() else finished_at end,
                    cancel_requested = cancel_requested or status = %3$s
                where experiment_id = any(?) and status in %4$s
                """.formatted(QUEUED, CANCELLED, RUNNING, ACTIVE), (Object) experimentIds.toArray(Long[]::new));
        return before;
    }

    /**
     * Locks the jobs of experiments about to be deleted or cancelled (in id order, so two callers cannot deadlock)
     * until the caller's transaction ends, and returns their statuses: a claim skips them and a worker's fenced writes
     * wait, so nothing starts or finishes meanwhile. A caller that also locks the experiment rows locks these first: a
     * worker's metric write takes them in that order too (the fence's share lock, then the foreign key's).
     */
    Map<Long, JobStatus> lockForRemoval(Collection<Long> experimentIds) {
        Map<Long, JobStatus> statuses = new HashMap<>();
        shared.query("select experiment_id, status from job where experiment_id = any(?) order by experiment_id"
                + " for update",
                rs -> {
                    statuses.put(rs.getLong(1), JobStatus.of(rs.getString(2)));
                }, (Object) experimentIds.toArray(Long[]::new));
        return statuses;
    }

    /** The jobs of these experiments, by experiment id (those that exist). */
    Map<Long, JobState> states(Collection<Long> experimentIds) {
        Map<Long, JobState> states = new HashMap<>();
        shared.query("select " + STATE_COLUMNS + " from job where experiment_id = any(?)", rs -> {
            JobState state = state(rs, 0);
            states.put(state.experimentId(), state);
        }, (Object) experimentIds.toArray(Long[]::new));
        return states;
    }

    /** Finished runs without an analysis headline (it failed when they ended, or they ended before it existed). */
    List<Long> finishedWithoutHeadline(int limit) {
        return shared.queryForList("select experiment_id from job where verdict is null and status in " + TERMINAL
                + " order by experiment_id limit ?", Long.class, limit);
    }

    /** Fills in a finished run's missing headline; one already written is kept. False when nothing was filled in. */
    boolean fillMissingHeadline(long experimentId, RunHeadline headline) {
        return shared.update("update job set verdict = ?, generalization_step = ?, grokking_delay = ?"
                + " where experiment_id = ? and verdict is null and status in " + TERMINAL, headline.verdict(),
                headline.generalizationStep(), headline.grokkingDelay(), experimentId) == 1;
    }

    private static JobState state(ResultSet rs, int row) throws SQLException {
        return new JobState(rs.getLong(1), JobStatus.of(rs.getString(2)), rs.getInt(3), rs.getString(4),
                rs.getLong(5), (Double) rs.getObject(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                rs.getString(9), rs.getString(10), (Long) rs.getObject(11), (Long) rs.getObject(12),
                rs.getString(13), (Long) rs.getObject(14), (Long) rs.getObject(15));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /**
     * Settles the jobs whose lease expired (their instance died, or stalled past the lease), under the blame rule:
     * <ul>
     *   <li>a cancelled one becomes CANCELLED;</li>
     *   <li>an <em>exclusive</em> attempt (it ran alone on its instance) is blamed: one more failure, then FAILED once
     *       it has {@code maxFailures}, else back to the queue after {@code backoff} (doubled per earlier failure);</li>
     *   <li>an attempt that shared its instance with other jobs cannot be blamed (any of them may have killed the
     *       JVM): it goes back to the queue as a <em>suspect</em>, with no failure counted, and its next attempt runs
     *       alone ({@link #claimNext}), where a second death is its own.</li>
     * </ul>
     * Every job of the dead attempt's instance that is still RUNNING is marked suspect in the same statement, so the
     * job whose lease expires a moment later is not taken for having run alone. Returns the settled ids.
     */
    List<Long> settleExpired(int maxFailures, Duration backoff) {
        return jdbc.queryForList("""
                with expired as (
                    select experiment_id from job
                    where status = %1$s and lease_expires_at < now()
                    for update skip locked),
                shared as (
                    update job o set suspect = true
                    where o.status = %1$s and not o.exclusive
                      and o.experiment_id not in (select experiment_id from expired)
                      and split_part(o.worker, '/', 1) in (
                          select split_part(e.worker, '/', 1) from job e
                          join expired x on x.experiment_id = e.experiment_id
                          where not e.exclusive)
                    returning o.experiment_id)
                update job e set
                    status = case when e.cancel_requested then %2$s
                                  when e.exclusive and e.failures + 1 >= ? then %3$s
                                  else %4$s end,
                    failures = e.failures + case when e.exclusive and not e.cancel_requested then 1 else 0 end,
                    suspect = e.suspect or not e.exclusive,
                    not_before = case when e.exclusive then now() + make_interval(secs => ? * power(2, e.failures))
                                 end,
                    error = case when e.cancel_requested then e.error
                                 else coalesce(e.error || '; ', '') || 'lease of attempt ' || e.attempt || ' on '
                                      || coalesce(e.worker, '?') || ' expired ('
                                      || case when e.exclusive then 'instance died or stalled while running it alone'
                                              else 'instance died or stalled while running other jobs too; not'
                                                   || ' counted, the next attempt runs alone' end || ')' end,
                    finished_at = case when e.cancel_requested or (e.exclusive and e.failures + 1 >= ?) then now() end,
                    worker = null, lease_expires_at = null, steps_per_second = null, exclusive = false
                from expired where e.experiment_id = expired.experiment_id
                returning e.experiment_id
                """.formatted(RUNNING, CANCELLED, FAILED, QUEUED), Long.class, maxFailures, seconds(backoff),
                maxFailures);
    }

    /**
     * Claims the next job for {@code worker} ("instance/slot"): the highest priority, oldest QUEUED row whose
     * back-off has passed. {@code SKIP LOCKED} lets many workers claim concurrently without waiting on each other or
     * taking the same row; the claims of one instance are serialised (an advisory lock on its name), so that
     * isolation holds:
     * <ul>
     *   <li>a suspect job is claimed only by an instance that runs nothing else, and runs there alone (exclusive);</li>
     *   <li>an instance that runs an exclusive attempt claims nothing more until it ends;</li>
     *   <li>on a single-worker instance ({@code singleWorker}) every attempt is exclusive: nothing can share it.</li>
     * </ul>
     */
    Optional<Claim> claimNext(String worker, Duration lease, boolean singleWorker) {
        return claimGroup(worker, lease, singleWorker, 1).stream().findFirst();
    }

    /**
     * Claims the next job as {@link #claimNext} does, and with it, in the same statement, up to {@code maxLanes - 1}
     * more queued jobs that can train with it as lanes of one batch: the same {@code batch_key}, their back-off passed,
     * not suspect, in claim order, each locked with {@code SKIP LOCKED} (a mate another worker is claiming is left to
     * it). A suspect head, or one without a key, is claimed alone. Every member gets its own attempt and lease under
     * the same worker name; the head comes first, then the mates by id. The lanes of a group share a JVM, so none of
     * them is exclusive: if the instance dies, each comes back as a suspect and runs alone next (the blame rule of
     * {@link #settleExpired}). The spec each claim runs is read from its experiment row in the same statement.
     */
    List<Claim> claimGroup(String worker, Duration lease, boolean singleWorker, int maxLanes) {
        if (maxLanes < 1) {
            throw new IllegalArgumentException("maxLanes >= 1");
        }
        String instance = instanceOf(worker);
        List<Claim> claims = transactions.execute(status -> {
            jdbc.query("select pg_advisory_xact_lock(hashtext('grokscope.claim:' || ?))", rs -> null, instance);
            return jdbc.query("""
                    with busy as (
                        select count(*) as running, coalesce(bool_or(exclusive), false) as alone
                        from job
                        where status = %1$s and split_part(worker, '/', 1) = ?),
                    head as (
                        select q.experiment_id as id, q.batch_key, q.suspect, q.priority from job q
                        where q.status = %2$s and (q.not_before is null or q.not_before <= now())
                          and not (select alone from busy)
                          and (not q.suspect or (select running from busy) = 0)
                        order by q.priority desc, q.experiment_id
                        for update of q skip locked
                        limit 1),
                    mates as (
                        select m.experiment_id as id from job m
                        join head h on m.batch_key = h.batch_key and m.experiment_id <> h.id and not h.suspect
                        where m.status = %2$s and (m.not_before is null or m.not_before <= now())
                          and not m.suspect
                        order by m.priority desc, m.experiment_id
                        for update of m skip locked
                        limit ?),
                    chosen as (
                        select id from head union all select id from mates)
                    update job e set
                        status = %1$s, attempt = e.attempt + 1, worker = ?,
                        exclusive = e.suspect or (? and (select count(*) from chosen) = 1), not_before = null,
                        lease_expires_at = now() + make_interval(secs => ?),
                        started_at = coalesce(e.started_at, now())
                    from chosen where e.experiment_id = chosen.id
                    returning e.experiment_id, e.attempt,
                        (select x.spec::text from experiment x where x.id = e.experiment_id),
                        e.experiment_id = (select id from head) as is_head
                    """.formatted(RUNNING, QUEUED),
                    (rs, i) -> new ClaimedRow(new Claim(new WriteFence(rs.getLong(1), rs.getInt(2), worker),
                            rs.getString(3)), rs.getBoolean(4)),
                    instance, maxLanes - 1, worker, singleWorker, seconds(lease)).stream()
                    // the head first, then the mates in claim order
                    .sorted(Comparator.comparing((ClaimedRow r) -> !r.head())
                            .thenComparing(r -> r.claim().fence().experimentId()))
                    .map(ClaimedRow::claim).toList();
        });
        return claims == null ? List.of() : claims;
    }

    private record ClaimedRow(Claim claim, boolean head) {
    }

    /** The instance part of a worker name ("host:pid/slot" → "host:pid"); a name without a slot is its own instance. */
    static String instanceOf(String worker) {
        int slash = worker.indexOf('/');
        return slash < 0 ? worker : worker.substring(0, slash);
    }

    /**
     * Renews the lease and reports progress. Empty when the lease is lost (the job moved on); otherwise whether a
     * cancel was requested.
     */
    Optional<Boolean> heartbeat(WriteFence fence, Duration lease, long step, Double stepsPerSecond) {
        List<Boolean> cancel = jdbc.query("update job set lease_expires_at = now() + make_interval(secs => ?),"
                + " progress_step = greatest(progress_step, ?), steps_per_second = ? where " + FENCE
                + " returning cancel_requested",
                (rs, i) -> rs.getBoolean(1),
                seconds(lease), step, stepsPerSecond, fence.experimentId(), fence.attempt(), fence.worker());
        return cancel.stream().findFirst();
    }

    /**
     * Ends a job: SUCCEEDED, CANCELLED or FAILED, with its analysis headline (null when none could be computed; it is
     * then reconciled later) in the same statement, so no finished run is ever seen without it by accident. False when
     * the fence failed.
     */
    boolean finish(WriteFence fence, JobStatus status, String error, long step, RunHeadline headline) {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a job finishes in a terminal status, not " + status);
        }
        RunHeadline written = headline == null ? RunHeadline.NONE : headline;
        return jdbc.update("update job set status = ?, error = coalesce(?, error), finished_at = now(),"
                + " progress_step = greatest(progress_step, ?), lease_expires_at = null, steps_per_second = null,"
                + " exclusive = false, suspect = false, verdict = ?, generalization_step = ?, grokking_delay = ?"
                + " where " + FENCE,
                status.name(), error, step, written.verdict(), written.generalizationStep(), written.grokkingDelay(),
                fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    /**
     * Records why a run ends before its budget ({@code stopWhenSettled}), in the attempt that stops it, just before
     * {@link #finish}. Fenced like every write of the attempt.
     */
    boolean recordSettlement(WriteFence fence, String reason, long settledAt, long stepsSaved) {
        return jdbc.update("update job set stop_reason = ?, settled_at = ?, steps_saved = ? where " + FENCE, reason,
                settledAt, stepsSaved, fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    /**
     * Gives a job back to the queue after a graceful stop: not a failure (neither {@code failures} nor back-off
     * changes), another instance or this one restarted resumes it from its checkpoint.
     */
    boolean release(WriteFence fence, long step) {
        return jdbc.update("update job set status = " + QUEUED + ", worker = null, lease_expires_at = null,"
                + " progress_step = greatest(progress_step, ?), steps_per_second = null, exclusive = false"
                + " where " + FENCE,
                step, fence.experimentId(), fence.attempt(), fence.worker()) == 1;
    }

    /**
     * Records a failed attempt: back to the queue after {@code backoff} × 2^(earlier failures) (it resumes from its
     * checkpoint) or, after {@code maxFailures} or at once when the failure is {@code permanent} (retrying cannot
     * help), FAILED. The error is kept either way. Returns the resulting status, or empty when the fence failed.
     */
    Optional<JobStatus> fail(WriteFence fence, String error, int maxFailures, Duration backoff, boolean permanent) {
        List<JobStatus> status = jdbc.query("""
                update job set
                    failures = failures + 1,
                    status = case when ? or failures + 1 >= ? then %s else %s end,
                    finished_at = case when ? or failures + 1 >= ? then now() end,
                    not_before = now() + make_interval(secs => ? * power(2, failures)),
                    error = ?, worker = null, lease_expires_at = null, steps_per_second = null, exclusive = false
                where %s
                returning status
                """.formatted(FAILED, QUEUED, FENCE), (rs, i) -> JobStatus.of(rs.getString(1)),
                permanent, maxFailures, permanent, maxFailures, seconds(backoff), error,
                fence.experimentId(), fence.attempt(), fence.worker());
        return status.stream().findFirst();
    }

    /**
     * Stores the latest checkpoint, replacing the previous one, if the fence holds: under the same share lock as a
     * metric batch ({@link WriteFence#lock}), so a claim by another worker waits for it, and a write that starts after
     * such a claim stores nothing. A stored checkpoint is progress past the attempt's starting point, so it also
     * forgives the job's earlier failures and suspicion: only attempts that fail without progress add up to
     * {@code max-failures}, however long the run.
     */
    boolean saveCheckpoint(WriteFence fence, long step, byte[] payload) {
        Boolean saved = transactions.execute(status -> {
            if (!fence.lock(jdbc)) {
                return false;
            }
            jdbc.update("""
                    insert into checkpoint (experiment_id, step, attempt, payload) values (?, ?, ?, ?)
                    on conflict (experiment_id) do update
                        set step = excluded.step, attempt = excluded.attempt, payload = excluded.payload,
                            created_at = now()
                    """, fence.experimentId(), step, fence.attempt(), payload);
            jdbc.update("update job set failures = 0, suspect = false where " + FENCE
                    + " and (failures > 0 or suspect)", fence.experimentId(), fence.attempt(), fence.worker());
            return true;
        });
        return Boolean.TRUE.equals(saved);
    }

    Optional<StoredCheckpoint> loadCheckpoint(long experimentId) {
        return shared.query("select step, payload, created_at from checkpoint where experiment_id = ?",
                (rs, i) -> new StoredCheckpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant()),
                experimentId).stream().findFirst();
    }

    /** Records how a job was run (instance, threads, backend, versions), once per attempt. */
    void recordProvenance(WriteFence fence, String provenanceJson) {
        jdbc.update("update job set provenance = ?::jsonb where " + FENCE, provenanceJson,
                fence.experimentId(), fence.attempt(), fence.worker());
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    /** A checkpoint as stored. */
    record StoredCheckpoint(long step, byte[] payload, Instant createdAt) {
    }
}
