package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Milestones, delay and verdict of {@link PhaseAnalyzer} on accuracy curves whose answers are known by construction. */
class VerdictTest {

    private static final PhaseAnalyzer ANALYZER = PhaseAnalyzer.withDefaults();

    /** Train and test accuracy only, evaluated every 100 steps up to {@code lastStep}. */
    private static SyntheticRun accuracies(long lastStep, double[] train, double[] test) {
        return SyntheticRun.evaluatedEvery(100, lastStep).linearCurve(Metric.TRAIN_ACC, train)
                .linearCurve(Metric.TEST_ACC, test);
    }

    private static double[] knots(double... stepValuePairs) {
        return stepValuePairs;
    }

    @Test
    void sharpTestJumpLongAfterTrainFitsIsGrokking() {
        PhaseAnalysis analysis = ANALYZER.analyse(SyntheticRun.nandaLike().build(), false);

        // train: 0.6 at 100, 1.0 from 200; test: 0.9167 at 10900, 1.0 at 11000 (linear from 0.5 at 10400)
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.memorizationStep()).isEqualTo(SyntheticRun.MEMORIZATION_STEP).isEqualTo(200);
        assertThat(analysis.generalizationStep()).isEqualTo(SyntheticRun.GENERALIZATION_STEP).isEqualTo(11_000);
        assertThat(analysis.grokkingDelay()).isEqualTo(10_800);
        assertThat(analysis.delayRatio()).isEqualTo(55.0);
        assertThat(analysis.firstCrossing()).isEqualTo(new FirstCrossing(200L, 11_000L));
        assertThat(analysis.thresholds()).isEqualTo(PhaseThresholds.DEFAULTS);
        assertThat(analysis.experimentId()).isNull();
    }

    @Test
    void trainAndTestRisingTogetherIsComprehension() {
        // train reaches 1.0 at 600 (0.9835 at 500), test at 900 (0.989 at 800): a 300-step delay
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(3000, knots(0, 0.01, 600, 1.0),
                knots(0, 0.01, 900, 1.0)).build(), false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(analysis.memorizationStep()).isEqualTo(600);
        assertThat(analysis.generalizationStep()).isEqualTo(900);
        assertThat(analysis.grokkingDelay()).isEqualTo(300);
        assertThat(analysis.delayRatio()).isEqualTo(1.5);
    }

    @Test
    void trainFitsAndTestNeverDoesIsMemorization() {
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(20_000, knots(0, 0.01, 200, 1.0),
                knots(0, 0.01, 20_000, 0.4)).build(), false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.MEMORIZATION);
        assertThat(analysis.memorizationStep()).isEqualTo(200);
        assertThat(analysis.generalizationStep()).isNull();
        assertThat(analysis.grokkingDelay()).isNull();
        assertThat(analysis.delayRatio()).isNull();
        assertThat(analysis.firstCrossing().generalization()).isNull();
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note)
                .contains("generalizationStep is null").contains("never reached 0.99").contains("20000"));
    }

    @Test
    void trainNeverFitsIsConfusion() {
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(10_000, knots(0, 0.01, 10_000, 0.6),
                knots(0, 0.01, 10_000, 0.05)).build(), false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.CONFUSION);
        assertThat(analysis.memorizationStep()).isNull();
        assertThat(analysis.generalizationStep()).isNull();
        assertThat(analysis.grokkingDelay()).isNull();
        assertThat(analysis.firstCrossing()).isEqualTo(new FirstCrossing(null, null));
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("memorizationStep is null"));
    }

    @Test
    void aRunningExperimentIsRunningWithProvisionalFields() {
        MetricHistory history = SyntheticRun.nandaLike().build();

        PhaseAnalysis early = ANALYZER.analyse(history.upTo(6000), true);
        PhaseAnalysis late = ANALYZER.analyse(history.upTo(12_000), true);

        assertThat(early.verdict()).isEqualTo(Verdict.RUNNING);
        assertThat(early.memorizationStep()).isEqualTo(200);
        assertThat(early.generalizationStep()).isNull();
        assertThat(early.notes()).anySatisfy(note -> assertThat(note).contains("provisional"));
        // both milestones are in, but the run is not over: still RUNNING, with the provisional values filled in
        assertThat(late.verdict()).isEqualTo(Verdict.RUNNING);
        assertThat(late.generalizationStep()).isEqualTo(11_000);
        assertThat(late.grokkingDelay()).isEqualTo(10_800);
    }

    @Test
    void aStoppedRunIsJudgedOnTheDataItHas() {
        PhaseAnalysis cancelled = ANALYZER.analyse(SyntheticRun.nandaLike().build().upTo(6000), false);

        assertThat(cancelled.verdict()).isEqualTo(Verdict.MEMORIZATION);
    }

    @Test
    void aDipAfterTheMilestoneIsReportedAsAnInstabilityAndMovesNothing() {
        MetricHistory history = accuracies(5000, knots(0, 0.01, 200, 1.0), knots(0, 0.01, 3000, 0.01, 3400, 1.0))
                .override(Metric.TRAIN_ACC, 700, 0.95)
                .override(Metric.TRAIN_ACC, 800, 0.985)
                .override(Metric.TEST_ACC, 4000, 0.5)
                .override(Metric.TEST_ACC, 4100, 0.6)
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.firstCrossing()).isEqualTo(new FirstCrossing(200L, 3400L));
        assertThat(analysis.memorizationStep()).isEqualTo(200);
        assertThat(analysis.generalizationStep()).isEqualTo(3400);
        assertThat(analysis.grokkingDelay()).isEqualTo(3200);
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.instabilities()).extracting(Instability::accuracy, Instability::step,
                Instability::duration).containsExactly(org.assertj.core.groups.Tuple.tuple("train", 700L, 100L),
                        org.assertj.core.groups.Tuple.tuple("test", 4000L, 200L));
    }

    @Test
    void aPlateauOfOneMemorizationStepIsGrokkingAndAShorterOneComprehension() {
        // train accuracy holds from 200; test accuracy jumps from 0 to 1 within one evaluation after T
        MetricHistory longer = accuracies(5000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 400, 0.0, 500, 1.0))
                .build();
        MetricHistory shorter = accuracies(5000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 300, 0.0, 400, 1.0))
                .build();

        PhaseAnalysis grokked = ANALYZER.analyse(longer, false);
        PhaseAnalysis comprehended = ANALYZER.analyse(shorter, false);

        assertThat(grokked.verdict()).as(grokked.verdictReason()).isEqualTo(Verdict.GROKKING);
        assertThat(grokked.transitionWidth()).isEqualTo(80);
        assertThat(comprehended.verdict()).as(comprehended.verdictReason()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(comprehended.verdictReason()).contains("plateau");
    }

    @Test
    void theVerdictIsTheSameOnAnyStepAxis() {
        for (long scale : new long[] {1, 10, 1000}) {
            MetricHistory history = accuracies(5000 * scale, knots(0, 0.0, 200 * scale, 1.0),
                    knots(0, 0.0, 3000 * scale, 0.0, 3300 * scale, 1.0)).build();
            PhaseAnalysis analysis = new PhaseAnalyzer(PhaseThresholds.DEFAULTS).analyse(history, false);
            assertThat(analysis.verdict()).as("steps x" + scale).isEqualTo(Verdict.GROKKING);
            assertThat(analysis.transitionShare()).isLessThan(0.2);
        }
    }

    @Test
    void aSlowDriftOfTestAccuracyIsNotGrokking() {
        // train fits by 200; test accuracy rises linearly over 25k steps
        MetricHistory drift = accuracies(30_000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 1000, 0.0, 26_000, 1.0))
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(drift, false);

        assertThat(analysis.transitionShare()).isGreaterThan(PhaseThresholds.DEFAULTS.maxTransitionShare());
        assertThat(analysis.verdict()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(analysis.verdictReason()).contains("gradual drift");
    }

    @Test
    void aFinalTestAccuracySlightlyBelowTheThresholdKeepsTheVerdict() {
        MetricHistory history = SyntheticRun.nandaLike().override(Metric.TEST_ACC, 20_000, 0.985).build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.generalizationStep()).isEqualTo(SyntheticRun.GENERALIZATION_STEP);
    }

    @Test
    void accuracyExactlyAtCustomThresholdsCounts() {
        PhaseAnalyzer liu = new PhaseAnalyzer(new PhaseThresholds(0.9, 0.95, 500));
        MetricHistory history = MetricHistory.of(
                MetricSeries.of(Metric.TRAIN_ACC, new long[] {0, 100, 200, 300}, new double[] {0.1, 0.9, 0.9, 0.9}),
                MetricSeries.of(Metric.TEST_ACC, new long[] {0, 100, 200, 300},
                        new double[] {0.1, 0.2, 0.95, Math.nextUp(0.95)}));

        PhaseAnalysis analysis = liu.analyse(history, false);

        assertThat(analysis.memorizationStep()).isEqualTo(100);
        assertThat(analysis.generalizationStep()).isEqualTo(200);
        assertThat(analysis.verdict()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(analysis.thresholds()).isEqualTo(new PhaseThresholds(0.9, 0.95, 500));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void seededNoiseSmallerThanTheJumpsLeavesTheAnswersExact(long seed) {
        // ±0.004 noise cannot lift the last point before either jump (0.6 and 0.9167) to 0.99, nor drop 1.0 below it
        MetricHistory noisy = SyntheticRun.nandaLike().noise(seed, 0.05, 0.004).build();

        PhaseAnalysis analysis = ANALYZER.analyse(noisy, false);

        assertThat(noisy.require(Metric.TEST_ACC)).isNotEqualTo(SyntheticRun.nandaLike().build()
                .require(Metric.TEST_ACC));
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.memorizationStep()).isEqualTo(200);
        assertThat(analysis.generalizationStep()).isEqualTo(11_000);
    }

    @Test
    void noiseAroundTheThresholdWithinTheToleranceDoesNotDelayTheMilestone() {
        // a plateau at 0.99 ± 0.004: below 0.99 now and then, never below 0.98
        MetricHistory noisy = accuracies(3000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 1000, 0.995, 3000, 0.995))
                .noise(11, 0, 0.002).build();

        PhaseAnalysis analysis = ANALYZER.analyse(noisy, false);

        assertThat(analysis.generalizationStep()).isEqualTo(analysis.firstCrossing().generalization());
        assertThat(analysis.instabilities()).isEmpty();
    }

    @Test
    void nanAndMissingEvaluationsDoNotMoveTheMilestones() {
        MetricHistory history = SyntheticRun.nandaLike()
                .override(Metric.TEST_ACC, 15_000, Double.NaN)
                .override(Metric.TEST_ACC, 20_000, Double.NaN)
                .override(Metric.TRAIN_ACC, 100, Double.NaN)
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.memorizationStep()).isEqualTo(200);
        assertThat(analysis.generalizationStep()).isEqualTo(11_000);
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("test_acc").contains("2 ")
                .contains("not finite"));
    }

    @Test
    void unevenlySpacedEvaluationsUseTheRecordedSteps() {
        MetricHistory history = MetricHistory.of(
                MetricSeries.of(Metric.TRAIN_ACC, new long[] {0, 10, 250, 3900, 4000}, new double[] {0, 0.5, 1, 1, 1}),
                MetricSeries.of(Metric.TEST_ACC, new long[] {0, 10, 250, 3900, 4000},
                        new double[] {0, 0.01, 0.02, 0.03, 1}));

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.memorizationStep()).isEqualTo(250);
        assertThat(analysis.generalizationStep()).isEqualTo(4000);
        assertThat(analysis.grokkingDelay()).isEqualTo(3750);
        assertThat(analysis.delayRatio()).isEqualTo(16.0);
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
    }

    @Test
    void anEmptyHistoryIsAnalysedWithReasons() {
        PhaseAnalysis analysis = ANALYZER.analyse(MetricHistory.of(), false);

        assertThat(analysis.verdict()).isEqualTo(Verdict.CONFUSION);
        assertThat(analysis.memorizationStep()).isNull();
        assertThat(analysis.phases()).isEmpty();
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("train_acc was not recorded"))
                .anySatisfy(note -> assertThat(note).contains("test_acc was not recorded"));
    }

    @Test
    void aVeryShortHistoryHasMilestonesButNoPhases() {
        PhaseAnalysis analysis = ANALYZER.analyse(SyntheticRun.nandaLike().build().upTo(300), true);

        assertThat(analysis.verdict()).isEqualTo(Verdict.RUNNING);
        assertThat(analysis.memorizationStep()).isEqualTo(200);
        assertThat(analysis.phases()).isEmpty();
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("train_loss"));
    }

    @Test
    void trainAccurateFromStepZeroHasNoRatio() {
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(3000, knots(0, 1.0), knots(0, 0.0, 1900, 0.0, 2000, 1.0))
                .build(), false);

        assertThat(analysis.memorizationStep()).isZero();
        assertThat(analysis.grokkingDelay()).isEqualTo(2000);
        assertThat(analysis.delayRatio()).isNull();
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("delayRatio is undefined"));
    }

    @Test
    void testBeforeTrainIsComprehensionWithANote() {
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(3000, knots(0, 0.0, 2000, 1.0),
                knots(0, 0.0, 500, 1.0)).build(), false);

        assertThat(analysis.grokkingDelay()).isEqualTo(-1500);
        assertThat(analysis.verdict()).isEqualTo(Verdict.COMPREHENSION);
        assertThat(analysis.notes()).anySatisfy(note -> assertThat(note).contains("before train accuracy"));
    }

    @Test
    void keyFrequenciesAreSortedAndAbsenceReasonsBecomeNotes() {
        PhaseAnalysis analysis = ANALYZER.analyse(SyntheticRun.nandaLike().build(), false, List.of(52, 14, 41),
                Map.of(Metric.EXCLUDED_LOSS, "needs ADD or SUBTRACT"));
        PhaseAnalysis none = ANALYZER.analyse(SyntheticRun.nandaLike().build(), false);

        assertThat(analysis.keyFrequencies()).containsExactly(14, 41, 52);
        assertThat(analysis.notes()).contains("excluded_loss is not available: needs ADD or SUBTRACT");
        assertThat(none.keyFrequencies()).isEmpty();
        assertThat(none.notes()).anySatisfy(note -> assertThat(note).contains("no key frequencies"));
    }
}
