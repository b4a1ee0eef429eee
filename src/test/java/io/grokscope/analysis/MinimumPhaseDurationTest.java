package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Short phases are merged into a neighbour: first on hand-made phase lists (the merge rule itself), then on synthetic
 * runs whose change points are known (a sliver of circuit formation the data cannot resolve is merged; a normal run
 * keeps the phases the locator found).
 */
class MinimumPhaseDurationTest {

    private static final Evidence MEMORIZED = new Evidence(Metric.TRAIN_LOSS, 1400, 1e-3, "train loss flattens");
    private static final Evidence FORMING = new Evidence(Metric.EXCLUDED_LOSS, 1500, 1.0, "excluded loss rises");
    private static final Evidence CLEANING = new Evidence(Metric.TEST_LOSS, 1600, 1.0, "test loss falls fast");

    /** The default share, no floor: 2 % of the span. */
    private static final PhaseThresholds DEFAULTS = PhaseThresholds.DEFAULTS;

    private static PhaseThresholds minimum(double share, long steps) {
        PhaseThresholds d = PhaseThresholds.DEFAULTS;
        return new PhaseThresholds(d.memorization(), d.generalization(), d.grokkingMinDelay(),
                d.grokkingMinDelayRatio(), d.holdSteps(), d.tolerance(), d.maxTransitionShare(), share, steps);
    }

    private static List<Phase> threePhases(Long memorizationEnd, Long cleanupStart, Long cleanupEnd) {
        return List.of(new Phase(PhaseName.MEMORIZATION, 0L, memorizationEnd, List.of(MEMORIZED)),
                new Phase(PhaseName.CIRCUIT_FORMATION, memorizationEnd, cleanupStart, List.of(FORMING)),
                new Phase(PhaseName.CLEANUP, cleanupStart, cleanupEnd, List.of(CLEANING)));
    }

    @Test
    void theDefaultMinimumIsTheSmoothingWindowTwoPercentOfTheSpan() {
        assertThat(PhaseThresholds.DEFAULT_MIN_PHASE_SHARE).isEqualTo(0.02);
        assertThat(DEFAULTS.minPhaseDuration(20_000)).isEqualTo(400);
        assertThat(minimum(0.02, 1000).minPhaseDuration(20_000)).as("the absolute floor when larger").isEqualTo(1000);
    }

    @Test
    void aSliverBetweenTwoPhasesGoesToTheLongerNeighbourWithANote() {
        LocatedPhases merged = MinimumPhaseDuration.merge(threePhases(1400L, 1700L, 6000L), 20_000, DEFAULTS);

        assertThat(merged.phases()).containsExactly(new Phase(PhaseName.MEMORIZATION, 0L, 1400L, List.of(MEMORIZED)),
                new Phase(PhaseName.CLEANUP, 1400L, 6000L, List.of(CLEANING)));
        assertThat(merged.notes()).singleElement().asString().contains("circuit formation (steps 1400–1700) lasted "
                + "300 steps, less than the minimum phase duration of 400 steps").contains("merged into cleanup");
    }

    @Test
    void anOpenNeighbourCountsAsTheLonger() {
        // cleanup is still under way: its length is unknown, at least what the data show
        LocatedPhases merged = MinimumPhaseDuration.merge(threePhases(1400L, 1700L, null), 20_000, DEFAULTS);

        assertThat(merged.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION,
                PhaseName.CLEANUP);
        assertThat(merged.phases().get(1).startStep()).isEqualTo(1400);
        assertThat(merged.phases().get(1).endStep()).isNull();
    }

    @Test
    void aShortFirstPhaseGoesToTheNextOne() {
        LocatedPhases merged = MinimumPhaseDuration.merge(threePhases(300L, 9000L, 14_000L), 20_000, DEFAULTS);

        assertThat(merged.phases()).containsExactly(
                new Phase(PhaseName.CIRCUIT_FORMATION, 0L, 9000L, List.of(FORMING)),
                new Phase(PhaseName.CLEANUP, 9000L, 14_000L, List.of(CLEANING)));
        assertThat(merged.notes()).singleElement().asString().contains("memorization (steps 0–300)")
                .contains("merged into circuit formation");
    }

    @Test
    void phasesAtLeastTheMinimumAndPhasesWithoutADurationStay() {
        List<Phase> normal = threePhases(1400L, 9400L, 14_000L);
        assertThat(MinimumPhaseDuration.merge(normal, 20_000, DEFAULTS).phases()).isEqualTo(normal);
        assertThat(MinimumPhaseDuration.merge(normal, 20_000, DEFAULTS).notes()).isEmpty();

        // circuit formation without a located start has no duration, however close its end
        List<Phase> unknownStart = List.of(new Phase(PhaseName.MEMORIZATION, 0L, null, List.of(MEMORIZED)),
                new Phase(PhaseName.CIRCUIT_FORMATION, null, 100L, List.of(FORMING)));
        assertThat(MinimumPhaseDuration.merge(unknownStart, 20_000, DEFAULTS).phases()).isEqualTo(unknownStart);

        // a lone phase has no neighbour to go to, whatever its length
        List<Phase> alone = List.of(new Phase(PhaseName.MEMORIZATION, 0L, 50L, List.of(MEMORIZED)));
        assertThat(MinimumPhaseDuration.merge(alone, 20_000, DEFAULTS).phases()).isEqualTo(alone);
    }

    @Test
    void theAbsoluteFloorMergesWhatTheShareKeepsAndNoMinimumMergesNothing() {
        List<Phase> phases = threePhases(1400L, 2400L, 14_000L);
        assertThat(MinimumPhaseDuration.merge(phases, 20_000, DEFAULTS).phases()).hasSize(3);
        assertThat(MinimumPhaseDuration.merge(phases, 20_000, minimum(0.02, 1200)).phases())
                .extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION, PhaseName.CLEANUP);
        List<Phase> sliver = threePhases(1400L, 1401L, 14_000L);
        assertThat(MinimumPhaseDuration.merge(sliver, 20_000, minimum(0, 0)).phases()).isEqualTo(sliver);
    }

    @Test
    void mergingRepeatsShortestFirstUntilNoShortPhaseIsLeft() {
        // two slivers: circuit formation (100 steps) goes first, into the longer cleanup; then memorization (300)
        // is still short and goes into the merged cleanup
        LocatedPhases merged = MinimumPhaseDuration.merge(threePhases(300L, 400L, 14_000L), 20_000, DEFAULTS);

        assertThat(merged.phases()).containsExactly(new Phase(PhaseName.CLEANUP, 0L, 14_000L, List.of(CLEANING)));
        assertThat(merged.notes()).hasSize(2);
        assertThat(merged.notes().get(0)).startsWith("circuit formation");
        assertThat(merged.notes().get(1)).startsWith("memorization");
    }

    @Test
    void thresholdsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> minimum(1, 0)).hasMessageContaining("minPhaseShare");
        assertThatThrownBy(() -> minimum(-0.1, 0)).hasMessageContaining("minPhaseShare");
        assertThatThrownBy(() -> minimum(Double.NaN, 0)).hasMessageContaining("minPhaseShare");
        assertThatThrownBy(() -> minimum(0.02, -1)).hasMessageContaining("minPhaseSteps");
    }

    @Test
    void aSliverOfCircuitFormationInARunIsMergedAndTheNotesSaySo() {
        // Nanda-like curves with circuit formation squeezed to 300 steps of a 20 000-step run (1.5 %, less than the
        // 2 % default): memorization ends at 1400, cleanup begins at 1700
        MetricHistory history = SyntheticRun.nandaLikeWithCleanupFrom(1700).build();
        PhaseAnalysis unmerged = new PhaseAnalyzer(minimum(0, 0)).analyse(history, false);
        PhaseAnalysis analysis = PhaseAnalyzer.withDefaults().analyse(history, false);

        // without a minimum the locator's sliver is reported: circuit formation between the two change points
        assertThat(unmerged.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(unmerged.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION,
                PhaseName.CIRCUIT_FORMATION, PhaseName.CLEANUP);
        Phase sliver = unmerged.phase(PhaseName.CIRCUIT_FORMATION).orElseThrow();
        assertThat(sliver.startStep()).isCloseTo(1400L, within(100L));
        assertThat(sliver.endStep()).isCloseTo(1700L, within(100L));
        assertThat(sliver.endStep() - sliver.startStep()).isLessThan(400);

        // with the default 2 % of the 20 000-step span (400 steps) it goes to the longer neighbour, cleanup
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION,
                PhaseName.CLEANUP);
        assertThat(analysis.phase(PhaseName.MEMORIZATION)).contains(unmerged.phase(PhaseName.MEMORIZATION)
                .orElseThrow());
        Phase cleanup = analysis.phase(PhaseName.CLEANUP).orElseThrow();
        assertThat(cleanup.startStep()).isEqualTo(sliver.startStep());
        assertThat(cleanup.endStep()).isEqualTo(unmerged.phase(PhaseName.CLEANUP).orElseThrow().endStep());
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).startsWith("circuit formation (steps "
                + sliver.startStep() + "–" + sliver.endStep() + ")").contains("merged into cleanup"));
        assertThat(unmerged.notes()).noneMatch(note -> note.contains("minimum phase duration"));
    }

    @Test
    void aNormalRunKeepsEveryPhaseTheLocatorFound() {
        MetricHistory history = SyntheticRun.nandaLike().build();
        PhaseAnalysis analysis = PhaseAnalyzer.withDefaults().analyse(history, false);

        assertThat(analysis.phases()).isEqualTo(PhaseLocator.locate(history, analysis.verdict(),
                analysis.memorizationStep()).phases());
        assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION,
                PhaseName.CIRCUIT_FORMATION, PhaseName.CLEANUP);
        assertThat(analysis.notes()).noneMatch(note -> note.contains("minimum phase duration"));
    }
}
