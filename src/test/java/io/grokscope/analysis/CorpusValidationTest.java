package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analysis on the labelled corpus of real runs (see {@link AnalysisCorpus}) and under perturbations that must not
 * change what a run did. The numbers asserted are the ones docs/analysis-validation.md reports.
 */
class CorpusValidationTest {

    static List<AnalysisCorpus.Run> runs() {
        return AnalysisCorpus.RUNS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void eachRunGetsItsExpectedVerdictAndMilestonesThatMatchIt(AnalysisCorpus.Run run) {
        PhaseAnalysis analysis = CorpusReport.analyse(run, run.history());

        assertThat(analysis.verdict()).as(analysis.verdictReason()).isEqualTo(run.expected());
        switch (run.expected()) {
            case CONFUSION -> {
                assertThat(analysis.memorizationStep()).isNull();
                assertThat(analysis.phases()).isEmpty();
            }
            case MEMORIZATION -> {
                assertThat(analysis.memorizationStep()).isNotNull();
                assertThat(analysis.generalizationStep()).isNull();
                assertThat(analysis.phases()).extracting(Phase::name).doesNotContain(PhaseName.CLEANUP);
            }
            case COMPREHENSION -> {
                assertThat(analysis.generalizationStep()).isNotNull();
                assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION);
            }
            case GROKKING -> {
                assertThat(analysis.generalizationStep()).isGreaterThan(2 * analysis.memorizationStep());
                assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION,
                        PhaseName.CIRCUIT_FORMATION, PhaseName.CLEANUP);
                // cleanup is where test accuracy generalizes
                Phase cleanup = analysis.phase(PhaseName.CLEANUP).orElseThrow();
                assertThat(cleanup.startStep()).isLessThanOrEqualTo(analysis.generalizationStep());
            }
            default -> throw new AssertionError(run.expected());
        }
    }

    @Test
    void nandasMilestonesAndPhasesAreThePapers() {
        PhaseAnalysis nanda = CorpusReport.analyse(AnalysisCorpus.RUNS.get(0), AnalysisCorpus.RUNS.get(0).history());

        assertThat(nanda.memorizationStep()).isEqualTo(200);
        assertThat(nanda.generalizationStep()).isEqualTo(9000);
        // Nanda et al. §5.2: memorization ends ~1.4k; cleanup begins shortly before test accuracy jumps
        assertThat(nanda.phase(PhaseName.MEMORIZATION).orElseThrow().endStep()).isBetween(1200L, 1600L);
        assertThat(nanda.phase(PhaseName.CLEANUP).orElseThrow().startStep()).isBetween(7500L, 9000L);
    }

    /**
     * Every perturbation keeps the verdict, but for one documented case (a 3 000-step MLP run evaluated every 100
     * steps: its 200-step plateau shrinks to under one memorization step at that cadence); phase boundaries stay
     * within 15 % of the generalization step in at least 93 % of the perturbed runs (the rest are listed in
     * docs/analysis-validation.md: memorization ends of runs that never generalize, whose train loss keeps falling
     * slowly, and the short MLP runs at 0.1 decades of noise).
     */
    @Test
    void perturbationsKeepTheVerdictAndTheBoundaries() {
        List<CorpusReport.Outcome> judged = CorpusReport.outcomes().stream().filter(CorpusReport.Outcome::judged)
                .toList();
        List<String> flipped = judged.stream().filter(o -> !o.verdictKept())
                .map(o -> o.run() + " / " + o.perturbation()).toList();
        assertThat(flipped).isSubsetOf("mlp-p47-f07-wd1 / eval every 100");
        long stable = judged.stream().filter(CorpusReport.Outcome::boundariesKept).count();
        Map<String, Long> unstableByRun = judged.stream().filter(o -> !o.boundariesKept())
                .collect(Collectors.groupingBy(CorpusReport.Outcome::run, Collectors.counting()));
        assertThat((double) stable / judged.size()).as("unstable: " + unstableByRun).isGreaterThanOrEqualTo(0.93);
        // the runs that grok on the paper's setup keep every boundary under every perturbation
        assertThat(unstableByRun).doesNotContainKeys("nanda", "nanda-seed1");
    }

    @Test
    void withoutTheProgressMeasuresThePhasesAreWeakerAndTheNotesSaySo() {
        AnalysisCorpus.Run nanda = AnalysisCorpus.RUNS.get(0);
        MetricHistory full = nanda.history();
        java.util.Map<Metric, MetricSeries> kept = new java.util.EnumMap<>(full.series());
        for (Metric measure : List.of(Metric.EXCLUDED_LOSS, Metric.RESTRICTED_LOSS, Metric.FOURIER_GINI_EMBED,
                Metric.FOURIER_GINI_UNEMBED, Metric.WEIGHT_NORM)) {
            kept.remove(measure);
        }
        PhaseAnalysis with = CorpusReport.analyse(nanda, full);
        PhaseAnalysis without = CorpusReport.analyse(nanda, new MetricHistory(kept));

        assertThat(without.verdict()).isEqualTo(with.verdict());
        assertThat(without.phases()).isNotEqualTo(with.phases());
        Phase circuitWith = with.phase(PhaseName.CIRCUIT_FORMATION).orElseThrow();
        Phase circuitWithout = without.phase(PhaseName.CIRCUIT_FORMATION).orElseThrow();
        // this run measured excluded loss only from step 8 500 (once a key set existed): the weight norm's fall is
        // the progress-measure evidence of its circuit formation
        assertThat(circuitWith.evidence()).extracting(Evidence::measure).contains(Metric.WEIGHT_NORM);
        assertThat(circuitWithout.evidence()).extracting(Evidence::measure).doesNotContain(Metric.EXCLUDED_LOSS,
                Metric.RESTRICTED_LOSS, Metric.WEIGHT_NORM);
        assertThat(with.phase(PhaseName.CLEANUP).orElseThrow().evidence()).extracting(Evidence::measure)
                .contains(Metric.FOURIER_GINI_UNEMBED);
        assertThat(without.notes()).anySatisfy(n -> assertThat(n).contains("excluded_loss was not recorded"));
        assertThat(without.notes()).anySatisfy(n -> assertThat(n).contains("weight_norm was not recorded"));
    }
}
