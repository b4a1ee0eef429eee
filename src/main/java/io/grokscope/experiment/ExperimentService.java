package io.grokscope.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.jobs.JobQueue;
import io.grokscope.web.ConflictException;
import io.grokscope.web.ResourceNotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Submitting, reading, cancelling and deleting experiments. Specs arrive validated. */
@Service
public class ExperimentService {

    private final ExperimentRepository repository;
    private final ObjectMapper objectMapper;
    private final JobQueue queue;
    private final ExperimentSpecReader specs;
    private final Clock clock;
    private final ExperimentSearch search;

    ExperimentService(ExperimentRepository repository, ObjectMapper objectMapper, JobQueue queue,
            ExperimentSpecReader specs, ExperimentSearch search) {
        this.repository = repository;
        this.search = search;
        this.objectMapper = objectMapper;
        this.queue = queue;
        this.specs = specs;
        this.clock = Clock.systemUTC();
    }

    /**
     * Stores the complete spec and queues the experiment: the row is the job, inserted in the same transaction that
     * checks the queue's bound, so a refused submission (429) leaves nothing behind.
     */
    @Transactional
    public ExperimentView submit(ExperimentSpec spec) {
        queue.admit(1);
        ExperimentSpec complete = spec.withDefaults();
        Experiment saved = repository.save(Experiment.queued(complete, toJson(complete), clock.instant()));
        return toView(saved);
    }

    /**
     * Queues several experiments at once, all or none: the queue's bound is checked once for all of them, in the
     * caller's transaction when there is one (a sweep stores its own rows in the same transaction). Returns the new
     * ids in the order of {@code specs}. The specs must have been validated like a single submission.
     */
    @Transactional
    public List<Long> submitAll(List<ExperimentSpec> specs) {
        queue.admit(specs.size());
        Instant now = clock.instant();
        return specs.stream().map(spec -> {
            ExperimentSpec complete = spec.withDefaults();
            return repository.save(Experiment.queued(complete, toJson(complete), now)).id();
        }).toList();
    }

    /** Status and headline analysis of each named experiment that exists, by id. */
    @Transactional(readOnly = true)
    public Map<Long, ExperimentSummary> summaries(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return repository.findByIdIn(ids).stream().map(ExperimentService::toSummary)
                .collect(Collectors.toMap(ExperimentSummary::id, Function.identity()));
    }

    /**
     * Cancels every named experiment that has not finished, as {@link #cancel} does one (queued ones at once, running
     * ones once their worker stops); finished ones are left as they are. Returns how many were cancelled or asked to
     * stop.
     */
    @Transactional
    public int cancelAll(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        int cancelled = 0;
        Instant now = clock.instant();
        for (Experiment experiment : repository.findByIdInOrderById(ids)) {
            if (!experiment.status().isTerminal() && experiment.requestCancel(now)) {
                repository.save(experiment);
                cancelled++;
            }
        }
        return cancelled;
    }

    /** Deletes every named experiment with all its data, or none of them (409) while any of them runs. */
    @Transactional
    public void deleteAll(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        List<Experiment> experiments = repository.findByIdInOrderById(ids);
        List<Long> running = experiments.stream().filter(e -> e.status() == ExperimentStatus.RUNNING)
                .map(Experiment::id).toList();
        if (!running.isEmpty()) {
            throw new ConflictException(running.size() + " of the experiments are running (" + abbreviate(running)
                    + "); cancel them first");
        }
        experiments.forEach(repository::delete);
    }

    private static String abbreviate(List<Long> ids) {
        String shown = ids.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", "));
        return ids.size() > 10 ? shown + ", ..." : shown;
    }

    @Transactional(readOnly = true)
    public ExperimentView get(long id) {
        return toView(find(id));
    }

    /** A page of the experiments that pass every filter, newest first. */
    @Transactional(readOnly = true)
    ExperimentPage list(ExperimentSearch.Filters filters, int page, int size) {
        ExperimentSearch.Found found = search.page(filters, page, size);
        Map<Long, Experiment> byId = repository.findByIdIn(found.ids()).stream()
                .collect(Collectors.toMap(Experiment::id, Function.identity()));
        // A run deleted between the two reads is left out of this page rather than shown half.
        List<ExperimentView> items = found.ids().stream().map(byId::get).filter(java.util.Objects::nonNull)
                .map(this::toView).toList();
        return new ExperimentPage(items, page, size, found.total(), (int) ((found.total() + size - 1) / size));
    }

    /** Replaces the tags and/or the note of a run, whatever its status. */
    @Transactional
    public ExperimentView annotate(long id, ExperimentAnnotations annotations) {
        Experiment experiment = findLocked(id);
        experiment.annotate(annotations.normalisedTags(), annotations.note());
        return toView(repository.save(experiment));
    }

    /** Cancels a queued experiment at once, or asks the worker of a running one to stop. */
    @Transactional
    public ExperimentView cancel(long id) {
        Experiment experiment = findLocked(id);
        if (!experiment.requestCancel(clock.instant())) {
            throw new ConflictException("experiment " + id + " has already finished (" + experiment.status() + ")");
        }
        return toView(repository.save(experiment));
    }

    /** Deletes a finished or queued experiment with all its data; a running one must be cancelled first. */
    @Transactional
    public void delete(long id) {
        Experiment experiment = findLocked(id);
        if (experiment.status() == ExperimentStatus.RUNNING) {
            throw new ConflictException("experiment " + id + " is running; cancel it first");
        }
        repository.delete(experiment);
    }

    private Experiment find(long id) {
        return repository.findById(id).orElseThrow(() -> new ResourceNotFoundException("experiment", id));
    }

    private Experiment findLocked(long id) {
        return repository.findLockedById(id).orElseThrow(() -> new ResourceNotFoundException("experiment", id));
    }

    private ExperimentView toView(Experiment e) {
        ExperimentSpec spec;
        try {
            spec = fromJson(e.specJson());
        } catch (IllegalArgumentException unreadable) {
            // One row whose stored spec no longer reads (written by another version, or damaged) must not take the
            // whole list down: it is shown without its spec, and its run fails at once with the reason.
            spec = null;
        }
        Long eta = null;
        if (e.stepsPerSecond() != null && e.stepsPerSecond() > 0 && e.status() == ExperimentStatus.RUNNING) {
            eta = Math.round((e.totalSteps() - e.progressStep()) / e.stepsPerSecond());
        }
        var progress = new ExperimentView.Progress(e.progressStep(), e.totalSteps(), e.stepsPerSecond(), eta);
        return new ExperimentView(e.id(), e.name(), e.status(), spec, progress, e.attempt(), e.worker(),
                e.createdAt(), e.startedAt(), e.finishedAt(), e.error(),
                e.status() == ExperimentStatus.RUNNING ? "RUNNING" : e.verdict(), e.generalizationStep(),
                e.grokkingDelay(), e.tags(), e.note(), e.stopReason(), e.settledAt(), e.stepsSaved());
    }

    private static ExperimentSummary toSummary(Experiment e) {
        return new ExperimentSummary(e.id(), e.status(),
                e.status() == ExperimentStatus.RUNNING ? "RUNNING" : e.verdict(), e.generalizationStep(),
                e.grokkingDelay(), e.progressStep(), e.totalSteps(), e.stepsSaved());
    }

    private String toJson(ExperimentSpec spec) {
        try {
            return objectMapper.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a validated spec must serialise", e);
        }
    }

    private ExperimentSpec fromJson(String json) {
        return specs.read(json);
    }

    Instant now() {
        return clock.instant();
    }
}
