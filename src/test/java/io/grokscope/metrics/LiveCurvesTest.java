package io.grokscope.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.analysis.Metric;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The in-memory window on its own: what it may answer, and what it must leave to the database. */
class LiveCurvesTest {

    private final LiveCurves curves = new LiveCurves();
    private final WriteFence fence = new WriteFence(7, 3, "test/0");

    private static List<MetricPoint> points(Metric metric, long from, long to, long every) {
        return LongStream.iterate(from, s -> s <= to, s -> s + every)
                .mapToObj(s -> new MetricPoint(metric, s, s / 1000.0)).toList();
    }

    private static MetricQueries.Range since(long step, int maxPoints) {
        return new MetricQueries.Range(null, null, step, maxPoints);
    }

    @Test
    void answersOnlyFromWhereItsKnowledgeOfEveryRequestedMetricBegins() {
        LiveCurves.Entry entry = curves.open(fence, Map.of(Metric.TRAIN_LOSS, 100L));
        entry.append(points(Metric.TRAIN_LOSS, 110, 200, 10));
        entry.append(points(Metric.TEST_ACC, 0, 200, 10));

        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(99, 100))).as("step 100 is stored only")
                .isEmpty();
        var fromMemory = curves.incremental(7, List.of(Metric.TEST_ACC, Metric.TRAIN_LOSS), since(100, 100))
                .orElseThrow();
        assertThat(fromMemory).extracting(MetricQueries.Series::name).containsExactly(Metric.TEST_ACC,
                Metric.TRAIN_LOSS);
        assertThat(fromMemory.get(0).steps()).containsExactly(110, 120, 130, 140, 150, 160, 170, 180, 190, 200);
        assertThat(fromMemory.get(1).values()).startsWith(0.11, 0.12);
        assertThat(curves.incremental(7, List.of(Metric.TEST_ACC), since(0, 100)).orElseThrow().get(0).steps())
                .as("a metric with nothing stored before the entry opened is whole in memory").startsWith(10, 20);
        assertThat(curves.incremental(8, List.of(Metric.TEST_ACC), since(0, 100))).as("another run").isEmpty();
    }

    @Test
    void boundsEachAnswerByMaxPointsAndToStepAndLeavesMetricsWithoutPointsOut() {
        LiveCurves.Entry entry = curves.open(fence, Map.of());
        entry.append(points(Metric.TRAIN_LOSS, 0, 990, 10));

        var first = curves.incremental(7, List.of(Metric.TRAIN_LOSS, Metric.WEIGHT_NORM), since(50, 5)).orElseThrow();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).steps()).containsExactly(60, 70, 80, 90, 100);
        assertThat(first.get(0).downsampled()).isNull();
        var bounded = curves.incremental(7, List.of(Metric.TRAIN_LOSS),
                new MetricQueries.Range(null, 85L, 50L, 100)).orElseThrow();
        assertThat(bounded.get(0).steps()).containsExactly(60, 70, 80);
        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(990, 5)).orElseThrow()).isEmpty();
    }

    @Test
    void pointsThatScrolledOutOfTheWindowAreLeftToTheDatabase() {
        LiveCurves.Entry entry = curves.open(fence, Map.of());
        int total = LiveCurves.WINDOW_POINTS + 10;
        entry.append(points(Metric.TRAIN_LOSS, 1, total, 1));

        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(5, 3))).isEmpty();
        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(10, 3)).orElseThrow().get(0).steps())
                .containsExactly(11, 12, 13);
    }

    @Test
    void aPointAtOrBeforeTheLastStoredStepIsNotTrustedToBeTheStoredOne() {
        LiveCurves.Entry entry = curves.open(fence, Map.of(Metric.TRAIN_LOSS, 100L));
        entry.append(points(Metric.TRAIN_LOSS, 110, 150, 10));
        entry.append(List.of(new MetricPoint(Metric.TRAIN_LOSS, 120, 9.0))); // out of order: the store may hold it

        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(100, 100))).isEmpty();
        var after = curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(150, 100)).orElseThrow();
        assertThat(after).isEmpty();
        entry.append(points(Metric.TRAIN_LOSS, 160, 160, 10));
        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(150, 100)).orElseThrow().get(0).values())
                .containsExactly(0.16);
    }

    @Test
    void theStateTokenHasTheDatabasesFormatAndAClosedEntryAnswersNothing() {
        LiveCurves.Entry entry = curves.open(fence, Map.of(Metric.TEST_ACC, 40L));
        entry.append(points(Metric.TRAIN_LOSS, 10, 30, 10));

        // attempt.status.<last step of each metric with points, by wire name>.<whole-run time: none while running>
        assertThat(curves.stateToken(7, List.of(Metric.TRAIN_LOSS, Metric.TEST_ACC, Metric.WEIGHT_NORM)))
                .contains("3.RUNNING.40.30.");
        assertThat(curves.stateToken(7, List.of(Metric.WEIGHT_NORM))).contains("3.RUNNING..");

        LiveCurves.Entry newer = curves.open(new WriteFence(7, 4, "test/1"), Map.of());
        curves.close(7, entry);
        assertThat(curves.holds(7)).as("closing an older attempt's entry leaves the newer one").isTrue();
        curves.close(7, newer);
        assertThat(curves.holds(7)).isFalse();
        assertThat(curves.stateToken(7, List.of(Metric.TRAIN_LOSS))).isEmpty();
        assertThat(curves.incremental(7, List.of(Metric.TRAIN_LOSS), since(0, 10))).isEmpty();
    }
}
