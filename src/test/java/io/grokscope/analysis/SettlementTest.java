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
 * {@link Settlement} allows, and the stopped run's analysis compared with the whole run's.
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
        long[] steps = whole.require(Metric.TEST_ACC).steps();

        Optional<Long> stoppedAt = replay(analyzer, whole, steps);

        if (full.verdict() != Verdict.GROKKING && full.verdict() != Verdict.COMPREHENSION) {
            assertThat(stoppedAt).as("a run that never generalizes never settles").isEmpty();
            return;
        }
        if (stoppedAt.isEmpty()) {
            return; // settled too late in its budget to stop: nothing to compare
        }
        PhaseAnalysis stopped = analyzer.analyse(whole.upTo(stoppedAt.get()), false);
        assertThat(stopped.verdict()).as(stopped.verdictReason()).isEqualTo(full.verdict());
        assertThat(stopped.memorizationStep()).isEqualTo(full.memorizationStep());
        assertThat(stopped.generalizationStep()).isEqualTo(full.generalizationStep());
        assertThat(stopped.phases()).extracting(Phase::name)
                .containsExactlyElementsOf(full.phases().stream().map(Phase::name).toList());
        // the boundaries within 15 % of the generalization step, the perturbation tests' tolerance
        double tolerance = 0.15 * full.generalizationStep();
        for (int i = 0; i < full.phases().size(); i++) {
            assertClose(stopped.phases().get(i).startStep(), full.phases().get(i).startStep(), tolerance);
            assertClose(stopped.phases().get(i).endStep(), full.phases().get(i).endStep(), tolerance);
        }
    }

    @Test
    void theGrokkingRunsOfTheCorpusStopWellBeforeTheirBudget() {
        List<String> saved = new ArrayList<>();
        for (AnalysisCorpus.Run run : AnalysisCorpus.RUNS) {
            MetricHistory whole = run.history();
            PhaseAnalyzer analyzer = new PhaseAnalyzer(run.thresholds());
            long[] steps = whole.require(Metric.TEST_ACC).steps();
            replay(analyzer, whole, steps).ifPresent(step -> saved.add(run.name()));
        }
        // The Grokfast-filtered runs and the MLP that generalizes at once settle early in their budgets (the stored
        // Nanda runs end too soon after cleanup to leave a margin); the set found is printed on failure.
        assertThat(saved).as("runs that stop early").contains("grokfast-ema", "grokfast-ma", "mlp-p47-f09-wd1");
    }

    @Test
    void withoutCleanupClosedOrInADipNothingSettles() {
        PhaseAnalysis open = new PhaseAnalysis(null, Verdict.GROKKING, "test", List.of(), 100L, 1000L, 900L, 10.0,
                100L, 0.1, new FirstCrossing(100L, 1000L), List.of(), PhaseThresholds.DEFAULTS,
                List.of(new Phase(PhaseName.MEMORIZATION, 0L, 100L, List.of()),
                        new Phase(PhaseName.CLEANUP, 800L, null, List.of())), List.of(), List.of());
        assertThat(Settlement.of(open, 100_000)).isEmpty();

        PhaseAnalysis closed = new PhaseAnalysis(null, Verdict.GROKKING, "test", List.of(), 100L, 1000L, 900L, 10.0,
                100L, 0.1, new FirstCrossing(100L, 1000L), List.of(), PhaseThresholds.DEFAULTS,
                List.of(new Phase(PhaseName.MEMORIZATION, 0L, 100L, List.of()),
                        new Phase(PhaseName.CLEANUP, 800L, 1200L, List.of())), List.of(), List.of());
        // settled at the end of cleanup (1200), a margin of max(25 %, the 500-step hold window) = 500
        assertThat(Settlement.of(closed, 1699)).isEmpty();
        Settlement settled = Settlement.of(closed, 1700).orElseThrow();
        assertThat(settled.settledAt()).isEqualTo(1200);
        assertThat(settled.stopAt()).isEqualTo(1700);
        assertThat(settled.reason()).contains("GROKKING").contains("1200");

        PhaseAnalysis dipping = new PhaseAnalysis(null, Verdict.GROKKING, "test", List.of(), 100L, 1000L, 900L,
                10.0, 100L, 0.1, new FirstCrossing(100L, 1000L),
                List.of(new Instability("test", 5000, 0.3, 200, false)), PhaseThresholds.DEFAULTS,
                closed.phases(), List.of(), List.of());
        assertThat(Settlement.of(dipping, 100_000)).isEmpty();

        PhaseAnalysis memorized = new PhaseAnalysis(null, Verdict.MEMORIZATION, "test", List.of(), 100L, null, null,
                null, null, null, new FirstCrossing(100L, null), List.of(), PhaseThresholds.DEFAULTS,
                List.of(new Phase(PhaseName.MEMORIZATION, 0L, 100L, List.of())), List.of(), List.of());
        assertThat(Settlement.of(memorized, 1_000_000)).isEmpty();
    }

    /** The first evaluation step at which the run, analysed on its data so far, may stop; empty if none. */
    private static Optional<Long> replay(PhaseAnalyzer analyzer, MetricHistory whole, long[] steps) {
        long last = steps[steps.length - 1];
        for (long step : steps) {
            if (step == last) {
                break; // stopping at the end saves nothing
            }
            Optional<Settlement> settlement = Settlement.of(analyzer.analyse(whole.upTo(step), false), step);
            if (settlement.isPresent()) {
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
