package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccuracyMilestonesTest {

    private static final double THRESHOLD = 0.99;

    private static MetricSeries accuracy(double... values) {
        long[] steps = new long[values.length];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = 100L * i;
        }
        return MetricSeries.of(Metric.TRAIN_ACC, steps, values);
    }

    @Test
    void anIsolatedDipAfterTheCrossingIsAnInstabilityNotAMove() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.2, 0.995, 0.97, 0.991, 1.0, 0.999), THRESHOLD);

        assertThat(found.firstCrossing()).isEqualTo(100);
        assertThat(found.holdsFrom()).as("one evaluation below the band between two that hold is a spike")
                .isEqualTo(100);
        assertThat(found.instabilities()).singleElement().satisfies(dip -> {
            assertThat(dip.step()).isEqualTo(200);
            assertThat(dip.depth()).isCloseTo(THRESHOLD - 0.97, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(dip.duration()).isEqualTo(100);
            assertThat(dip.recovered()).isTrue();
        });
        assertThat(found.lastStep()).isEqualTo(500);
        assertThat(found.lastValue()).isEqualTo(0.999);
    }

    @Test
    void aDipOfTwoEvaluationsInsideTheHoldWindowMovesTheMilestone() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.2, 0.995, 0.9, 0.9, 1.0, 0.999, 1, 1, 1, 1),
                THRESHOLD);

        assertThat(found.firstCrossing()).isEqualTo(100);
        assertThat(found.holdsFrom()).isEqualTo(400);
        assertThat(found.instabilities()).isEmpty();
    }

    @Test
    void aDipAfterTheHoldWindowIsAnInstabilityAndAFinalValueWithinToleranceStillHolds() {
        double[] values = new double[20];
        java.util.Arrays.fill(values, 1.0);
        values[0] = 0.1;
        values[12] = 0.5;
        values[13] = 0.6;
        values[19] = 0.985;
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(values), THRESHOLD);

        assertThat(found.holdsFrom()).isEqualTo(100);
        assertThat(found.instabilities()).singleElement().satisfies(dip -> {
            assertThat(dip.step()).isEqualTo(1200);
            assertThat(dip.duration()).isEqualTo(200);
        });
        assertThat(found.lostAt()).isNull();
    }

    @Test
    void aFallForGoodAtTheEndUndoesTheMilestone() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.1, 1, 1, 1, 1, 1, 1, 1, 0.5, 0.4, 0.3),
                THRESHOLD);

        assertThat(found.holdsFrom()).isNull();
        assertThat(found.lostAt()).isEqualTo(800);
        assertThat(found.firstCrossing()).isEqualTo(100);
    }

    @Test
    void aValueExactlyAtTheThresholdCountsAndTheNextDoubleBelowDoesNot() {
        AccuracyMilestones at = AccuracyMilestones.of(accuracy(0.5, THRESHOLD, THRESHOLD), THRESHOLD);
        AccuracyMilestones justBelow = AccuracyMilestones.of(accuracy(0.5, Math.nextDown(THRESHOLD), 1.0), THRESHOLD);

        assertThat(at.firstCrossing()).isEqualTo(100);
        assertThat(at.holdsFrom()).isEqualTo(100);
        assertThat(justBelow.firstCrossing()).isEqualTo(200);
        assertThat(justBelow.holdsFrom()).isEqualTo(200);
    }

    @Test
    void aCurveThatNeverReachesTheThresholdHasNeither() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.1, 0.5, 0.98), THRESHOLD);

        assertThat(found.firstCrossing()).isNull();
        assertThat(found.holdsFrom()).isNull();
        assertThat(found.lastStep()).isEqualTo(200);
        assertThat(found.lastValue()).isEqualTo(0.98);
    }

    @Test
    void aCurveThatFellBackAtTheLastStepHasCrossedButNotStayed() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.1, 1.0, 1.0, 0.9), THRESHOLD);

        assertThat(found.firstCrossing()).isEqualTo(100);
        assertThat(found.holdsFrom()).isNull();
    }

    @Test
    void emptyAndOnePointSeries() {
        AccuracyMilestones empty = AccuracyMilestones.of(accuracy(), THRESHOLD);
        AccuracyMilestones onePoint = AccuracyMilestones.of(accuracy(1.0), THRESHOLD);

        assertThat(empty.firstCrossing()).isNull();
        assertThat(empty.staysFrom()).isNull();
        assertThat(empty.lastStep()).isNull();
        assertThat(empty.lastValue()).isNaN();
        assertThat(onePoint.firstCrossing()).isZero();
        assertThat(onePoint.staysFrom()).isZero();
    }

    @Test
    void nonFinitePointsAreMissingEvaluationsNotFailures() {
        // a NaN after the curve settled (a lost eval row) must not reset the milestone, nor a NaN last point undo it
        AccuracyMilestones nanInside = AccuracyMilestones.of(accuracy(0.1, 1.0, Double.NaN, 1.0), THRESHOLD);
        AccuracyMilestones nanLast = AccuracyMilestones.of(accuracy(0.1, 1.0, 1.0, Double.NaN), THRESHOLD);

        assertThat(nanInside.staysFrom()).isEqualTo(100);
        assertThat(nanLast.staysFrom()).isEqualTo(100);
        assertThat(nanLast.lastStep()).as("the last finite point").isEqualTo(200);
        assertThat(nanLast.lastValue()).isEqualTo(1.0);
        assertThat(nanLast.ignoredPoints()).isEqualTo(1);
    }

    @Test
    void anInfiniteValueIsNotAnAccuracyThatReachedTheThreshold() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(0.1, Double.POSITIVE_INFINITY, 0.5), THRESHOLD);

        assertThat(found.firstCrossing()).isNull();
        assertThat(found.holdsFrom()).isNull();
    }

    @Test
    void onlyNonFinitePointsIsLikeNoData() {
        AccuracyMilestones found = AccuracyMilestones.of(accuracy(Double.NaN, Double.NaN), THRESHOLD);

        assertThat(found.firstCrossing()).isNull();
        assertThat(found.lastStep()).isNull();
        assertThat(found.ignoredPoints()).isEqualTo(2);
    }
}
