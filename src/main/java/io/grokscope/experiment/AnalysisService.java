package io.grokscope.experiment;

import io.grokscope.database.JobStatus;
import io.grokscope.analysis.Metric;
import io.grokscope.analysis.MetricHistory;
import io.grokscope.analysis.PhaseAnalysis;
import io.grokscope.analysis.PhaseAnalyzer;
import io.grokscope.analysis.PhaseThresholds;
import io.grokscope.analysis.ProgressMeasures;
import io.grokscope.jobs.JobQueue;
import io.grokscope.jobs.RunFinished;
import io.grokscope.jobs.RunHeadline;
import io.grokscope.jobs.RunSummarizer;
import io.grokscope.metrics.MetricQueries;
import io.grokscope.metrics.SpectrumStore;
import io.grokscope.training.RunConfig;
import io.grokscope.web.ResourceNotFoundException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The phase-transition analysis of a stored run: its series read back from the metrics store, the thresholds from
 * its spec, the key frequencies from its latest spectrum, then {@link PhaseAnalyzer}. Computed on every request (a
 * pure function of stored data, so a running run's analysis is always current); when a run finishes its headline
 * numbers are also written onto its job row (by the job pool, see {@link RunSummarizer}), for listing without
 * re-analysing.
 */
@Service
public class AnalysisService implements RunSummarizer {

    private static final Logger log = LoggerFactory.getLogger(AnalysisService.class);

    /** The series the analyzer reads. */
    private static final EnumSet<Metric> ANALYSED = EnumSet.of(Metric.TRAIN_ACC, Metric.TEST_ACC, Metric.TRAIN_LOSS,
            Metric.TEST_LOSS, Metric.WEIGHT_NORM, Metric.EXCLUDED_LOSS, Metric.RESTRICTED_LOSS,
            Metric.FOURIER_GINI_EMBED, Metric.FOURIER_GINI_UNEMBED);

    private final JdbcTemplate jdbc;
    private final ExperimentSpecReader specs;
    private final MetricQueries metrics;
    private final SpectrumStore spectra;
    private final JobQueue jobs;

    AnalysisService(JdbcTemplate jdbc, ExperimentSpecReader specs, MetricQueries metrics, SpectrumStore spectra,
            JobQueue jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.specs = specs;
        this.metrics = metrics;
        this.spectra = spectra;
    }

    /** Analyses kept for repeated polls; a run's entry is replaced when its data changes. */
    private static final int CACHED_RUNS = 256;

    private final Map<Long, Cached> cache = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
                    return size() > CACHED_RUNS;
                }
            });

    /**
     * The analysis of the experiment's data so far. Cached per (run, state): the state token names the attempt, the
     * status and the last stored step of every analysed series (one index probe each), so a poll between two
     * evaluations is answered without reading the run's history (up to a million rows) again, and any new point, a
     * new attempt or a status change recomputes it.
     */
    public PhaseAnalysis analyse(long experimentId) {
        String state = metrics.stateToken(experimentId, ANALYSED);
        if (state == null) {
            throw new ResourceNotFoundException("experiment", experimentId);
        }
        Cached cached = cache.get(experimentId);
        if (cached != null && cached.state().equals(state)) {
            return cached.analysis();
        }
        PhaseAnalysis analysis = compute(experimentId, null);
        cache.put(experimentId, new Cached(state, analysis));
        return analysis;
    }

    private record Cached(String state, PhaseAnalysis analysis) {
    }

    /** The analysis, taking the run's status to be {@code status} (null: as stored). */
    private PhaseAnalysis compute(long experimentId, JobStatus status) {
        List<StoredRun> runs = jdbc.query("select j.status, e.spec::text from experiment e"
                + " join job j on j.experiment_id = e.id where e.id = ?",
                (rs, i) -> new StoredRun(status != null ? status : JobStatus.of(rs.getString(1)),
                        rs.getString(2)), experimentId);
        if (runs.isEmpty()) {
            throw new ResourceNotFoundException("experiment", experimentId);
        }
        StoredRun run = runs.get(0);
        ExperimentSpec spec;
        RunConfig config;
        try {
            spec = specs.read(run.specJson());
            config = spec.toRunConfig();
        } catch (RuntimeException unreadable) {
            // A stored spec this version cannot read (or an incomplete one) is a state of that row, not a server fault.
            throw new io.grokscope.web.ConflictException("experiment " + experimentId
                    + " has a stored spec this service cannot read, so it cannot be analysed");
        }
        PhaseThresholds thresholds = spec.analysis().thresholds();
        MetricHistory history = metrics.history(experimentId, ANALYSED);
        List<Integer> keys = spectra.find(experimentId, null)
                .map(s -> Arrays.stream(s.keyFrequencies()).boxed().toList()).orElse(List.of());
        Map<Metric, String> absent = ProgressMeasures.unavailable(config.task());
        if (absent.isEmpty() && config.progressMeasuresEvery() == 0) {
            absent = Map.of(Metric.EXCLUDED_LOSS, "analysis.progressMeasuresEvery is 0 (never measured)",
                    Metric.RESTRICTED_LOSS, "analysis.progressMeasuresEvery is 0 (never measured)");
        }
        boolean running = run.status() == JobStatus.QUEUED || run.status() == JobStatus.RUNNING;
        PhaseAnalysis analysis = new PhaseAnalyzer(thresholds).analyse(history, running, keys, absent)
                .withExperimentId(experimentId);
        if (run.status() == JobStatus.CANCELLED || run.status() == JobStatus.FAILED) {
            analysis = analysis.withNotes(List.of("the run ended " + run.status()
                    + " and is analysed on the data it recorded"));
        }
        return analysis;
    }

    /** The headline the job pool writes with a run's final status (see {@link RunSummarizer}). */
    @Override
    public RunHeadline summarise(long experimentId, JobStatus finalStatus) {
        PhaseAnalysis analysis = compute(experimentId, finalStatus);
        return new RunHeadline(analysis.verdict().name(), analysis.generalizationStep(), analysis.grokkingDelay());
    }

    @Override
    public boolean stopsWhenSettled(String specJson) {
        return Boolean.TRUE.equals(specs.read(specJson).withDefaults().analysis().stopWhenSettled());
    }

    /** As the finished run's analysis will be: analysed as SUCCEEDED on the data stored so far. */
    @Override
    public java.util.Optional<SoFar> analyseSoFar(long experimentId, long seenStep) {
        // The last step first, one index probe: nothing new since the caller's last look costs no analysis; and the
        // analysis then covers at least the data up to it (more, if a batch lands between), so the margin
        // Settlement measures in steps is never overstated.
        Long last = jdbc.queryForObject("select max(step) from metric_point where experiment_id = ? and metric = ?",
                Long.class, experimentId, Metric.TEST_ACC.wireName());
        if (last == null || last <= seenStep) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new SoFar(compute(experimentId, JobStatus.SUCCEEDED), last));
    }

    /**
     * Reconciles a finished run whose headline is missing (its summary failed when it finished, or it finished
     * before headlines were written with the status): fills it in, only where it is still missing.
     */
    @EventListener
    public void onRunFinished(RunFinished finished) {
        fillMissingHeadline(finished.experimentId());
    }

    /** At start-up: every finished run without a headline, e.g. one that ended under an older version. */
    @EventListener(ApplicationReadyEvent.class)
    public void reconcileHeadlines() {
        List<Long> missing = jobs.finishedWithoutHeadline(1000);
        missing.forEach(this::fillMissingHeadline);
        if (!missing.isEmpty()) {
            log.info("Reconciled the analysis headline of {} finished run(s)", missing.size());
        }
    }

    private void fillMissingHeadline(long experimentId) {
        try {
            PhaseAnalysis analysis = analyse(experimentId);
            jobs.fillMissingHeadline(experimentId, new RunHeadline(analysis.verdict().name(),
                    analysis.generalizationStep(), analysis.grokkingDelay()));
        } catch (RuntimeException e) {
            // The run's data is stored either way; its analysis stays available on request.
            log.warn("Could not summarise the analysis of experiment {}: {}", experimentId, e.toString());
        }
    }

    private record StoredRun(JobStatus status, String specJson) {
    }
}
