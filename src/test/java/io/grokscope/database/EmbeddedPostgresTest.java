package io.grokscope.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-configuration database: a real server whose data survives a restart, started as any user (root too), with
 * durable settings, passwords, a service role that is no superuser, and no door but 127.0.0.1.
 */
class EmbeddedPostgresTest {

    @TempDir
    Path directory;

    @Test
    void keepsDataAcrossRestarts() throws Exception {
        try (EmbeddedPostgres first = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = service(first);
                Statement statement = connection.createStatement()) {
            statement.execute("create table kept (value text)");
            statement.execute("insert into kept values ('survives')");
        }

        try (EmbeddedPostgres second = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = service(second);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select value from kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("survives");
            assertThat(connection.getMetaData().getDatabaseProductVersion()).startsWith("16.");
        }
    }

    @Test
    void runsWithDurableSettingsAndListensOnLoopbackOnly() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = DriverManager.getConnection(EmbeddedPostgresConfiguration.jdbcUrl(postgres),
                        EmbeddedCredentials.SUPERUSER,
                        EmbeddedCredentials.read(directory).orElseThrow().superuserPassword())) {
            Map<String, String> settings = new LinkedHashMap<>();
            for (String name : new String[] { "fsync", "synchronous_commit", "full_page_writes", "listen_addresses",
                    "unix_socket_directories", "password_encryption" }) {
                settings.put(name, show(connection, name));
            }
            System.out.println("[EmbeddedPostgresTest] SHOW on the running embedded server: " + settings);
            assertThat(settings).isEqualTo(Map.of("fsync", "on", "synchronous_commit", "on",
                    "full_page_writes", "on", "listen_addresses", "127.0.0.1", "unix_socket_directories", "",
                    "password_encryption", "scram-sha-256"));
        }
    }

    @Test
    void asksForPasswordsKeptOwnerOnlyInTheDataFolderAndReusedOnRestart() throws Exception {
        EmbeddedCredentials first;
        try (EmbeddedPostgres postgres = EmbeddedPostgresConfiguration.start(directory, 0)) {
            Path file = directory.resolve(EmbeddedCredentials.FILE_NAME);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            first = EmbeddedCredentials.read(directory).orElseThrow();
            assertThat(first.superuserPassword()).isNotEqualTo(first.servicePassword());
            String url = EmbeddedPostgresConfiguration.jdbcUrl(postgres);
            assertRefused(url, EmbeddedCredentials.SUPERUSER, "wrong");
            assertRefused(url, EmbeddedCredentials.SERVICE_ROLE, "wrong");
            assertRefused(url, EmbeddedCredentials.SERVICE_ROLE, first.superuserPassword());
            try (Connection superuser = DriverManager.getConnection(url, EmbeddedCredentials.SUPERUSER,
                    first.superuserPassword())) {
                assertThat(superuser.isValid(1)).isTrue();
            }
        }
        try (EmbeddedPostgres again = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = service(again)) {
            assertThat(EmbeddedCredentials.read(directory)).contains(first);
            assertThat(connection.isValid(1)).isTrue();
        }
    }

    @Test
    void theServiceRoleOwnsTheSchemaButIsNoSuperuser() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = service(postgres);
                Statement statement = connection.createStatement()) {
            assertThat(show(connection, "is_superuser")).isEqualTo("off");
            try (ResultSet owner = statement.executeQuery(
                    "select nspowner::regrole::text from pg_namespace where nspname = 'public'")) {
                owner.next();
                assertThat(owner.getString(1)).isEqualTo(EmbeddedCredentials.SERVICE_ROLE);
            }
            statement.execute("create table owned (id int)");
            assertThatThrownBy(() -> statement.execute("copy owned to program 'true'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        }
    }

    /** A folder made by the earlier trust-authentication set-up: superuser tables, no passwords. */
    @Test
    void migratesAFolderMadeByTheOldTrustSetUp() throws Exception {
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(directory)
                .setCleanDataDirectory(false).start();
                Connection connection = old.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create table experiment (id bigserial primary key, name text)");
            statement.execute("insert into experiment (name) values ('from before')");
        }
        assertThat(EmbeddedCredentials.read(directory)).isEmpty();

        try (EmbeddedPostgres migrated = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = service(migrated);
                Statement statement = connection.createStatement()) {
            statement.execute("insert into experiment (name) values ('after')");
            try (ResultSet rows = statement.executeQuery("select string_agg(name, ',' order by id) from experiment")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("from before,after");
            }
            statement.execute("alter table experiment add column note text"); // owner's right
            assertRefused(EmbeddedPostgresConfiguration.jdbcUrl(migrated), EmbeddedCredentials.SUPERUSER, "wrong");
        }
    }

    @Test
    void refusesADataDirectoryThatALiveServiceIsUsing() throws Exception {
        try (EmbeddedPostgres running = EmbeddedPostgresConfiguration.start(directory, 0)) {
            assertThatThrownBy(() -> EmbeddedPostgresConfiguration.start(directory, 0))
                    .hasMessageContaining("in use by another running Grokscope");
            try (Connection connection = service(running)) {
                assertThat(connection.isValid(1)).isTrue();
            }
        }
    }

    private Connection service(EmbeddedPostgres postgres) throws SQLException {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(directory).orElseThrow();
        return DriverManager.getConnection(EmbeddedPostgresConfiguration.jdbcUrl(postgres),
                EmbeddedCredentials.SERVICE_ROLE, credentials.servicePassword());
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static void assertRefused(String url, String user, String password) {
        assertThatThrownBy(() -> DriverManager.getConnection(url, user, password).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }
}
