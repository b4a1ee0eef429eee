package io.grokscope.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The zero-configuration default: without {@code spring.datasource.url} the service starts a real PostgreSQL server
 * (the zonky embedded binaries, pinned to the same major version as docker-compose) keeping its data in
 * {@link EmbeddedPostgresProperties#dataDirectory()}, so {@code mvn spring-boot:run} works on a machine with no database
 * and a restart keeps every experiment.
 *
 * <p>Why a real server and not H2: the service relies on PostgreSQL itself (jsonb, {@code SKIP LOCKED}, {@code COPY}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedPostgresProperties properties) {
        return start(properties.dataDirectory(), properties.port());
    }

    /** A pool configured like the one Spring Boot builds for an external server ({@code spring.datasource.hikari.*}). */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
        dataSource.setUsername("postgres");
        dataSource.setPoolName("grokscope-embedded");
        return dataSource;
    }

    /**
     * Starts (initialising on first use) a server on {@code dataDirectory}; tests run this very code path.
     */
    static EmbeddedPostgres start(Path dataDirectory, int port) {
        Path directory = dataDirectory.toAbsolutePath();
        try {
            Files.createDirectories(directory);
            StaleServer.stopIfOrphaned(directory);
            log.info("Starting embedded PostgreSQL with data in {}", directory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60));
            if (port != 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + directory, e);
        }
    }
}
