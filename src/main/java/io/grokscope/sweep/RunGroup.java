package io.grokscope.sweep;

import io.grokscope.analysis.Verdict;
import io.grokscope.database.JobStatus;
import io.grokscope.experiment.ExperimentSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs pooled into one cell of a grid or one point of a series, and what they say together. Only succeeded,
 * analysed runs count: a queued or running one is pending, and a failed or cancelled one is excluded, since its
 * verdict rests on partial data.
 */
final class RunGroup {

    /** The verdicts of finished runs, in the order ties are broken (the first wins). */
    private static final List<Verdict> FINAL_VERDICTS = List.of(Verdict.CONFUSION, Verdict.MEMORIZATION,
            Verdict.GROKKING, Verdict.COMPREHENSION);

    private final List<ExperimentSummary> runs;
    private final List<ExperimentSummary> counted;

    RunGroup(List<ExperimentSummary> runs) {
        this.runs = List.copyOf(runs);
        this.counted = runs.stream().filter(RunGroup::counts).toList();
    }

    private static boolean counts(ExperimentSummary run) {
        return run.status() == JobStatus.SUCCEEDED && run.verdict() != null
                && !Verdict.RUNNING.name().equals(run.verdict());
    }

    List<ExperimentSummary> runs() {
        return runs;
    }

    /** Every final verdict with how many counted runs reached it (zeros included, so the shape never changes). */
    Map<String, Integer> verdictCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        FINAL_VERDICTS.forEach(v -> counts.put(v.name(), 0));
        counted.forEach(run -> counts.computeIfPresent(run.verdict(), (verdict, n) -> n + 1));
        return counts;
    }

    /** The most common verdict of the counted runs; null when none counts. */
    String verdict() {
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> entry : verdictCounts().entrySet()) {
            if (entry.getValue() > bestCount) {
                best = entry.getKey();
                bestCount = entry.getValue();
            }
        }
        return best;
    }

    /** Whether every counted run has the same verdict (vacuously true when none counts). */
    boolean unanimous() {
        return counted.stream().map(ExperimentSummary::verdict).distinct().count() <= 1;
    }

    int pending() {
        return (int) runs.stream().filter(run -> !run.status().isTerminal()
                || (run.status() == JobStatus.SUCCEEDED && !counts(run))).count();
    }

    int excluded() {
        return (int) runs.stream().filter(run -> run.status() == JobStatus.FAILED
                || run.status() == JobStatus.CANCELLED).count();
    }

    RunStatistic statistic(SweepValue value) {
        return RunStatistic.of(counted.stream().map(value::of).toList());
    }
}
