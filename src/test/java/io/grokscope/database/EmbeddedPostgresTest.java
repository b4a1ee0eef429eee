package io.grokscope.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zero-configuration database: a real server whose data survives a restart, started as any user (root too). */
class EmbeddedPostgresTest {

    @TempDir
    Path directory;

    @Test
    void keepsDataAcrossRestarts() throws Exception {
        try (EmbeddedPostgres first = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = first.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("create table kept (value text)");
            statement.execute("insert into kept values ('survives')");
        }

        try (EmbeddedPostgres second = EmbeddedPostgresConfiguration.start(directory, 0);
                Connection connection = second.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select value from kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("survives");
            assertThat(second.getPostgresDatabase().getConnection().getMetaData().getDatabaseProductVersion())
                    .startsWith("16.");
        }
    }

    @Test
    void refusesADataDirectoryThatALiveServiceIsUsing() throws Exception {
        try (EmbeddedPostgres running = EmbeddedPostgresConfiguration.start(directory, 0)) {
            assertThatThrownBy(() -> EmbeddedPostgresConfiguration.start(directory, 0))
                    .hasMessageContaining("in use by another running Grokscope");
            assertThat(running.getPostgresDatabase().getConnection().isValid(1)).isTrue();
        }
    }
}
