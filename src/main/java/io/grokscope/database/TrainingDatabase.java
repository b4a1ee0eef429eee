package io.grokscope.database;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The connections that running jobs write through (claims, heartbeats, metric batches, spectra, checkpoints, final
 * statuses), in a small pool of their own beside the one that serves the API.
 *
 * <p>Why apart: with one shared pool, a crowd of API readers (200 dashboards polling) holds every connection, and a
 * training run waits in the same line for each heartbeat and metric batch; the load test saw runs stall for minutes.
 * With their own pool, the readers can slow each other down but never the runs. The pool copies the shared pool's
 * settings (URL, credentials, timeouts) and differs only in name and size.
 */
public final class TrainingDatabase implements AutoCloseable {

    private final HikariDataSource pool;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    private TrainingDatabase(HikariDataSource pool) {
        this.pool = pool;
        this.jdbc = new JdbcTemplate(pool);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(pool));
    }

    /** A pool of {@code connections} configured like {@code shared}, which must be a Hikari pool. */
    public static TrainingDatabase apartFrom(DataSource shared, int connections) {
        HikariDataSource settings;
        try {
            settings = shared.unwrap(HikariDataSource.class);
        } catch (SQLException e) {
            throw new IllegalStateException("the job pool copies the settings of a Hikari pool, not of "
                    + shared.getClass().getName(), e);
        }
        HikariDataSource pool = new HikariDataSource();
        settings.copyStateTo(pool);
        pool.setPoolName(settings.getPoolName() + "-jobs");
        pool.setMaximumPoolSize(connections);
        pool.setMinimumIdle(1);
        return new TrainingDatabase(pool);
    }

    public JdbcTemplate jdbc() {
        return jdbc;
    }

    /** Transactions on this pool's connections (not the API's transaction manager). */
    public TransactionTemplate transactions() {
        return transactions;
    }

    @Override
    public void close() {
        pool.close();
    }
}
