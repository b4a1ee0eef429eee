package io.grokscope.experiment;

import io.grokscope.database.JobStatus;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The list endpoint's query: every filter is a fixed SQL clause chosen by which filters are present, and every value
 * from the request is a bound parameter, so no input reaches the SQL text. Tags match with the array's {@code @>}
 * and spec fields with jsonb's {@code @>} (both served by GIN indexes, V8); the page is newest first. Status and
 * verdict are the job pool's (its {@code job} row, joined on the experiment's id, V10); the rest is the researcher's
 * record.
 */
@Component
class ExperimentSearch {

    /**
     * @param tags  every one must be on the run
     * @param specs every one must match the stored spec
     */
    record Filters(JobStatus status, String name, String operation, String modelType, String verdict,
            List<String> tags, List<SpecFieldFilter> specs) {
    }

    record Found(List<Long> ids, long total) {
    }

    private static final String FROM = " from experiment e join job j on j.experiment_id = e.id";

    private final JdbcTemplate jdbc;

    ExperimentSearch(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Found page(Filters filters, int page, int size) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> values = new ArrayList<>();
        if (filters.status() != null) {
            where.append(" and j.status = ?");
            values.add(filters.status().name());
        }
        if (filters.name() != null && !filters.name().isEmpty()) {
            where.append(" and lower(e.name) like ? escape '\\'");
            values.add("%" + filters.name().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\")
                    .replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (filters.operation() != null) {
            where.append(" and e.operation = ?");
            values.add(filters.operation());
        }
        if (filters.modelType() != null) {
            where.append(" and e.model_type = ?");
            values.add(filters.modelType());
        }
        if (filters.verdict() != null) {
            // RUNNING is what a training run shows, whatever an earlier attempt stored.
            if (filters.verdict().equals(JobStatus.RUNNING.name())) {
                where.append(" and j.status = " + JobStatus.RUNNING.sql());
            } else {
                where.append(" and j.verdict = ? and j.status <> " + JobStatus.RUNNING.sql());
                values.add(filters.verdict());
            }
        }
        if (!filters.tags().isEmpty()) {
            where.append(" and e.tags @> ?::text[]");
            values.add(filters.tags().toArray(String[]::new));
        }
        for (SpecFieldFilter spec : filters.specs()) {
            var containment = spec.containment();
            if (containment.isPresent()) {
                where.append(" and e.spec @> ?::jsonb");
                values.add(containment.get());
            } else {
                where.append(" and coalesce(e.spec #> ?::text[], 'null'::jsonb) = 'null'::jsonb");
                values.add(spec.path().toArray(String[]::new));
            }
        }
        long total = jdbc.queryForObject("select count(*)" + FROM + where, Long.class, values.toArray());
        List<Object> paged = new ArrayList<>(values);
        paged.add(size);
        paged.add((long) page * size);
        List<Long> ids = jdbc.queryForList("select e.id" + FROM + where + " order by e.id desc limit ? offset ?",
                Long.class, paged.toArray());
        return new Found(ids, total);
    }
}
