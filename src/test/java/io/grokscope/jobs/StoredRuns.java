package io.grokscope.jobs;

import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/** What the job-pool tests read back about a run: its status, its stored curves, and waiting for its progress. */
record StoredRuns(JdbcTemplate jdbc) {

    String status(long id) {
        return jdbc.queryForObject("select status from job where experiment_id = ?", String.class, id);
    }

    /** metric → step → value, as stored. */
    Map<String, NavigableMap<Long, Double>> curves(long id) {
        Map<String, NavigableMap<Long, Double>> curves = new TreeMap<>();
        jdbc.query("select metric, step, value from metric_point where experiment_id = ?", rs -> {
            curves.computeIfAbsent(rs.getString(1), m -> new TreeMap<>()).put(rs.getLong(2), rs.getDouble(3));
        }, id);
        return curves;
    }

    /** Waits (at most a minute) until the run has stored a metric at {@code step} or later. */
    void awaitStep(long id, long step) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            Long stored = jdbc.queryForObject("select max(step) from metric_point where experiment_id = ?",
                    Long.class, id);
            if (stored != null && stored >= step) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("experiment " + id + " never reached step " + step);
    }
}
