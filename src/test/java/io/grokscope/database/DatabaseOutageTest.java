package io.grokscope.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.orm.jpa.JpaSystemException;
import org.springframework.transaction.CannotCreateTransactionException;

/** The failures seen while PostgreSQL restarted under the service (DatabaseOutageIT), classified one by one. */
class DatabaseOutageTest {

    /** Hikari's timeout when connecting failed: the driver's "connection refused" (08001) is its cause. */
    private static final RuntimeException REFUSED = new CannotCreateTransactionException("Could not open JPA"
            + " EntityManager for transaction", new SQLTransientConnectionException("HikariPool-1 - Connection is not"
                    + " available, request timed out after 5000ms", "08001",
                    new SQLException("Connection to 127.0.0.1:5432 refused", "08001")));

    /** Hikari's timeout when every connection is busy: no cause, no SQLSTATE. */
    private static final RuntimeException POOL_EXHAUSTED = new CannotGetJdbcConnectionException("Failed to obtain JDBC"
            + " Connection", new SQLTransientConnectionException("HikariPool-1 - Connection is not available, request"
                    + " timed out after 5000ms (total=10, active=10, idle=0, waiting=151)"));

    @Nested
    class Classification {

        @Test
        void aRefusedConnectionAndAServerShuttingDownAreUnreachable() {
            assertThat(DatabaseOutage.isUnreachable(REFUSED)).isTrue();
            assertThat(DatabaseOutage.isUnreachable(new RuntimeException(new SQLException(
                    "FATAL: terminating connection due to administrator command", "57P01")))).isTrue();
            assertThat(DatabaseOutage.isUnreachable(new RuntimeException(new SQLException(
                    "An I/O error occurred while sending to the backend.", "08006")))).isTrue();
        }

        @Test
        void aRollbackOnAConnectionThePoolClosedIsUnreachable() {
            RuntimeException rollback = new JpaSystemException(new RuntimeException("Unable to rollback against JDBC"
                    + " Connection", new SQLException("Connection is closed")));
            assertThat(DatabaseOutage.isUnreachable(rollback)).isTrue();
        }

        @Test
        void anExhaustedPoolIsTransientButNotUnreachable() {
            assertThat(DatabaseOutage.isUnreachable(POOL_EXHAUSTED)).isFalse();
            assertThat(DatabaseOutage.isTransient(POOL_EXHAUSTED)).isTrue();
        }

        @Test
        void aViolatedConstraintOrAPlainBugIsNeither() {
            RuntimeException duplicate = new DataIntegrityViolationException("duplicate key",
                    new SQLException("duplicate key value violates unique constraint", "23505"));
            assertThat(DatabaseOutage.isTransient(duplicate)).isFalse();
            assertThat(DatabaseOutage.isTransient(new IllegalStateException("bug"))).isFalse();
            assertThat(DatabaseOutage.isTransient(new RuntimeException(new SQLException("other closed")))).isFalse();
        }
    }

    @Nested
    class Retry {

        @Test
        void repeatsACallThatFailsTransientlyUntilItSucceeds() {
            AtomicInteger calls = new AtomicInteger();
            String result = DatabaseOutage.retry("test", Duration.ofSeconds(10), () -> {
                if (calls.incrementAndGet() < 3) {
                    throw REFUSED;
                }
                return "written";
            });
            assertThat(result).isEqualTo("written");
            assertThat(calls).hasValue(3);
        }

        @Test
        void throwsAnyOtherFailureAtOnce() {
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> DatabaseOutage.retry("test", Duration.ofSeconds(10), () -> {
                calls.incrementAndGet();
                throw new IllegalStateException("bug");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(calls).hasValue(1);
        }

        @Test
        void givesUpWhenTheOutageOutlastsTheTolerance() {
            AtomicInteger calls = new AtomicInteger();
            long start = System.nanoTime();
            assertThatThrownBy(() -> DatabaseOutage.retry("test", Duration.ofMillis(500), () -> {
                calls.incrementAndGet();
                throw REFUSED;
            })).isSameAs(REFUSED);
            assertThat(calls.get()).isGreaterThan(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
