package io.grokscope.sweep;

import io.grokscope.database.JobStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** The sweep tables' SQL. The experiments themselves belong to the experiment feature; only their status is read. */
@Repository
class SweepRepository {

    /** A sweep row: its axes and seeds as JSON text, read by {@link SweepService}. */
    record StoredSweep(long id, String name, String baseJson, String axesJson, String seedsJson, Instant createdAt) {
    }

    /** One experiment of a sweep. */
    record Member(long experimentId, int cell, Long seed) {
    }

    private static final String COLUMNS = "id, name, base::text, axes::text, seeds::text, created_at";

    private final JdbcTemplate jdbc;

    SweepRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    long insert(String name, String baseJson, String axesJson, String seedsJson) {
        GeneratedKeyHolder key = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            var statement = connection.prepareStatement("insert into sweep (name, base, axes, seeds)"
                    + " values (?, ?::jsonb, ?::jsonb, ?::jsonb)", new String[] { "id" });
            statement.setString(1, name);
            statement.setString(2, baseJson);
            statement.setString(3, axesJson);
            statement.setString(4, seedsJson);
            return statement;
        }, key);
        return key.getKey().longValue();
    }

    void insertMembers(long sweepId, List<Member> members) {
        jdbc.batchUpdate("insert into sweep_experiment (sweep_id, experiment_id, cell, seed) values (?, ?, ?, ?)",
                members, 500, (statement, member) -> {
                    statement.setLong(1, sweepId);
                    statement.setLong(2, member.experimentId());
                    statement.setInt(3, member.cell());
                    statement.setObject(4, member.seed());
                });
    }

    Optional<StoredSweep> find(long id) {
        return jdbc.query("select " + COLUMNS + " from sweep where id = ?", (rs, i) -> read(rs), id).stream()
                .findFirst();
    }

    /** Newest first; {@code name} matches a substring, case-insensitively and literally. */
    List<StoredSweep> page(String name, int page, int size) {
        if (unmatchable(name)) {
            return List.of();
        }
        return jdbc.query("select " + COLUMNS + " from sweep where lower(name) like ? escape '\\'"
                + " order by id desc limit ? offset ?", (rs, i) -> read(rs), likePattern(name), size,
                (long) page * size);
    }

    long count(String name) {
        if (unmatchable(name)) {
            return 0;
        }
        return jdbc.queryForObject("select count(*) from sweep where lower(name) like ? escape '\\'", Long.class,
                likePattern(name));
    }

    /** In cell order, then seed order. */
    List<Member> members(long sweepId) {
        return jdbc.query("select experiment_id, cell, seed from sweep_experiment where sweep_id = ?"
                + " order by cell, seed, experiment_id",
                (rs, i) -> new Member(rs.getLong(1), rs.getInt(2), (Long) rs.getObject(3)), sweepId);
    }

    /** Sweep id → its progress: experiments by status, step budgets and steps saved, summed. */
    Map<Long, SweepProgress> progress(List<Long> sweepIds) {
        Map<Long, Map<JobStatus, Integer>> counts = new HashMap<>();
        Map<Long, long[]> steps = new HashMap<>();
        jdbc.query("select se.sweep_id, j.status, count(*), sum(e.total_steps), sum(coalesce(j.steps_saved, 0))"
                + " from sweep_experiment se join experiment e on e.id = se.experiment_id"
                + " join job j on j.experiment_id = se.experiment_id"
                + " where se.sweep_id = any(?) group by 1, 2",
                rs -> {
                    counts.computeIfAbsent(rs.getLong(1), id -> new HashMap<>())
                            .put(JobStatus.of(rs.getString(2)), rs.getInt(3));
                    long[] sums = steps.computeIfAbsent(rs.getLong(1), id -> new long[2]);
                    sums[0] += rs.getLong(4);
                    sums[1] += rs.getLong(5);
                }, (Object) sweepIds.toArray(new Long[0]));
        Map<Long, SweepProgress> progress = new HashMap<>();
        counts.forEach((id, byStatus) -> progress.put(id, SweepProgress.of(byStatus, steps.get(id)[0],
                steps.get(id)[1])));
        return progress;
    }

    void delete(long sweepId) {
        jdbc.update("delete from sweep where id = ?", sweepId);
    }

    /** PostgreSQL text cannot hold NUL, so no stored name contains it; sent as a parameter it would be a 500. */
    private static boolean unmatchable(String name) {
        return name != null && name.indexOf('\0') >= 0;
    }

    private static String likePattern(String name) {
        if (name == null || name.isEmpty()) {
            return "%";
        }
        return "%" + name.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%";
    }

    private static StoredSweep read(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp created = rs.getTimestamp(6);
        return new StoredSweep(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                created.toInstant());
    }
}
