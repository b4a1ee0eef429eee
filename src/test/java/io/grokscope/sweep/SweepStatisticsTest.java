package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grokscope.database.JobStatus;
import io.grokscope.experiment.ExperimentSummary;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a cell's runs say together: the verdict by majority, counts, pending and excluded runs, and the spread. */
class SweepStatisticsTest {

    private static long ids;

    private static ExperimentSummary run(JobStatus status, String verdict, Long generalizationStep) {
        return new ExperimentSummary(++ids, status, verdict, generalizationStep, null, 100, 100, null);
    }

    @Test
    void theSpreadIsOverTheRunsThatReachedItAndTheOthersAreCensored() {
        RunStatistic statistic = RunStatistic.of(Arrays.asList(300L, null, 100L, 200L, null));

        assertThat(statistic.n()).isEqualTo(5);
        assertThat(statistic.reached()).isEqualTo(3);
        assertThat(statistic.censored()).isEqualTo(2);
        assertThat(statistic.mean()).isEqualTo(200.0);
        assertThat(statistic.standardDeviation()).isCloseTo(100.0, within(1e-9)); // sample (n - 1)
        assertThat(statistic.min()).isEqualTo(100.0);
        assertThat(statistic.max()).isEqualTo(300.0);
        assertThat(statistic.median()).isEqualTo(200.0);
        assertThat(RunStatistic.of(List.of(100L, 400L)).median()).isEqualTo(250.0);
    }

    @Test
    void oneValueHasNoDeviationAndNoneHasNoMean() {
        assertThat(RunStatistic.of(List.of(7L)).standardDeviation()).isNull();
        RunStatistic none = RunStatistic.of(Arrays.asList(null, null));
        assertThat(none.mean()).isNull();
        assertThat(none.censored()).isEqualTo(2);
    }

    @Test
    void theVerdictIsTheMostCommonOfTheSucceededRuns() {
        RunGroup group = new RunGroup(List.of(run(JobStatus.SUCCEEDED, "GROKKING", 900L),
                run(JobStatus.SUCCEEDED, "GROKKING", 1100L), run(JobStatus.SUCCEEDED, "MEMORIZATION", null),
                run(JobStatus.CANCELLED, "MEMORIZATION", null), run(JobStatus.FAILED, "CONFUSION", null),
                run(JobStatus.RUNNING, "RUNNING", null), run(JobStatus.QUEUED, null, null)));

        assertThat(group.verdict()).isEqualTo("GROKKING");
        assertThat(group.verdictCounts()).containsExactly(java.util.Map.entry("CONFUSION", 0),
                java.util.Map.entry("MEMORIZATION", 1), java.util.Map.entry("GROKKING", 2),
                java.util.Map.entry("COMPREHENSION", 0));
        assertThat(group.unanimous()).isFalse();
        assertThat(group.pending()).isEqualTo(2);
        assertThat(group.excluded()).isEqualTo(2);
        RunStatistic steps = group.statistic(SweepValue.GENERALIZATION_STEP);
        assertThat(steps.n()).isEqualTo(3);
        assertThat(steps.reached()).isEqualTo(2);
        assertThat(steps.mean()).isEqualTo(1000.0);
    }

    @Test
    void aTieGoesToTheVerdictThatLearnedLess() {
        RunGroup group = new RunGroup(List.of(run(JobStatus.SUCCEEDED, "COMPREHENSION", 50L),
                run(JobStatus.SUCCEEDED, "GROKKING", 2000L)));

        assertThat(group.verdict()).isEqualTo("GROKKING");
        assertThat(group.unanimous()).isFalse();
    }

    @Test
    void withoutFinishedRunsThereIsNoVerdict() {
        RunGroup group = new RunGroup(List.of(run(JobStatus.QUEUED, null, null),
                run(JobStatus.SUCCEEDED, null, null)));

        assertThat(group.verdict()).isNull();
        assertThat(group.unanimous()).isTrue();
        assertThat(group.pending()).isEqualTo(2); // succeeded but not analysed yet
    }

    @Test
    void cellsAreNumberedRowMajorWithTheLastAxisFastest() {
        SweepGrid grid = new SweepGrid(List.of(new SweepAxis("a", List.of(1, 2, 3)),
                new SweepAxis("b", Arrays.asList(null, "X"))));

        assertThat(grid.cells()).isEqualTo(6);
        assertThat(grid.indices(3)).containsExactly(1, 1);
        assertThat(grid.describe(4)).isEqualTo("a=3, b=null");
        assertThat(new SweepGrid(List.of()).cells()).isEqualTo(1);
    }
}
