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
    void aDipBelowTheThresholdMovesTheStepToWhereItStaysButNotTheFirstCrossing() {
        MetricHistory history = accuracies(5000, knots(0, 0.01, 200, 1.0), knots(0, 0.01, 3000, 0.01, 3400, 1.0))
                .override(Metric.TRAIN_ACC, 700, 0.95)
                .override(Metric.TRAIN_ACC, 800, 0.985)
                .override(Metric.TEST_ACC, 4000, 0.989)
                .build();

        PhaseAnalysis analysis = ANALYZER.analyse(history, false);

        assertThat(analysis.firstCrossing()).isEqualTo(new FirstCrossing(200L, 3400L));
        assertThat(analysis.memorizationStep()).isEqualTo(900);
        assertThat(analysis.generalizationStep()).isEqualTo(4100);
        assertThat(analysis.grokkingDelay()).isEqualTo(3200);
        assertThat(analysis.verdict()).isEqualTo(Verdict.GROKKING);
    }

    @Test
    void aDelayOfExactlyTheMinimumIsGrokkingAndOneEvalLessIsComprehension() {
        MetricHistory exactly = accuracies(5000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 1000, 0.0, 1200, 1.0))
                .build();
        MetricHistory shorter = accuracies(5000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 1000, 0.0, 1100, 1.0))
                .build();

        PhaseAnalysis atMinimum = ANALYZER.analyse(exactly, false);
        PhaseAnalysis belowMinimum = ANALYZER.analyse(shorter, false);

        assertThat(atMinimum.grokkingDelay()).isEqualTo(PhaseThresholds.DEFAULTS.grokkingMinDelay());
        assertThat(atMinimum.verdict()).isEqualTo(Verdict.GROKKING);
        assertThat(belowMinimum.grokkingDelay()).isEqualTo(900);
        assertThat(belowMinimum.verdict()).isEqualTo(Verdict.COMPREHENSION);
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
    void noiseThatDipsBelowTheThresholdLateDelaysTheStaysStep() {
        // a plateau at 0.99 ± 0.02 keeps dipping: the stays-rule step is after the last dip, however early it crossed
        MetricHistory noisy = accuracies(3000, knots(0, 0.0, 200, 1.0), knots(0, 0.0, 1000, 0.99, 3000, 0.99))
                .noise(11, 0, 0.02).override(Metric.TEST_ACC, 2900, 1.0).override(Metric.TEST_ACC, 3000, 1.0)
                .build();
        MetricSeries test = noisy.require(Metric.TEST_ACC);
        long lastDip = -1;
        for (int i = 0; i < test.size(); i++) {
            if (test.value(i) < 0.99) {
                lastDip = test.step(i);
            }
        }

        PhaseAnalysis analysis = ANALYZER.analyse(noisy, false);

        assertThat(lastDip).as("the noise must dip below 0.99 on the plateau").isGreaterThan(1000);
        assertThat(analysis.generalizationStep()).isEqualTo(lastDip + 100);
        assertThat(analysis.firstCrossing().generalization()).isLessThan(lastDip);
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
                MetricSeries.of(Metric.TRAIN_ACC, new long[] {0, 10, 250, 4000}, new double[] {0, 0.5, 1, 1}),
                MetricSeries.of(Metric.TEST_ACC, new long[] {0, 10, 250, 4000}, new double[] {0, 0.1, 0.2, 1}));

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
        PhaseAnalysis analysis = ANALYZER.analyse(accuracies(3000, knots(0, 1.0), knots(0, 0.0, 2000, 1.0)).build(),
                false);

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
