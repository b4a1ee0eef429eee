package io.grokscope.analysis;

import static io.grokscope.analysis.SyntheticRun.CLEANUP_END;
import static io.grokscope.analysis.SyntheticRun.CLEANUP_START;
import static io.grokscope.analysis.SyntheticRun.MEMORIZATION_END;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grokscope.task.Operation;
import io.grokscope.task.TaskSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Phase location on synthetic runs whose change points are known: {@link SyntheticRun#nandaLike()} and variants of
 * it. Boundaries must land within a stated tolerance of the true change points, from the progress measures rather
 * than accuracy, and every evidence item must be a recorded point of its measure.
 */
class PhaseLocatorTest {

    /** One eval interval: the knots of a clean piecewise-log-linear curve are eval steps, so hinge fits hit them. */
    private static final long CLEAN_TOLERANCE = 100;
    /** A few eval intervals, for seeded noise of 0.05 decades (±12 %) on every loss and norm. */
    private static final long NOISY_TOLERANCE = 300;

    private static final PhaseAnalyzer ANALYZER = PhaseAnalyzer.withDefaults();

    private static LocatedPhases locate(MetricHistory history) {
        return PhaseLocator.locate(history);
    }

    private static List<PhaseName> names(LocatedPhases result) {
        return result.phases().stream().map(Phase::name).toList();
    }

    private static Phase phase(LocatedPhases result, PhaseName name) {
        return result.phases().stream().filter(phase -> phase.name() == name).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + result));
    }

    /** Three contiguous phases with boundaries near 1400 / 9400 / 14000. */
    private static void assertNandaBoundaries(LocatedPhases result, long tolerance) {
        assertThat(names(result)).containsExactly(PhaseName.MEMORIZATION, PhaseName.CIRCUIT_FORMATION,
                PhaseName.CLEANUP);
        Phase memorization = phase(result, PhaseName.MEMORIZATION);
        Phase circuit = phase(result, PhaseName.CIRCUIT_FORMATION);
        Phase cleanup = phase(result, PhaseName.CLEANUP);
        assertThat(memorization.startStep()).isZero();
        assertThat(memorization.endStep()).isCloseTo(MEMORIZATION_END, within(tolerance));
        assertThat(circuit.startStep()).isEqualTo(memorization.endStep());
        assertThat(circuit.endStep()).isCloseTo(CLEANUP_START, within(tolerance));
        assertThat(cleanup.startStep()).isEqualTo(circuit.endStep());
        assertThat(cleanup.endStep()).isCloseTo(CLEANUP_END, within(tolerance));
    }

    /** Each evidence item's step is a recorded step of its measure and its value the value recorded there. */
    private static void assertEvidenceIsRecorded(MetricHistory history, List<Phase> phases) {
        for (Phase phase : phases) {
            for (Evidence evidence : phase.evidence()) {
                MetricSeries series = history.require(evidence.measure());
                int index = Arrays.binarySearch(series.steps(), evidence.step());
                assertThat(index).as("%s: step %d is recorded for %s", phase.name(), evidence.step(),
                        evidence.measure().wireName()).isNotNegative();
                assertThat(evidence.value()).as("%s: %s", phase.name(), evidence).isEqualTo(series.value(index))
                        .isFinite();
            }
        }
    }

    private static List<Evidence> evidenceOf(Phase phase, Metric measure) {
        return phase.evidence().stream().filter(evidence -> evidence.measure() == measure).toList();
    }

    private static List<Long> boundaries(LocatedPhases result) {
        return result.phases().stream().flatMap(phase -> Stream.of(phase.startStep(), phase.endStep())).toList();
    }

    @Test
    void locatesTheThreePhasesAtTheSyntheticChangePoints() {
        MetricHistory history = SyntheticRun.nandaLike().build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, CLEAN_TOLERANCE);
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void evidenceRestsOnTheMeasuresThatDefineEachPhase() {
        MetricHistory history = SyntheticRun.nandaLike().build();

        LocatedPhases result = locate(history);

        Phase memorization = phase(result, PhaseName.MEMORIZATION);
        assertThat(evidenceOf(memorization, Metric.TRAIN_LOSS)).anySatisfy(evidence -> {
            assertThat(evidence.finding()).contains("stops falling");
            assertThat(evidence.step()).isCloseTo(MEMORIZATION_END, within(CLEAN_TOLERANCE));
        });
        assertThat(evidenceOf(memorization, Metric.EXCLUDED_LOSS)).singleElement().satisfies(evidence ->
                assertThat(evidence.step()).isCloseTo(MEMORIZATION_END, within(CLEAN_TOLERANCE)));

        Phase circuit = phase(result, PhaseName.CIRCUIT_FORMATION);
        assertThat(evidenceOf(circuit, Metric.EXCLUDED_LOSS)).singleElement()
                .satisfies(evidence -> assertThat(evidence.finding()).contains("rises"));
        assertThat(evidenceOf(circuit, Metric.RESTRICTED_LOSS)).singleElement()
                .satisfies(evidence -> assertThat(evidence.finding()).contains("falls"));
        assertThat(evidenceOf(circuit, Metric.WEIGHT_NORM)).singleElement()
                .satisfies(evidence -> assertThat(evidence.finding()).contains("falls"));
        assertThat(evidenceOf(circuit, Metric.TEST_LOSS)).singleElement()
                .satisfies(evidence -> assertThat(evidence.finding()).contains("stays high"));

        Phase cleanup = phase(result, PhaseName.CLEANUP);
        assertThat(evidenceOf(cleanup, Metric.TEST_LOSS)).isNotEmpty();
        assertThat(evidenceOf(cleanup, Metric.WEIGHT_NORM)).anySatisfy(evidence -> {
            assertThat(evidence.finding()).contains("falls fastest");
            assertThat(evidence.step()).isBetween(CLEANUP_START, CLEANUP_END);
        });
        // the weight norm's sharp fall and the Gini jump say where cleanup ends (Nanda et al. §5.2)
        assertThat(evidenceOf(cleanup, Metric.WEIGHT_NORM)).anySatisfy(evidence -> {
            assertThat(evidence.finding()).contains("stops falling fast");
            assertThat(evidence.step()).isCloseTo(CLEANUP_END, within(CLEAN_TOLERANCE));
        });
        assertThat(evidenceOf(cleanup, Metric.FOURIER_GINI_UNEMBED)).anySatisfy(evidence ->
                assertThat(evidence.finding()).contains("jumps"));
        assertThat(evidenceOf(cleanup, Metric.FOURIER_GINI_EMBED)).anySatisfy(evidence ->
                assertThat(evidence.finding()).contains("jumps"));
    }

    @Test
    void theWeightNormIsCalledFastestInCleanupOnlyWhenItIs() {
        // here the weight norm falls faster during circuit formation (0.2 decades in 1000 steps) than in cleanup
        MetricHistory history = SyntheticRun.nandaLike()
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 1400, 31.6, 3000, 31.6, 4000, 20, 9400, 19, 14_000, 15.8)
                .build();

        Phase cleanup = phase(locate(history), PhaseName.CLEANUP);

        assertThat(evidenceOf(cleanup, Metric.WEIGHT_NORM)).singleElement().satisfies(evidence -> assertThat(
                evidence.finding()).doesNotContain("falls fastest").contains("less than its fastest fall"));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void seededNoiseKeepsTheBoundariesWithinAFewEvalIntervals(long seed) {
        MetricHistory history = SyntheticRun.nandaLike().noise(seed, 0.05, 0.003).build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, NOISY_TOLERANCE);
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void circuitFormationIsSeenInTheProgressMeasuresWhileAccuracyIsFlat() {
        // the run so far: accuracy has not moved since step 200, but excluded loss rises, restricted loss and
        // weight norm fall; the same accuracy and losses with progress measures that stay put show no circuit
        MetricHistory forming = SyntheticRun.nandaLike().build().upTo(8000);
        MetricHistory idle = SyntheticRun.nandaLike()
                .logCurve(Metric.EXCLUDED_LOSS, 0, 4.73, 100, 0.16, 1400, 1.6e-3, 20_000, 1.6e-3)
                .logCurve(Metric.RESTRICTED_LOSS, 0, 5, 20_000, 5.6)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 1400, 31.6, 20_000, 31.6)
                .build().upTo(8000);
        assertThat(idle.require(Metric.TRAIN_ACC)).isEqualTo(forming.require(Metric.TRAIN_ACC));
        assertThat(idle.require(Metric.TEST_ACC)).isEqualTo(forming.require(Metric.TEST_ACC));
        MetricSeries testAccuracy = forming.require(Metric.TEST_ACC);
        assertThat(testAccuracy.value(testAccuracy.size() - 1) - testAccuracy.value(14)).isLessThan(0.01);

        LocatedPhases whileForming = locate(forming);
        LocatedPhases whileIdle = locate(idle);

        assertThat(names(whileForming)).containsExactly(PhaseName.MEMORIZATION, PhaseName.CIRCUIT_FORMATION);
        Phase circuit = phase(whileForming, PhaseName.CIRCUIT_FORMATION);
        assertThat(circuit.startStep()).isCloseTo(MEMORIZATION_END, within(CLEAN_TOLERANCE));
        assertThat(circuit.endStep()).isNull();
        // the weight norm's 2 % fall so far is too weak to count without a cleanup after it
        assertThat(circuit.evidence()).extracting(Evidence::measure)
                .contains(Metric.EXCLUDED_LOSS, Metric.RESTRICTED_LOSS);
        assertThat(whileForming.notes()).anySatisfy(note -> assertThat(note).contains("under way"));
        assertEvidenceIsRecorded(forming, whileForming.phases());

        assertThat(names(whileIdle)).containsExactly(PhaseName.MEMORIZATION);
        assertThat(whileIdle.notes()).anySatisfy(note -> assertThat(note).contains("no sign of circuit formation"));
    }

    @Test
    void memorizationEndsWhereTrainLossStopsFallingNotWhereAccuracySaturates() {
        // without excluded loss only train loss can say when memorization ends: it falls fast to step 100, then
        // more slowly until 1400; train accuracy is ≥ 0.99 from step 200
        MetricHistory history = SyntheticRun.nandaLike().without(Metric.EXCLUDED_LOSS).build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, CLEAN_TOLERANCE);
        assertThat(ANALYZER.analyse(history, false).memorizationStep()).isEqualTo(200);
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void excludedLossMeasuredOnlyOnceAKeySetExistsLeavesTheEndToTrainLoss() {
        // restricted and excluded loss need key frequencies, which appear during circuit formation
        MetricHistory history = SyntheticRun.nandaLike().startingAt(Metric.EXCLUDED_LOSS, 2000)
                .startingAt(Metric.RESTRICTED_LOSS, 2000).build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, CLEAN_TOLERANCE);
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("rests on train loss"));
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void memorizationEndsWhenTheLaterOfTrainAndExcludedLossStopsFalling() {
        MetricHistory history = SyntheticRun.nandaLike()
                .logCurve(Metric.EXCLUDED_LOSS, 0, 4.73, 100, 0.16, 2400, 1e-3, 9400, 8, 14_000, 10, 20_000, 10)
                .build();

        LocatedPhases result = locate(history);

        Phase memorization = phase(result, PhaseName.MEMORIZATION);
        assertThat(memorization.endStep()).isCloseTo(2400L, within(CLEAN_TOLERANCE));
        assertThat(evidenceOf(memorization, Metric.EXCLUDED_LOSS)).singleElement()
                .satisfies(evidence -> assertThat(evidence.step()).isCloseTo(2400L, within(CLEAN_TOLERANCE)));
        assertThat(phase(result, PhaseName.CIRCUIT_FORMATION).startStep()).isEqualTo(memorization.endStep());
    }

    @Test
    void withoutFourierMeasuresTheAnalysisDegradesGracefully() {
        // S5: no Fourier basis, so no Gini, key fraction, restricted or excluded loss
        Map<Metric, String> reasons = ProgressMeasures.unavailable(TaskSpec.of(Operation.S5_COMPOSE, 0, 0.3, 0));
        SyntheticRun run = SyntheticRun.nandaLike();
        reasons.keySet().forEach(run::without);
        MetricHistory history = run.build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false, List.of(), reasons);

        assertThat(reasons).containsKeys(Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS, Metric.FOURIER_GINI_EMBED,
                Metric.FOURIER_GINI_UNEMBED);
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.keyFrequencies()).isEmpty();
        assertNandaBoundaries(new LocatedPhases(analysis.phases(), analysis.notes()), CLEAN_TOLERANCE);
        assertThat(analysis.phases()).flatExtracting(Phase::evidence).extracting(Evidence::measure)
                .doesNotContainAnyElementsOf(reasons.keySet());
        assertThat(analysis.phase(PhaseName.CIRCUIT_FORMATION).orElseThrow().evidence())
                .extracting(Evidence::measure).contains(Metric.WEIGHT_NORM);
        for (Map.Entry<Metric, String> reason : reasons.entrySet()) {
            assertThat(analysis.notes()).anySatisfy(note -> assertThat(note)
                    .contains(reason.getKey().wireName()).contains(reason.getValue()));
        }
        for (Metric unused : List.of(Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS, Metric.FOURIER_GINI_EMBED,
                Metric.FOURIER_GINI_UNEMBED)) {
            assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains(unused.wireName())
                    .contains("not recorded"));
        }
        assertEvidenceIsRecorded(history, analysis.phases());
    }

    @Test
    void withoutTestLossCleanupIsTheWeightNormsFastestFall() {
        MetricHistory history = SyntheticRun.nandaLike().without(Metric.TEST_LOSS).build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, CLEAN_TOLERANCE);
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("weight norm"));
        assertEvidenceIsRecorded(history, result.phases());
    }

    /** Spikes away from the change points, including the last point; the first point is the initialisation. */
    static Stream<Arguments> singleSpikes() {
        return Stream.of(
                spike(Metric.TRAIN_LOSS, 5000, 1000), spike(Metric.TRAIN_LOSS, 800, 1e-3),
                spike(Metric.TRAIN_LOSS, 12_000, 1e3), spike(Metric.TEST_LOSS, 6000, 1e-3),
                spike(Metric.TEST_LOSS, 9800, 1e-4), spike(Metric.TEST_LOSS, 17_000, 1e3),
                spike(Metric.TEST_LOSS, 20_000, 1e-3), spike(Metric.EXCLUDED_LOSS, 1000, 1e-3),
                spike(Metric.EXCLUDED_LOSS, 5000, 1e3), spike(Metric.RESTRICTED_LOSS, 4000, 1e-3),
                spike(Metric.WEIGHT_NORM, 12_000, 0.3), spike(Metric.WEIGHT_NORM, 20_000, 0.1),
                spike(Metric.FOURIER_GINI_UNEMBED, 10_000, 3));
    }

    private static Arguments spike(Metric metric, long step, double factor) {
        return Arguments.of(metric, step, factor);
    }

    @ParameterizedTest(name = "{0} × {2} at step {1}")
    @MethodSource("singleSpikes")
    void aSingleSpikeDoesNotMoveABoundary(Metric metric, long step, double factor) {
        SyntheticRun clean = SyntheticRun.nandaLike();
        MetricHistory spiked = SyntheticRun.nandaLike()
                .override(metric, step, factor * clean.cleanValue(metric, step)).build();

        LocatedPhases result = locate(spiked);

        assertThat(boundaries(result)).isEqualTo(boundaries(locate(clean.build())));
        assertEvidenceIsRecorded(spiked, result.phases());
    }

    @ParameterizedTest(name = "{0} × {2} at step {1}")
    @MethodSource("spikesOnChangePoints")
    void aSpikeOnAChangePointMovesItsBoundaryByAtMostOneEval(Metric metric, long step, double factor) {
        // the spike replaces the very point the boundary sits on, so that point's information is gone
        SyntheticRun clean = SyntheticRun.nandaLike();
        MetricHistory spiked = SyntheticRun.nandaLike()
                .override(metric, step, factor * clean.cleanValue(metric, step)).build();

        List<Long> found = boundaries(locate(spiked));
        List<Long> expected = boundaries(locate(clean.build()));

        assertThat(found).hasSameSizeAs(expected);
        for (int i = 0; i < found.size(); i++) {
            assertThat(found.get(i)).isCloseTo(expected.get(i), within(CLEAN_TOLERANCE));
        }
    }

    static Stream<Arguments> spikesOnChangePoints() {
        return Stream.of(spike(Metric.TRAIN_LOSS, MEMORIZATION_END, 100), spike(Metric.EXCLUDED_LOSS,
                MEMORIZATION_END, 1e3), spike(Metric.TEST_LOSS, CLEANUP_START, 1e-3), spike(Metric.TEST_LOSS,
                CLEANUP_END, 1e3));
    }

    @Test
    void aSpikeAtTheLatestPointOfARunningRunIsNotACleanup() {
        MetricHistory history = SyntheticRun.nandaLike().override(Metric.TEST_LOSS, 6000, 1e-3).build().upTo(6000);

        LocatedPhases result = locate(history);

        assertThat(names(result)).containsExactly(PhaseName.MEMORIZATION, PhaseName.CIRCUIT_FORMATION);
        assertThat(phase(result, PhaseName.CIRCUIT_FORMATION).endStep()).isNull();
    }

    /** Train and test loss fall together for 800–900 steps, then flatten: comprehension. */
    private static SyntheticRun comprehension() {
        return SyntheticRun.evaluatedEvery(100, 5000)
                .logCurve(Metric.TRAIN_LOSS, 0, 4.7, 800, 1e-3, 5000, 8e-4)
                .logCurve(Metric.TEST_LOSS, 0, 4.7, 900, 2e-3, 5000, 1.5e-3)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 5000, 29)
                .linearCurve(Metric.TRAIN_ACC, 0, 0.01, 600, 1.0)
                .linearCurve(Metric.TEST_ACC, 0, 0.01, 700, 1.0);
    }

    @Test
    void whileTrainAndTestLossStillFallTogetherThereIsNoCircuitFormation() {
        LocatedPhases result = locate(comprehension().build().upTo(700));

        assertThat(names(result)).containsExactly(PhaseName.MEMORIZATION);
        assertThat(phase(result, PhaseName.MEMORIZATION).endStep()).isNull();
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("generalization came with fitting"));
    }

    @Test
    void trainAndTestLossFallingTogetherHaveOnlyAMemorizationPhase() {
        MetricHistory history = comprehension().build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION);
        // train and test loss fall together past the fit: the accuracy milestone ends memorization
        assertThat(analysis.phases().get(0).endStep()).isEqualTo(analysis.memorizationStep());
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("generalization came with fitting"));
        assertEvidenceIsRecorded(history, analysis.phases());
    }

    @Test
    void memorizationWithoutGeneralizationHasNoCleanup() {
        MetricHistory history = SyntheticRun.nandaLike()
                .logCurve(Metric.TEST_LOSS, 0, 4.73, 1400, 20, 20_000, 25)
                .logCurve(Metric.EXCLUDED_LOSS, 0, 4.73, 100, 0.16, 1400, 1.6e-3, 20_000, 1.7e-3)
                .logCurve(Metric.RESTRICTED_LOSS, 0, 5, 20_000, 5.5)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 1400, 31.6, 20_000, 31.7)
                .linearCurve(Metric.FOURIER_GINI_UNEMBED, 0, 0.1, 20_000, 0.12)
                .logCurve(Metric.TRAIN_LOSS, 0, 4.73, 100, 0.1, 1400, 1e-3, 20_000, 8e-4)
                .linearCurve(Metric.TEST_ACC, 0, 0.01, 20_000, 0.02)
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.MEMORIZATION);
        assertThat(analysis.phases()).extracting(Phase::name).containsExactly(PhaseName.MEMORIZATION);
        assertThat(analysis.phases().get(0).endStep()).isCloseTo(MEMORIZATION_END, within(CLEAN_TOLERANCE));
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("no sign of circuit formation"));
    }

    @Test
    void trainLossThatNeverFallsHasNoPhases() {
        MetricHistory history = SyntheticRun.evaluatedEvery(100, 5000)
                .logCurve(Metric.TRAIN_LOSS, 0, 4.7, 5000, 4.5)
                .logCurve(Metric.TEST_LOSS, 0, 4.7, 5000, 4.8)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 5000, 30.5)
                .linearCurve(Metric.TRAIN_ACC, 0, 0.01, 5000, 0.05)
                .linearCurve(Metric.TEST_ACC, 0, 0.01, 5000, 0.01)
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.CONFUSION);
        assertThat(analysis.phases()).isEmpty();
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("did not memorise"));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 300, 600})
    void historiesTooShortForCurvesHaveNoPhases(long upTo) {
        MetricHistory history = SyntheticRun.nandaLike().build().upTo(upTo);

        LocatedPhases result = locate(history);

        assertThat(result.phases()).isEmpty();
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("train_loss"));
    }

    @Test
    void nanPointsAreSkippedAndEvidenceStaysOnFinitePoints() {
        SyntheticRun run = SyntheticRun.nandaLike();
        for (long step : new long[] {1400, 5000, 9400, 14_000}) {
            run.override(Metric.EXCLUDED_LOSS, step, Double.NaN).override(Metric.WEIGHT_NORM, step, Double.NaN)
                    .override(Metric.RESTRICTED_LOSS, step, Double.NaN)
                    .override(Metric.FOURIER_GINI_UNEMBED, step, Double.NaN);
        }
        run.override(Metric.TRAIN_LOSS, 3000, Double.NaN).override(Metric.TEST_LOSS, 12_000, Double.NaN)
                .override(Metric.TEST_LOSS, 20_000, Double.POSITIVE_INFINITY);
        MetricHistory history = run.build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, CLEAN_TOLERANCE);
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void aRunStillInCleanupHasNoCleanupEnd() {
        LocatedPhases result = locate(SyntheticRun.nandaLike().build().upTo(11_000));

        Phase cleanup = phase(result, PhaseName.CLEANUP);
        assertThat(cleanup.startStep()).isCloseTo(CLEANUP_START, within(CLEAN_TOLERANCE));
        assertThat(cleanup.endStep()).isNull();
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("cleanup has no end yet"));
    }

    @Test
    void aRunStillFittingItsTrainingSetHasNoMemorizationEnd() {
        // at step 1000 train loss is still falling at a fifth of its initial rate: memorization is under way
        MetricHistory history = SyntheticRun.nandaLike().build().upTo(1000);

        LocatedPhases result = locate(history);

        assertThat(names(result)).containsExactly(PhaseName.MEMORIZATION);
        assertThat(phase(result, PhaseName.MEMORIZATION).endStep()).isNull();
        assertThat(result.notes()).anySatisfy(note -> assertThat(note).contains("end of memorization"));
    }

    @Test
    void longRunsEvaluatedEveryStepAreBinnedAndStillLocated() {
        // 20k eval points: binned to at most 1000 for the curves, while evidence still quotes recorded points
        MetricHistory history = SyntheticRun.evaluatedEvery(1, 20_000)
                .logCurve(Metric.TRAIN_LOSS, 0, 4.73, 100, 0.1, 1400, 1e-3, 9400, 6e-4, 14_000, 3e-7, 20_000, 1.5e-7)
                .logCurve(Metric.TEST_LOSS, 0, 4.73, 1400, 20, 9400, 22, 14_000, 3e-6, 20_000, 1e-6)
                .logCurve(Metric.WEIGHT_NORM, 0, 30, 1400, 31.6, 9400, 26.3, 14_000, 15.8, 20_000, 15.1)
                .build();

        LocatedPhases result = locate(history);

        assertNandaBoundaries(result, 2 * CLEAN_TOLERANCE);
        assertEvidenceIsRecorded(history, result.phases());
    }

    @Test
    void everyLocatedBoundaryIsOrderedAndInsideTheData() {
        for (MetricHistory history : List.of(SyntheticRun.nandaLike().build(),
                SyntheticRun.nandaLike().noise(9, 0.1, 0).build(), SyntheticRun.nandaLike().build().upTo(12_000))) {
            List<Long> known = boundaries(locate(history)).stream().filter(java.util.Objects::nonNull).toList();
            assertThat(known).isSorted().allSatisfy(step -> assertThat(step).isBetween(0L, 20_000L));
        }
    }
}
