package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed bands against hand-computed answers: shared grids, interpolation, runs of different lengths, dropped values. */
class SeedBandTest {

    private static MetricSeries run(long[] steps, double[] values) {
        return MetricSeries.of(Metric.TEST_ACC, steps, values);
    }

    @Test
    void runsOnTheSameStepsGiveExactMeanSampleDeviationMinAndMax() {
        long[] steps = { 0, 10, 20 };
        SeedBand band = SeedBand.of(List.of(run(steps, new double[] { 0.0, 0.2, 1.0 }),
                run(steps, new double[] { 0.0, 0.4, 1.0 }), run(steps, new double[] { 0.0, 0.9, 0.7 })), 100);
        assertThat(band.steps()).containsExactly(0, 10, 20);
        assertThat(band.mean()[1]).isCloseTo(0.5, within(1e-12));
        // sample deviation of 0.2, 0.4, 0.9: mean 0.5, squares 0.09 + 0.01 + 0.16 = 0.26, / 2 = 0.13
        assertThat(band.standardDeviation()[1]).isCloseTo(Math.sqrt(0.13), within(1e-12));
        assertThat(band.standardDeviation()[0]).isZero();
        assertThat(band.min()[2]).isEqualTo(0.7);
        assertThat(band.max()[2]).isEqualTo(1.0);
        assertThat(band.n()).containsExactly(3, 3, 3);
    }

    @Test
    void aShorterRunLeavesTheBandWhereItEndsAndIsInterpolatedBetweenItsPoints() {
        SeedBand band = SeedBand.of(List.of(run(new long[] { 0, 10, 20, 30 }, new double[] { 0, 1, 2, 3 }),
                run(new long[] { 0, 20 }, new double[] { 10, 30 })), 100);
        assertThat(band.steps()).containsExactly(0, 10, 20, 30);
        assertThat(band.n()).containsExactly(2, 2, 2, 1);
        assertThat(band.mean()[1]).isCloseTo((1 + 20) / 2.0, within(1e-12)); // 20 interpolated halfway from 10 to 30
        assertThat(band.mean()[3]).isEqualTo(3);
        assertThat(band.standardDeviation()[3]).isNaN();
    }

    @Test
    void manyStepsAreResampledOnAnEvenGridFromTheFirstToTheLastStep() {
        long[] steps = new long[1001];
        double[] line = new double[1001];
        double[] doubled = new double[1001];
        for (int i = 0; i <= 1000; i++) {
            steps[i] = i;
            line[i] = i;
            doubled[i] = 2.0 * i;
        }
        SeedBand band = SeedBand.of(List.of(run(steps, line), run(steps, doubled)), 11);
        assertThat(band.steps()).containsExactly(0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000);
        for (int i = 0; i < band.size(); i++) {
            assertThat(band.mean()[i]).isCloseTo(1.5 * band.steps()[i], within(1e-9));
            assertThat(band.min()[i]).isEqualTo((double) band.steps()[i]);
            assertThat(band.max()[i]).isEqualTo(2.0 * band.steps()[i]);
        }
    }

    @Test
    void nonFiniteValuesAndEmptyRunsAreLeftOut() {
        SeedBand band = SeedBand.of(List.of(run(new long[] { 0, 10 }, new double[] { 1, Double.NaN }),
                run(new long[] { 0, 10 }, new double[] { 3, 5 }), run(new long[0], new double[0])), 10);
        assertThat(band.n()).containsExactly(2, 1);
        assertThat(band.mean()).containsExactly(2, 5);
        assertThat(SeedBand.of(List.of(), 10).size()).isZero();
    }
}
