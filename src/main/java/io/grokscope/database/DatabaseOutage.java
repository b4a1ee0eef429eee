package io.grokscope.database;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells a database that is away (restarting, unreachable) or busy (no pooled connection free in time) from a statement
 * that is wrong, and waits the first two out.
 *
 * <p>A training run must not fail because PostgreSQL restarted for a few seconds, or because API readers held every
 * pooled connection for a while: its writes are fenced and idempotent, so repeating them later is safe. A statement
 * that fails for any other reason (a constraint, a bug) is not retried: waiting would not help, and it should fail the
 * attempt at once.
 */
public final class DatabaseOutage {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final String HIKARI_CLOSED_CONNECTION = "Connection is closed";

    private DatabaseOutage() {
    }

    /**
     * True when {@code failure} means the server could not be reached or dropped the connection: refused, an I/O error
     * on the socket, the server shutting down or starting up (SQLSTATE classes 08 and 57P, which the pool also puts on
     * its timeout when connecting failed), or a connection the pool had already closed for one of these reasons.
     */
    public static boolean isUnreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof SQLRecoverableException || cause instanceof SQLException sql && lostConnection(sql)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lostConnection(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            // Hikari's answer, without a SQLSTATE, on a connection it closed after the server dropped it: typically the
            // rollback after the failure that closed it, which Spring then reports instead of that failure.
            return HIKARI_CLOSED_CONNECTION.equals(e.getMessage());
        }
        return state.startsWith("08") || state.startsWith("57P");
    }

    /**
     * True when {@code failure} is worth waiting out: the server is {@linkplain #isUnreachable unreachable}, no pooled
     * connection became free within the pool's timeout (every connection busy under load), or the server refused
     * the statement for a reason that passes ({@link #RETRYABLE_STATES}: a serialization failure, a deadlock, a lock
     * not available, too many connections). Everything else (a constraint, a data error, a permission, a full disk, an
     * internal error) is permanent for the statement: repeating it at once would fail the same way.
     */
    public static boolean isTransient(Throwable failure) {
        if (isUnreachable(failure)) {
            return true;
        }
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof CannotGetJdbcConnectionException
                    || cause instanceof CannotCreateTransactionException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && RETRYABLE_STATES.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATEs (outside the connection classes 08 and 57P) after which the same statement may well succeed:
     * serialization_failure, deadlock_detected, lock_not_available, too_many_connections.
     */
    static final java.util.Set<String> RETRYABLE_STATES = java.util.Set.of("40001", "40P01", "55P03", "53300");

    /**
     * Runs {@code call}; while it fails {@linkplain #isTransient transiently}, runs it again with growing pauses,
     * for up to {@code tolerance} in all. Any other failure, or an outage that outlasts the tolerance, is thrown.
     *
     * @param what names the call in the log, e.g. "checkpoint of experiment 7"
     */
    public static <T> T retry(String what, Duration tolerance, Supplier<T> call) {
        long deadline = System.nanoTime() + tolerance.toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        int failures = 0;
        while (true) {
            try {
                T result = call.get();
                if (failures > 0) {
                    log.info("{} succeeded after {} attempt(s) while the database was away", what, failures + 1);
                }
                return result;
            } catch (RuntimeException e) {
                long left = deadline - System.nanoTime();
                if (!isTransient(e) || left <= 0) {
                    throw e;
                }
                failures++;
                log.warn("{} failed, database {} ({}); retrying in {} ms", what,
                        isUnreachable(e) ? "unreachable" : "busy", rootMessage(e), backoff);
                sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        }
    }
}
