package io.grokscope.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
 *
 * <p>It is the default store, so it runs with durable settings (zonky's test defaults turn fsync and synchronous
 * commit off, which loses or corrupts data on a power cut), listens on 127.0.0.1 only, opens no Unix socket, and asks
 * for passwords (see {@link EmbeddedServerAccess}); the service connects as a role that owns its schema but is no
 * superuser, so it cannot, say, run programs through {@code COPY ... TO PROGRAM}.
 *
 * <p>The server is stopped when the Spring context closes, after everything that uses it (the job pool releases its
 * runs first: see {@code JobWorker}), and not by a JVM shutdown hook of its own, which would race those last writes.
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
    HikariDataSource dataSource(EmbeddedPostgres postgres, EmbeddedPostgresProperties properties) {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(properties.dataDirectory().toAbsolutePath())
                .orElseThrow(() -> new IllegalStateException("the embedded PostgreSQL has no credentials"));
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(jdbcUrl(postgres));
        dataSource.setUsername(EmbeddedCredentials.SERVICE_ROLE);
        dataSource.setPassword(credentials.servicePassword());
        dataSource.setPoolName("grokscope-embedded");
        return dataSource;
    }

    /** Where the service's database is: the {@code postgres} database, on 127.0.0.1 (never a name that might resolve elsewhere). */
    static String jdbcUrl(EmbeddedPostgres postgres) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /**
     * Starts (initialising on first use) a server on {@code dataDirectory}; tests run this very code path. The
     * caller closes it (no shutdown hook is registered).
     */
    static EmbeddedPostgres start(Path dataDirectory, int port) {
        Path directory = dataDirectory.toAbsolutePath();
        try {
            Files.createDirectories(directory);
            StaleServer.stopIfOrphaned(directory);
            // Read before the server is built: zonky checks the server is up by connecting as the superuser.
            Optional<EmbeddedCredentials> saved = EmbeddedCredentials.read(directory);
            EmbeddedCredentials credentials = saved.orElseGet(EmbeddedCredentials::generate);
            log.info("Starting embedded PostgreSQL with data in {}", directory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // After initdb (new folders), before the server starts: roles, passwords, pg_hba.conf.
                    .setDataDirectoryCustomizer(folder -> EmbeddedServerAccess.prepare(folder.toPath(), credentials,
                            saved.isPresent()))
                    .setConnectConfig("password", credentials.superuserPassword());
            durable(builder);
            if (port != 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + directory, e);
        }
    }

    /**
     * Server settings. Zonky starts the server with {@code -F} (fsync off) and {@code synchronous_commit=off}, right
     * for throw-away test databases and wrong for the one that holds a researcher's results; the {@code -c} options
     * come after {@code -F} on the command line, so they win.
     */
    private static void durable(EmbeddedPostgres.Builder builder) {
        builder.setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "''")
                .setServerConfig("password_encryption", "scram-sha-256");
    }
}
