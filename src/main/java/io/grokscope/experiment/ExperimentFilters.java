package io.grokscope.experiment;

import org.springframework.data.jpa.domain.Specification;

/** The list endpoint's filters as JPA specifications; absent filters match everything. */
final class ExperimentFilters {

    private ExperimentFilters() {
    }

    static Specification<Experiment> hasStatus(ExperimentStatus status) {
        return (root, query, cb) -> status == null ? null : cb.equal(root.get("status"), status);
    }

    /** Case-insensitive substring match; the user's text is matched literally (LIKE wildcards escaped). */
    static Specification<Experiment> nameContains(String text) {
        if (text == null || text.isEmpty()) {
            return (root, query, cb) -> null;
        }
        if (text.indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold NUL, so no stored name contains it; sent as a parameter it would be a 500
            return (root, query, cb) -> cb.disjunction();
        }
        String pattern = "%" + text.toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return (root, query, cb) -> cb.like(cb.lower(root.get("name")), pattern, '\\');
    }
}
