package io.grokscope.metrics;

/**
 * The identity of one attempt at running an experiment. Every write made on behalf of a running job (metric batches,
 * spectra, checkpoints, status changes) is conditional on the experiment still being RUNNING under this attempt and
 * worker, checked in the same transaction as the write, so a worker that stalled and lost its lease writes nothing.
 *
 * @param experimentId the experiment
 * @param attempt      the attempt number the claim gave (it grows by one on every claim)
 * @param worker       the instance and worker slot holding the claim
 */
public record WriteFence(long experimentId, int attempt, String worker) {

    /**
     * The fence as an SQL condition on an {@code experiment} row: true while this attempt owns it. Bind the
     * experiment id, attempt and worker, in that order. Every fenced write of the job pool and the metrics store uses
     * this one condition.
     */
    public static final String OWNS_EXPERIMENT = "id = ? and attempt = ? and worker = ? and status = 'RUNNING'";

    public WriteFence {
        if (worker == null || worker.isBlank()) {
            throw new IllegalArgumentException("a fence names its worker");
        }
    }
}
