package io.grokscope.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The one real PostgreSQL the test JVM uses, chosen once:
 * <ol>
 * <li>{@code GROKSCOPE_TEST_DATABASE_URL} (with optional {@code GROKSCOPE_TEST_DATABASE_USER} / {@code _PASSWORD}): an
 * existing server, e.g. the machine's own; a fresh database is created on it for this JVM, so runs never see each
 * other's rows;</li>
 * <li>else Testcontainers, when a Docker engine answers;</li>
 * <li>else the embedded PostgreSQL that the service itself uses by default, in a temporary directory.</li>
 * </ol>
 * Never H2, never a mock: the service depends on PostgreSQL's own behaviour (jsonb, SKIP LOCKED, COPY).
 */
public final class TestDatabase {

    /** How to connect, and which kind of server it is (printed so a test log says what it ran against). */
    public record Coordinates(String url, String user, String password, String description) {
    }

    private static Coordinates coordinates;

    private TestDatabase() {
    }

    public static synchronized Coordinates get() {
        if (coordinates == null) {
            coordinates = start();
            System.out.println("[TestDatabase] using " + coordinates.description() + " at " + coordinates.url());
        }
        return coordinates;
    }

    /**
     * Another empty database on the same server as {@link #get()}, dropped when the JVM exits: for tests that build a
     * schema of their own (e.g. an older migration state) beside the one the application contexts share.
     */
    public static Coordinates another() {
        Coordinates server = get();
        Coordinates fresh = freshDatabaseOn(server.url(), server.user(), server.password());
        return new Coordinates(fresh.url(), fresh.user(), fresh.password(),
                "another database on " + server.description());
    }

    private static Coordinates start() {
        String external = System.getenv("GROKSCOPE_TEST_DATABASE_URL");
        if (external != null && !external.isBlank()) {
            String user = envOr("GROKSCOPE_TEST_DATABASE_USER", "postgres");
            String password = envOr("GROKSCOPE_TEST_DATABASE_PASSWORD", "");
            return freshDatabaseOn(external, user, password);
        }
        if (dockerAvailable()) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
            container.start();
            return new Coordinates(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    "Testcontainers PostgreSQL 16");
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(Files.createTempDirectory("grokscope-test-pg"))
                    .setCleanDataDirectory(true)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temp directory is removed by the cleanup flag
                }
            }));
            return new Coordinates(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "",
                    "embedded PostgreSQL (zonky)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Coordinates freshDatabaseOn(String url, String user, String password) {
        String name = "grokscope_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on " + url, e);
        }
        String databaseUrl = url.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection connection = DriverManager.getConnection(url, user, password);
                    Statement statement = connection.createStatement()) {
                statement.execute("drop database if exists " + name + " with (force)");
            } catch (SQLException ignored) {
                // best effort: a leftover test database is harmless
            }
        }));
        return new Coordinates(databaseUrl, user, password, "external PostgreSQL (database " + name + ")");
    }

    private static boolean dockerAvailable() {
        boolean configured = System.getenv("DOCKER_HOST") != null
                || Files.exists(java.nio.file.Path.of("/var/run/docker.sock"));
        if (!configured) {
            return false; // skip Testcontainers' own probe, which logs a long error when there is no engine
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
