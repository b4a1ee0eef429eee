package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stopping when settled must not change what the analysis says: each run of the labelled corpus is replayed as if it
 * were training (analysed at every evaluation on its data so far, as the service does), stopped at the first step
 * {@link Settlement} allows, and the stopped run's analysis compared with the whole run's: the same verdict,
 * milestones and phases, every boundary within 15 % of the generalization step (the perturbation tests' tolerance).
 */
class SettlementTest {

    static List<AnalysisCorpus.Run> runs() {
        return AnalysisCorpus.RUNS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aRunStoppedWhenSettledKeepsItsVerdictMilestonesAndPhases(AnalysisCorpus.Run run) {
        MetricHistory whole = run.history();
        PhaseAnalyzer analyzer = new PhaseAnalyzer(run.thresholds());
        PhaseAnalysis full = analyzer.analyse(whole, false);

        Optional<Long> stoppedAt = replay(analyzer, whole);

        if (full.verdict() != Verdict.GROKKING && full.verdict() != Verdict.COMPREHENSION) {
            assertThat(stoppedAt).as("a run that never generalizes never settles").isEmpty();
            return;
        }
        if (stoppedAt.isEmpty()) {
            return; // it did not hold still long enough before its budget ended: nothing to compare
        }
        PhaseAnalysis stopped = analyzer.analyse(whole.upTo(stoppedAt.get()), false);
        assertThat(stopped.verdict()).as(stopped.verdictReason()).isEqualTo(full.verdict());
        assertThat(stopped.memorizationStep()).isEqualTo(full.memorizationStep());
        assertThat(stopped.generalizationStep()).isEqualTo(full.generalizationStep());
        assertThat(stopped.phases()).extracting(Phase::name)
                .containsExactlyElementsOf(full.phases().stream().map(Phase::name).toList());
        double tolerance = 0.15 * full.generalizationStep();
        for (int i = 0; i < full.phases().size(); i++) {
            assertClose(stopped.phases().get(i).startStep(), full.phases().get(i).startStep(), tolerance);
            assertClose(stopped.phases().get(i).endStep(), full.phases().get(i).endStep(), tolerance);
        }
    }

    @Test
    void someGrokkingRunsOfTheCorpusStopBeforeTheirBudget() {
        List<String> saved = new ArrayList<>();
        for (AnalysisCorpus.Run run : AnalysisCorpus.RUNS) {
            MetricHistory whole = run.history();
            long[] steps = whole.require(Metric.TEST_ACC).steps();
            long last = steps[steps.length - 1];
            replay(new PhaseAnalyzer(run.thresholds()), whole).ifPresent(step -> saved.add(run.name() + " at "
                    + step + " of " + last));
        }
        System.out.println("Runs of the corpus that settle before their last step: " + saved);
        assertThat(saved).as("runs that stop early").isNotEmpty();
    }

    @Test
    void aCandidateMustHoldStillForTheMarginAndAnyChangeRestartsIt() {
        Settlement watch = new Settlement();
        PhaseAnalysis closed = analysis(Verdict.GROKKING, 1200L, List.of());
        // settled at the end of cleanup (1200); margin max(25 % = 300, the 500-step hold window) = 500
        assertThat(watch.observe(closed, 1300)).isEmpty();
        assertThat(watch.observe(closed, 1699)).isEmpty();
        Settlement.Settled settled = watch.observe(closed, 1800).orElseThrow();
        assertThat(settled.settledAt()).isEqualTo(1200);
        assertThat(settled.reason()).contains("GROKKING").contains("1200");

        Settlement moving = new Settlement();
        assertThat(moving.observe(closed, 1300)).isEmpty();
        // the cleanup end moves by more than 5 % of the generalization step (1000): the margin starts again at 1500
        assertThat(moving.observe(analysis(Verdict.GROKKING, 1400L, List.of()), 1500)).isEmpty();
        assertThat(moving.observe(analysis(Verdict.GROKKING, 1400L, List.of()), 1999)).isEmpty();
        assertThat(moving.observe(analysis(Verdict.GROKKING, 1420L, List.of()), 2000)).isPresent();
    }

    @Test
    void withoutCleanupClosedOrInADipOrWithoutGeneralizingNothingSettles() {
        Settlement watch = new Settlement();
        PhaseAnalysis open = analysis(Verdict.GROKKING, null, List.of());
        PhaseAnalysis dipping = analysis(Verdict.GROKKING, 1200L,
                List.of(new Instability("test", 5000, 0.3, 200, false)));
        PhaseAnalysis memorized = analysis(Verdict.MEMORIZATION, 1200L, List.of());
        for (long step = 1000; step <= 100_000; step += 1000) {
            assertThat(watch.observe(open, step)).isEmpty();
            assertThat(watch.observe(dipping, step)).isEmpty();
            assertThat(watch.observe(memorized, step)).isEmpty();
        }
    }

    /** Memorized at 100, generalized at 1000, cleanup from 800 to {@code cleanupEnd}. */
    private static PhaseAnalysis analysis(Verdict verdict, Long cleanupEnd, List<Instability> dips) {
        boolean generalized = verdict != Verdict.MEMORIZATION;
        return new PhaseAnalysis(null, verdict, "test", List.of(), 100L, generalized ? 1000L : null,
                generalized ? 900L : null, generalized ? 10.0 : null, generalized ? 100L : null,
                generalized ? 0.1 : null, new FirstCrossing(100L, generalized ? 1000L : null), dips,
                PhaseThresholds.DEFAULTS, List.of(new Phase(PhaseName.MEMORIZATION, 0L, 100L, List.of()),
                        new Phase(PhaseName.CLEANUP, 800L, cleanupEnd, List.of())), List.of(), List.of());
    }

    /** The first evaluation step at which the run, analysed on its data so far, may stop; empty if none. */
    private static Optional<Long> replay(PhaseAnalyzer analyzer, MetricHistory whole) {
        long[] steps = whole.require(Metric.TEST_ACC).steps();
        long last = steps[steps.length - 1];
        Settlement watch = new Settlement();
        for (long step : steps) {
            if (step == last) {
                break; // stopping at the end saves nothing
            }
            if (watch.observe(analyzer.analyse(whole.upTo(step), false), step).isPresent()) {
                return Optional.of(step);
            }
        }
        return Optional.empty();
    }

    private static void assertClose(Long actual, Long expected, double tolerance) {
        if (expected == null || actual == null) {
            assertThat(actual).isEqualTo(expected);
        } else {
            assertThat((double) actual).isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
        }
    }
}
