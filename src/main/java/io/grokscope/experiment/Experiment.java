package io.grokscope.experiment;

import io.grokscope.training.BatchKey;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * The persistent experiment row. It never leaves the {@code experiment} package: HTTP sees {@link ExperimentView}.
 * State changes go through the methods below, which enforce the life cycle.
 */
@Entity
@Table(name = "experiment")
class Experiment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String name;

    @Enumerated(EnumType.STRING)
    private ExperimentStatus status;

    /** The complete spec as JSON; the typed view is {@link ExperimentSpec}. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    private String spec;

    private String operation;
    private String modelType;
    private int priority;
    private long totalSteps;
    private boolean cancelRequested;
    private Instant createdAt;
    private Instant startedAt;
    private Instant finishedAt;
    private String error;
    private int attempt;
    private String worker;
    private long progressStep;
    private Double stepsPerSecond;
    private String verdict;
    private Long generalizationStep;
    private Long grokkingDelay;

    /** The researcher's labels (V8); at most {@link ExperimentAnnotations#MAX_TAGS}. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    private String[] tags = new String[0];

    private String note;

    /** Why the run ended before its budget ({@code analysis.stopWhenSettled}; written by the job pool). */
    private String stopReason;
    private Long settledAt;
    private Long stepsSaved;

    /** Which queued runs may train with this one as lanes of one batch (V9; {@code BatchKey#canonical}). */
    private String batchKey;

    @Version
    private long version;

    protected Experiment() {
        // for JPA
    }

    static Experiment queued(ExperimentSpec completeSpec, String specJson, Instant now) {
        Experiment e = new Experiment();
        e.name = completeSpec.name();
        e.status = ExperimentStatus.QUEUED;
        e.spec = specJson;
        e.operation = completeSpec.task().operation().name();
        e.modelType = completeSpec.model() instanceof TransformerSettings ? "TRANSFORMER" : "MLP";
        e.priority = completeSpec.priority();
        e.totalSteps = completeSpec.training().steps();
        e.createdAt = now;
        e.batchKey = BatchKey.of(completeSpec.toRunConfig()).map(BatchKey::canonical).orElse(null);
        return e;
    }

    /**
     * Asks the experiment to stop. A queued one is cancelled at once; a running one is flagged and its worker stops
     * it. Returns false when it has already finished otherwise (nothing to cancel).
     */
    boolean requestCancel(Instant now) {
        switch (status) {
            case QUEUED -> {
                status = ExperimentStatus.CANCELLED;
                finishedAt = now;
                return true;
            }
            case RUNNING -> {
                cancelRequested = true;
                return true;
            }
            case CANCELLED -> {
                return true;
            }
            default -> {
                return false;
            }
        }
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

    ExperimentStatus status() {
        return status;
    }

    String specJson() {
        return spec;
    }

    long totalSteps() {
        return totalSteps;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant startedAt() {
        return startedAt;
    }

    Instant finishedAt() {
        return finishedAt;
    }

    String error() {
        return error;
    }

    int attempt() {
        return attempt;
    }

    String worker() {
        return worker;
    }

    long progressStep() {
        return progressStep;
    }

    Double stepsPerSecond() {
        return stepsPerSecond;
    }

    String verdict() {
        return verdict;
    }

    Long generalizationStep() {
        return generalizationStep;
    }

    String stopReason() {
        return stopReason;
    }

    Long settledAt() {
        return settledAt;
    }

    Long stepsSaved() {
        return stepsSaved;
    }

    Long grokkingDelay() {
        return grokkingDelay;
    }
}
