package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.database.JobStatus;
import io.grokscope.support.TestDatabase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * V10 on a database made by the schema before it (V9) with runs in every state in it: queued (with a back-off, a
 * suspicion and a batch key), running (leased, exclusive, cancel requested, with progress and provenance), finished
 * (succeeded with a headline and a settlement, failed with an error, cancelled), with metrics, spectra, checkpoints,
 * parameter snapshots and a sweep. Every value of every row must come out the same, wherever it now lives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobTableMigrationTest {

    /** The columns V10 moves from experiment to job. */
    private static final Set<String> MOVED = Set.of("status", "priority", "batch_key", "cancel_requested", "attempt",
            "worker", "lease_expires_at", "failures", "not_before", "exclusive", "suspect", "progress_step",
            "steps_per_second", "provenance", "started_at", "finished_at", "error", "verdict", "generalization_step",
            "grokking_delay", "stop_reason", "settled_at", "steps_saved");

    private static final List<String> DEPENDENT_TABLES = List.of("metric_point", "checkpoint", "spectrum",
            "parameter_snapshot", "whole_run_measures", "sweep", "sweep_experiment");

    private JdbcTemplate jdbc;
    private Flyway flyway;
    private Map<Long, String> runsBefore;
    private Map<String, String> dependentBefore;
    private Set<String> experimentColumnsBefore;

    @BeforeAll
    void migrateAV9DatabaseWithRunsInIt() {
        TestDatabase.Coordinates db = TestDatabase.another();
        jdbc = new JdbcTemplate(new DriverManagerDataSource(db.url(), db.user(), db.password()));
        flyway = Flyway.configure().dataSource(db.url(), db.user(), db.password())
                .locations("classpath:db/migration").target("9").load();
        flyway.migrate();
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("9");

        long queued = experiment("queued", """
                status, priority, batch_key, failures, suspect, not_before, error, attempt, progress_step""",
                "'QUEUED', 3, 'mlp:add:23:512', 1, true, now() + interval '5 minutes', 'earlier attempt died', 1, 40");
        long running = experiment("running", """
                status, attempt, worker, lease_expires_at, exclusive, cancel_requested, progress_step,
                steps_per_second, provenance, started_at, batch_key""",
                "'RUNNING', 2, 'host:7/1', now() + interval '20 seconds', true, true, 1500, 812.5,"
                        + " '{\"instance\": \"host:7\", \"nd4jThreads\": 2}'::jsonb, now() - interval '1 hour',"
                        + " 'mlp:add:23:512'");
        long succeeded = experiment("succeeded", """
                status, attempt, progress_step, started_at, finished_at, verdict, generalization_step,
                grokking_delay, stop_reason, settled_at, steps_saved, provenance, tags, note""",
                "'SUCCEEDED', 1, 4000, now() - interval '2 hours', now() - interval '1 hour', 'GROKKING', 2600,"
                        + " 1900, 'settled: generalized, cleanup closed', 3100, 6000, '{\"instance\": \"h:1\"}'::jsonb,"
                        + " array['paper', 'wd=1'], 'the reference run'");
        long failed = experiment("failed", "status, attempt, failures, error, finished_at, progress_step",
                "'FAILED', 3, 3, 'java.lang.OutOfMemoryError: boom', now() - interval '3 hours', 20");
        long cancelled = experiment("cancelled", "status, finished_at", "'CANCELLED', now()");

        for (long id : List.of(running, succeeded, failed)) {
            jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, m, s, s / 1000.0"
                    + " from unnest(array['train_loss', 'test_acc']) m, generate_series(0, 1000, 100) s", id);
            jdbc.update("insert into checkpoint (experiment_id, step, attempt, payload) values (?, 1000, 1, ?)", id,
                    new byte[] { 1, 2, 3, (byte) id });
            jdbc.update("insert into spectrum (experiment_id, step, embed_norms, unembed_norms, key_frequencies)"
                    + " values (?, 1000, array[0.5, 1.5], array[2.5], array[3, 7])", id);
            jdbc.update("insert into parameter_snapshot (experiment_id, step, payload) values (?, 1000, ?)", id,
                    new byte[] { 9, (byte) id });
        }
        jdbc.update("insert into whole_run_measures (experiment_id, key_step, key_frequencies, steps)"
                + " values (?, 1000, array[3, 7], 11)", succeeded);
        long sweep = jdbc.queryForObject("insert into sweep (name, base, axes) values ('s', '{}'::jsonb, '[]'::jsonb)"
                + " returning id", Long.class);
        jdbc.update("insert into sweep_experiment (sweep_id, experiment_id, cell, seed) values (?, ?, 0, 1),"
                + " (?, ?, 0, 2)", sweep, queued, sweep, cancelled);

        runsBefore = rows("select id, to_jsonb(e)::text from experiment e");
        dependentBefore = dependentDigests();
        experimentColumnsBefore = columns("experiment");
        assertThat(runsBefore).hasSize(5);
        assertThat(experimentColumnsBefore).containsAll(MOVED);

        flyway = Flyway.configure().dataSource(db.url(), db.user(), db.password())
                .locations("classpath:db/migration").target("10").load();
        flyway.migrate();
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("10");
    }

    /** An experiment row as V9 stored it: the researcher's columns, and the job pool's that the caller names. */
    private long experiment(String name, String columns, String values) {
        return jdbc.queryForObject("insert into experiment (name, spec, operation, model_type, total_steps, "
                + columns + ") values (?, '{\"name\": \"" + name + "\", \"training\": {\"steps\": 10000}}'::jsonb,"
                + " 'ADD', 'MLP', 10000, " + values + ") returning id", Long.class, name);
    }

    private Map<Long, String> rows(String sql) {
        Map<Long, String> rows = new TreeMap<>();
        jdbc.query(sql, rs -> {
            rows.put(rs.getLong(1), rs.getString(2));
        });
        return rows;
    }

    private Map<String, String> dependentDigests() {
        Map<String, String> digests = new TreeMap<>();
        for (String table : DEPENDENT_TABLES) {
            digests.put(table, jdbc.queryForObject("select count(*) || ' rows, md5 '"
                    + " || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') from " + table + " t",
                    String.class));
        }
        return digests;
    }

    private Set<String> columns(String table) {
        return new TreeSet<>(jdbc.queryForList("select column_name from information_schema.columns"
                + " where table_schema = current_schema() and table_name = ?", String.class, table));
    }

    @Test
    void everyValueOfEveryRunIsKeptEitherOnItsExperimentOrOnItsJob() {
        // The experiment row and its job row together, the job's key left out: the same JSON object as the V9 row.
        Map<Long, String> after = rows("select e.id, (to_jsonb(e) || (to_jsonb(j) - 'experiment_id'))::text"
                + " from experiment e join job j on j.experiment_id = e.id");

        assertThat(after.keySet()).isEqualTo(runsBefore.keySet());
        for (long id : runsBefore.keySet()) {
            assertThat(jdbc.queryForObject("select ?::jsonb = ?::jsonb", Boolean.class, after.get(id),
                    runsBefore.get(id))).as("run %d: before %s, after %s", id, runsBefore.get(id), after.get(id))
                    .isTrue();
        }
        assertThat(jdbc.queryForObject("select count(*) from job", Long.class)).isEqualTo(runsBefore.size());
    }

    @Test
    void theMovedColumnsLiveOnlyOnTheJobAndTheResearchersRecordKeepsTheRest() {
        Set<String> kept = new TreeSet<>(experimentColumnsBefore);
        kept.removeAll(MOVED);

        assertThat(columns("experiment")).isEqualTo(kept)
                .contains("name", "spec", "operation", "model_type", "total_steps", "created_at", "tags", "note");
        Set<String> job = new TreeSet<>(MOVED);
        job.add("experiment_id");
        assertThat(columns("job")).isEqualTo(job);
    }

    @Test
    void metricsCheckpointsSpectraSnapshotsAndSweepsAreUntouched() {
        assertThat(dependentDigests()).isEqualTo(dependentBefore);
    }

    @Test
    void theStatusCheckListsExactlyTheStatusVocabulary() {
        String check = jdbc.queryForObject("select pg_get_constraintdef(c.oid) from pg_constraint c"
                + " where c.conrelid = 'job'::regclass and c.contype = 'c'", String.class);

        Set<String> named = new TreeSet<>();
        java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("'([A-Z_]+)'").matcher(check);
        while (quoted.find()) {
            named.add(quoted.group(1));
        }
        assertThat(named).isEqualTo(new TreeSet<>(Arrays.stream(JobStatus.values()).map(Enum::name).toList()));
    }

    @Test
    void theClaimIndexesMovedWithTheirColumnsAndAJobGoesWithItsExperiment() {
        assertThat(jdbc.queryForList("select indexname from pg_indexes where tablename = 'job'", String.class))
                .contains("job_queue_idx", "job_batch_queue_idx", "job_status_idx", "job_verdict_idx");
        assertThat(jdbc.queryForList("select indexname from pg_indexes where tablename = 'experiment'", String.class))
                .doesNotContain("experiment_status_idx", "experiment_queue_idx", "experiment_batch_queue_idx",
                        "experiment_verdict_idx");

        long doomed = jdbc.queryForObject("insert into experiment (name, spec, operation, model_type, total_steps)"
                + " values ('doomed', '{}'::jsonb, 'ADD', 'MLP', 1) returning id", Long.class);
        jdbc.update("insert into job (experiment_id, status) values (?, 'QUEUED')", doomed);
        jdbc.update("delete from experiment where id = ?", doomed);
        assertThat(jdbc.queryForObject("select count(*) from job where experiment_id = ?", Long.class, doomed))
                .isZero();
    }
}
