package io.grokscope.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.analysis.Metric;
import io.grokscope.analysis.MetricSeries;
import io.grokscope.analysis.SeedBand;
import io.grokscope.experiment.ExperimentService;
import io.grokscope.experiment.ExperimentSpec;
import io.grokscope.database.JobStatus;
import io.grokscope.database.StoredJson;
import io.grokscope.jobs.JobProperties;
import io.grokscope.metrics.BandView;
import io.grokscope.metrics.MetricQueries;
import io.grokscope.web.ResourceNotFoundException;
import io.grokscope.web.ServiceLimits;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creating, reading, cancelling and deleting sweeps. A sweep's experiments are ordinary experiments (the job pool
 * runs them like any other); this service only remembers which cell and seed each one is.
 */
@Service
public class SweepService {

    private static final TypeReference<List<SweepAxis>> AXES = new TypeReference<>() {
    };
    private static final TypeReference<List<Long>> SEEDS = new TypeReference<>() {
    };

    private final SweepRepository repository;
    private final ExperimentService experiments;
    private final ObjectMapper json;
    private final ObjectMapper stored;
    private final SweepExpansion expansion;
    private final SweepExpansion.SizeLimit limit;
    private final MetricQueries metrics;

    SweepService(SweepRepository repository, ExperimentService experiments, ObjectMapper json, Validator validator,
            ServiceLimits limits, JobProperties jobs, StoredJson storedJson, MetricQueries metrics) {
        this.repository = repository;
        this.metrics = metrics;
        this.experiments = experiments;
        this.json = json;
        this.stored = storedJson.mapper();
        this.expansion = new SweepExpansion(json, validator);
        // A sweep larger than the queue could never be admitted: refuse it as too large rather than as busy.
        this.limit = limits.sweepExperiments() <= jobs.maxQueued()
                ? new SweepExpansion.SizeLimit(limits.sweepExperiments(), "grokscope.limits.sweep-experiments")
                : new SweepExpansion.SizeLimit(jobs.maxQueued(), "grokscope.jobs.max-queued, the queue's size");
    }

    /**
     * Expands and validates the sweep, then stores it and queues all its experiments in one transaction that also
     * holds the queue's admission lock: the sweep is admitted whole, or (429, or 400) nothing is stored.
     */
    @Transactional
    public SweepView create(SweepRequest request) {
        SweepExpansion.Plan plan = expansion.expand(request, limit);
        long id = repository.insert(request.name(), write(request.base()), write(plan.grid().axes()),
                request.seeds() == null ? null : write(plan.seeds()));
        List<Long> ids = experiments.submitAll(plan.experiments().stream().map(SweepExpansion.PlannedExperiment::spec)
                .toList());
        List<SweepRepository.Member> members = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            SweepExpansion.PlannedExperiment planned = plan.experiments().get(i);
            members.add(new SweepRepository.Member(ids.get(i), planned.cell(), planned.seed()));
        }
        repository.insertMembers(id, members);
        return get(id);
    }

    @Transactional(readOnly = true)
    public SweepView get(long id) {
        Loaded sweep = load(id);
        return new SweepView(sweep.stored().id(), sweep.stored().name(), sweep.stored().createdAt(),
                read(sweep.stored().baseJson(), ExperimentSpec.class), sweep.grid().axes(), sweep.seeds(),
                progress(sweep.results()), sweep.results().cells());
    }

    @Transactional(readOnly = true)
    public SweepPage list(String name, int page, int size) {
        List<SweepRepository.StoredSweep> found = repository.page(name, page, size);
        long total = repository.count(name);
        Map<Long, SweepProgress> progress = found.isEmpty() ? Map.of()
                : repository.progress(found.stream().map(SweepRepository.StoredSweep::id).toList());
        List<SweepOverview> items = found.stream().map(s -> new SweepOverview(s.id(), s.name(), s.createdAt(),
                read(s.axesJson(), AXES), s.seedsJson() == null ? null : read(s.seedsJson(), SEEDS),
                progress.getOrDefault(s.id(), SweepProgress.of(Map.of(), 0, 0)))).toList();
        return new SweepPage(items, page, size, total, (int) ((total + size - 1) / size));
    }

    /** Cancels every experiment of the sweep that has not finished (queued ones at once, running ones soon). */
    @Transactional
    public SweepView cancel(long id) {
        experiments.cancelAll(memberIds(id));
        return get(id);
    }

    /** Deletes the sweep and all its experiments with their data; 409 while any of them runs. */
    @Transactional
    public void delete(long id) {
        experiments.deleteAll(memberIds(id));
        repository.delete(id);
    }

    @Transactional(readOnly = true)
    public PhaseDiagram diagram(long id, String x, String y, String value, List<String> where) {
        Loaded sweep = load(id);
        return sweep.results().diagram(id, sweep.stored().name(), x, y, value, where);
    }

    @Transactional(readOnly = true)
    public SweepSeries series(long id, String x, String value, List<String> where) {
        return load(id).results().series(id, x, value, where);
    }

    /** Seed bands of {@code metric} per cell, or per value of {@code x}; {@code points} bounds each band's grid. */
    @Transactional(readOnly = true)
    public SweepBands bands(long id, Metric metric, String x, List<String> where, int points) {
        SweepResults.BandGroups chosen = load(id).results().bandGroups(x, where);
        List<Long> all = chosen.groups().stream().flatMap(g -> g.experimentIds().stream()).distinct().toList();
        Map<Long, MetricSeries> series = all.isEmpty() ? Map.of() : metrics.everyPoint(all, metric);
        List<SweepBands.Group> groups = chosen.groups().stream().map(group -> new SweepBands.Group(group.values(),
                group.experimentIds(), BandView.of(SeedBand.of(group.experimentIds().stream().map(series::get)
                        .filter(java.util.Objects::nonNull).toList(), points)))).toList();
        return new SweepBands(id, metric, x, chosen.fixed(), chosen.pooledAxes(), groups);
    }

    private List<Long> memberIds(long id) {
        if (repository.find(id).isEmpty()) {
            throw new ResourceNotFoundException("sweep", id);
        }
        return repository.members(id).stream().map(SweepRepository.Member::experimentId).toList();
    }

    private record Loaded(SweepRepository.StoredSweep stored, SweepGrid grid, List<Long> seeds,
            SweepResults results) {
    }

    private Loaded load(long id) {
        SweepRepository.StoredSweep stored = repository.find(id)
                .orElseThrow(() -> new ResourceNotFoundException("sweep", id));
        SweepGrid grid = new SweepGrid(read(stored.axesJson(), AXES));
        List<SweepRepository.Member> members = repository.members(id);
        var summaries = experiments.summaries(members.stream().map(SweepRepository.Member::experimentId).toList());
        return new Loaded(stored, grid, stored.seedsJson() == null ? null : read(stored.seedsJson(), SEEDS),
                new SweepResults(grid, members, summaries));
    }

    private static SweepProgress progress(SweepResults results) {
        Map<JobStatus, Integer> byStatus = new HashMap<>();
        long budget = 0;
        long saved = 0;
        for (var run : results.runs()) {
            byStatus.merge(run.summary().status(), 1, Integer::sum);
            budget += run.summary().totalSteps();
            saved += run.summary().stepsSaved() == null ? 0 : run.summary().stepsSaved();
        }
        return SweepProgress.of(byStatus, budget, saved);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a sweep's parts must serialise", e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return stored.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sweep is unreadable", e);
        }
    }

    private <T> T read(String text, TypeReference<T> type) {
        try {
            return stored.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored sweep is unreadable", e);
        }
    }
}
