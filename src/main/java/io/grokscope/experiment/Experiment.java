package io.grokscope.experiment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * The persistent experiment row: the researcher's record (name, the completed spec as submitted, what it is filed
 * under, when it was submitted, tags and note). It never leaves the {@code experiment} package (HTTP sees
 * {@link ExperimentView}) and is written only through {@link ExperimentRepository}. How the run goes (status, attempts,
 * progress, outcome) is the job pool's {@code job} row (V10), read through {@link io.grokscope.jobs.JobQueue}.
 */
@Entity
@Table(name = "experiment")
class Experiment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;

    /** The complete spec as JSON; the typed view is {@link ExperimentSpec}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    private String spec;

    private String operation;
    private String modelType;
    private long totalSteps;
    private Instant createdAt;

    /** The researcher's labels (V8); at most {@link ExperimentAnnotations#MAX_TAGS}. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    private String[] tags = new String[0];

    private String note;

    @Version
    private long version;

    protected Experiment() {
        // for JPA
    }

    /** The record of a new submission; its job is queued beside it ({@link io.grokscope.jobs.JobQueue#enqueue}). */
    static Experiment submitted(ExperimentSpec completeSpec, String specJson, Instant now) {
        Experiment e = new Experiment();
        e.name = completeSpec.name();
        e.spec = specJson;
        e.operation = completeSpec.task().operation().name();
        e.modelType = completeSpec.model() instanceof TransformerSettings ? "TRANSFORMER" : "MLP";
        e.totalSteps = completeSpec.training().steps();
        e.createdAt = now;
        return e;
    }

    /** Replaces the tags and the note; null leaves that one as it is (validated by the caller). */
    void annotate(java.util.List<String> newTags, String newNote) {
        if (newTags != null) {
            tags = newTags.toArray(String[]::new);
        }
        if (newNote != null) {
            note = newNote.isEmpty() ? null : newNote;
        }
    }

    java.util.List<String> tags() {
        return tags == null ? java.util.List.of() : java.util.List.of(tags);
    }

    String note() {
        return note;
    }

    Long id() {
        return id;
    }

    String name() {
        return name;
    }

    String specJson() {
        return spec;
    }

    long totalSteps() {
        return totalSteps;
    }

    Instant createdAt() {
        return createdAt;
    }
}
