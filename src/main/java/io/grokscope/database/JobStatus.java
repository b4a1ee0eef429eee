package io.grokscope.database;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a run is in its life: QUEUED, then RUNNING, then one of the three terminal states. The one vocabulary of run
 * status: the API shows it, the {@code job} table stores it (V10's check constraint lists exactly these names), and
 * every SQL statement that tests or sets a status is composed from it ({@link #sql}, {@link #sqlList}) rather than
 * spelling the names out. It lives beside the database code because the job pool, the write fence (metrics) and the
 * readers of runs (history, experiment, sweep) all need it, and this package is below all of them.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** The statuses a run never leaves. */
    public static final Set<JobStatus> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Still to run or running: its data may still grow. */
    public boolean isActive() {
        return !isTerminal();
    }

    /** The status as an SQL literal, e.g. {@code 'RUNNING'} (the names are plain identifiers: nothing to escape). */
    public String sql() {
        return "'" + name() + "'";
    }

    /** The statuses as an SQL list for {@code in}, e.g. {@code ('SUCCEEDED', 'FAILED', 'CANCELLED')}. */
    public static String sqlList(Set<JobStatus> statuses) {
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("an SQL list needs at least one status");
        }
        return statuses.stream().sorted().map(JobStatus::sql).collect(Collectors.joining(", ", "(", ")"));
    }

    /** {@link #sqlList(Set)} of these. */
    public static String sqlList(JobStatus first, JobStatus... more) {
        EnumSet<JobStatus> set = EnumSet.of(first, more);
        return sqlList(set);
    }

    /** Every status, as the check constraint on {@code job.status} lists them. */
    public static String allSql() {
        return sqlList(EnumSet.allOf(JobStatus.class));
    }

    /** The status a stored name denotes. */
    public static JobStatus of(String stored) {
        return Arrays.stream(values()).filter(s -> s.name().equals(stored)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a run status: " + stored));
    }
}
