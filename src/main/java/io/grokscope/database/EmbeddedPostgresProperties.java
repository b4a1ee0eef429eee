package io.grokscope.database;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded PostgreSQL server that runs when no {@code spring.datasource.url} is given.
 *
 * @param dataDirectory where the cluster keeps its files; reused across restarts, so submitted experiments survive
 * @param port          TCP port on 127.0.0.1; 0 picks a free one at each start
 */
@ConfigurationProperties("grokscope.embedded-postgres")
public record EmbeddedPostgresProperties(@DefaultValue("data/postgres") Path dataDirectory, @DefaultValue("0") int port) {
}
