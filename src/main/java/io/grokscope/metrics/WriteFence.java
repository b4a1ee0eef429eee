package io.grokscope.metrics;

import io.grokscope.database.JobStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The identity of one attempt at running an experiment. Every write made on behalf of a running job (metric batches,
 * spectra, checkpoints, status changes) is conditional on the experiment's {@code job} row (V10) still being RUNNING
 * under this attempt and worker, checked in the same transaction as the write, so a worker that stalled and lost its
 * lease writes nothing.
 *
 * @param experimentId the experiment
 * @param attempt      the attempt number the claim gave (it grows by one on every claim)
 * @param worker       the instance and worker slot holding the claim
 */
public record WriteFence(long experimentId, int attempt, String worker) {

    /**
     * The fence as an SQL condition on a {@code job} row: true while this attempt owns it. Bind the experiment id,
     * attempt and worker, in that order. Every fenced write of the job pool and the metrics store uses this one
     * condition.
     */
    public static final String OWNS_JOB = "experiment_id = ? and attempt = ? and worker = ? and status = "
            + JobStatus.RUNNING.sql();

    /** {@link #OWNS_JOB} taking a share lock on the row it finds: see {@link #lock}. */
    public static final String LOCK_OWNED_JOB = "select 1 from job where " + OWNS_JOB + " for share";

    public WriteFence {
        if (worker == null || worker.isBlank()) {
            throw new IllegalArgumentException("a fence names its worker");
        }
    }

    /**
     * Checks the fence inside the caller's transaction on {@code jdbc}, and keeps it: a share lock on the job row
     * until that transaction ends. Every side-effect write of an attempt (metric batch, spectrum, checkpoint)
     * takes it first, in the transaction that writes. A claim by another worker updates the row, so it waits until the
     * write commits; a write that starts after the claim finds the fence broken. A plain {@code EXISTS} in the write
     * would not do: it reads a snapshot, and the write could commit after a claim that it did not wait for.
     *
     * @return true when this attempt still owns the experiment (the row is then locked), false otherwise
     */
    public boolean lock(JdbcTemplate jdbc) {
        return !jdbc.queryForList(LOCK_OWNED_JOB, Integer.class, experimentId, attempt, worker).isEmpty();
    }
}
