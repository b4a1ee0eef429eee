package io.grokscope.experiment;

import io.grokscope.database.JobStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.jobs.JobQueue;
import io.grokscope.jobs.JobState;
import io.grokscope.training.BatchKey;
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

/**
 * Submitting, reading, cancelling and deleting experiments. Specs arrive validated. An experiment is two rows: the
 * researcher's record ({@link Experiment}, written here through {@link ExperimentRepository}) and its job (written by
 * the job pool, reached through {@link JobQueue}); both are created, cancelled and deleted in one transaction.
 */
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
     * Stores the complete spec and queues the experiment's job, in the same transaction that checks the queue's
     * bound, so a refused submission (429) leaves nothing behind.
     */
    @Transactional
    public ExperimentView submit(ExperimentSpec spec) {
        queue.admit(1);
        ExperimentSpec complete = spec.withDefaults();
        Experiment saved = repository.save(Experiment.submitted(complete, toJson(complete), clock.instant()));
        return toView(saved, enqueue(saved, complete));
    }

    /** The job of a just-saved experiment: claimed in priority order, batched with runs of the same key. */
    private JobState enqueue(Experiment saved, ExperimentSpec complete) {
        String batchKey = BatchKey.of(complete.toRunConfig()).map(BatchKey::canonical).orElse(null);
        return queue.enqueue(saved.id(), complete.priority(), batchKey);
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
            Experiment saved = repository.save(Experiment.submitted(complete, toJson(complete), now));
            enqueue(saved, complete);
            return saved.id();
        }).toList();
    }

    /** Status and headline analysis of each named experiment that exists, by id. */
    @Transactional(readOnly = true)
    public Map<Long, ExperimentSummary> summaries(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<Long, JobState> jobs = queue.states(ids);
        return repository.findByIdIn(ids).stream().filter(e -> jobs.containsKey(e.id()))
                .map(e -> toSummary(e, jobs.get(e.id())))
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
        return queue.cancelAll(ids);
    }

    /** Deletes every named experiment with all its data, or none of them (409) while any of them runs. */
    @Transactional
    public void deleteAll(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        Map<Long, JobStatus> statuses = queue.lockForRemoval(ids);
        List<Long> running = statuses.entrySet().stream().filter(e -> e.getValue() == JobStatus.RUNNING)
                .map(Map.Entry::getKey).sorted().toList();
        if (!running.isEmpty()) {
            throw new ConflictException(running.size() + " of the experiments are running (" + abbreviate(running)
                    + "); cancel them first");
        }
        repository.findByIdInOrderById(ids).forEach(repository::delete);
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
        Map<Long, JobState> jobs = queue.states(found.ids());
        // A run deleted between the reads is left out of this page rather than shown half.
        List<ExperimentView> items = found.ids().stream()
                .filter(id -> byId.containsKey(id) && jobs.containsKey(id))
                .map(id -> toView(byId.get(id), jobs.get(id))).toList();
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
        JobStatus was = queue.cancel(id).orElseThrow(() -> new ResourceNotFoundException("experiment", id));
        if (was == JobStatus.SUCCEEDED || was == JobStatus.FAILED) {
            throw new ConflictException("experiment " + id + " has already finished (" + was + ")");
        }
        return toView(find(id));
    }

    /** Deletes a finished or queued experiment with all its data; a running one must be cancelled first. */
    @Transactional
    public void delete(long id) {
        JobStatus status = queue.lockForRemoval(List.of(id)).get(id);
        if (status == null) {
            throw new ResourceNotFoundException("experiment", id);
        }
        if (status == JobStatus.RUNNING) {
            throw new ConflictException("experiment " + id + " is running; cancel it first");
        }
        repository.delete(findLocked(id));
    }

    private Experiment find(long id) {
        return repository.findById(id).orElseThrow(() -> new ResourceNotFoundException("experiment", id));
    }

    private Experiment findLocked(long id) {
        return repository.findLockedById(id).orElseThrow(() -> new ResourceNotFoundException("experiment", id));
    }

    private ExperimentView toView(Experiment e) {
        JobState job = queue.state(e.id()).orElseThrow(() -> new ResourceNotFoundException("experiment", e.id()));
        return toView(e, job);
    }

    private ExperimentView toView(Experiment e, JobState job) {
        ExperimentSpec spec;
        try {
            spec = fromJson(e.specJson());
        } catch (IllegalArgumentException unreadable) {
            // One row whose stored spec no longer reads (written by another version, or damaged) must not take the
            // whole list down: it is shown without its spec, and its run fails at once with the reason.
            spec = null;
        }
        Long eta = null;
        if (job.stepsPerSecond() != null && job.stepsPerSecond() > 0 && job.status() == JobStatus.RUNNING) {
            eta = Math.round((e.totalSteps() - job.progressStep()) / job.stepsPerSecond());
        }
        var progress = new ExperimentView.Progress(job.progressStep(), e.totalSteps(), job.stepsPerSecond(), eta);
        return new ExperimentView(e.id(), e.name(), job.status(), spec, progress, job.attempt(), job.worker(),
                e.createdAt(), job.startedAt(), job.finishedAt(), job.error(), shownVerdict(job),
                job.generalizationStep(), job.grokkingDelay(), e.tags(), e.note(), job.stopReason(), job.settledAt(),
                job.stepsSaved());
    }

    private static ExperimentSummary toSummary(Experiment e, JobState job) {
        return new ExperimentSummary(e.id(), job.status(), shownVerdict(job), job.generalizationStep(),
                job.grokkingDelay(), job.progressStep(), e.totalSteps(), job.stepsSaved());
    }

    /** RUNNING is what a training run shows, whatever an earlier attempt stored. */
    private static String shownVerdict(JobState job) {
        return job.status() == JobStatus.RUNNING ? JobStatus.RUNNING.name() : job.verdict();
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
