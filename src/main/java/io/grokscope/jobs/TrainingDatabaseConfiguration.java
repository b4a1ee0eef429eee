package io.grokscope.jobs;

import io.grokscope.database.TrainingDatabase;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Sizes the job pool's own connections by the worker count. */
@Configuration(proxyBeanMethods = false)
class TrainingDatabaseConfiguration {

    /**
     * Per worker: the training thread (spectra, checkpoints, status), its metric writer and its claim polls; plus the
     * heartbeat thread and one spare.
     */
    @Bean(destroyMethod = "close")
    TrainingDatabase trainingDatabase(DataSource dataSource, JobProperties properties) {
        int workers = properties.effectiveWorkers(Runtime.getRuntime().availableProcessors());
        return TrainingDatabase.apartFrom(dataSource, 3 * workers + 2);
    }
}
