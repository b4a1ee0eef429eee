package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a run's metric series into its {@link PhaseAnalysis}: accuracy milestones and the verdict, and the three
 * phases located from the progress measures. A pure function of its inputs: no clock, no storage, no model; the same
 * series always give the same analysis, so a stored run can be re-analysed with other thresholds.
 *
 * <h2>Milestones and verdict</h2>
 * {@code memorizationStep} and {@code generalizationStep} are the first eval steps from which train and test accuracy
 * stay at or above their thresholds to the end of the data; {@code firstCrossing} holds the first steps they reached
 * them at all. Points that are not finite are skipped as missing evaluations, with a note (see
 * {@link AccuracyMilestones}). The verdict follows Liu et al. (2022) on the stays-rule steps: CONFUSION without a
 * memorization step, MEMORIZATION without a generalization step, GROKKING when the delay is at least
 * {@code grokkingMinDelay}, else COMPREHENSION (a negative delay, test before train, counts as comprehension). While
 * the run trains the verdict is RUNNING and the rest is provisional.
 *
 * <h2>Phases</h2>
 * Located by {@link PhaseLocator} from train and test loss, excluded and restricted loss, weight norm and the Fourier
 * Gini coefficients; see there for the method (log-value smoothing, smoothed slopes, hinge fits).
 *
 * <p>{@code experimentId} is left null; the caller adds it with {@link PhaseAnalysis#withExperimentId}.
 * Immutable and thread-safe.
 */
public final class PhaseAnalyzer {

    private final PhaseThresholds thresholds;

    public PhaseAnalyzer(PhaseThresholds thresholds) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    }

    /** An analyzer with {@link PhaseThresholds#DEFAULTS}. */
    public static PhaseAnalyzer withDefaults() {
        return new PhaseAnalyzer(PhaseThresholds.DEFAULTS);
    }

    public PhaseThresholds thresholds() {
        return thresholds;
    }

    /** The analysis of a run without key frequencies or known reasons for missing measures. */
    public PhaseAnalysis analyse(MetricHistory history, boolean running) {
        return analyse(history, running, List.of(), Map.of());
    }

    /**
     * The analysis, taking the key frequencies and the reasons for absent measures from the latest progress
     * measurement (which may be null when none was taken).
     */
    public PhaseAnalysis analyse(MetricHistory history, boolean running, ProgressMeasurement latest) {
        return latest == null ? analyse(history, running)
                : analyse(history, running, latest.keyFrequencies(), latest.absent());
    }

    /**
     * The analysis of a run.
     *
     * @param history        the run's series so far
     * @param running        whether the run is still training (verdict RUNNING, provisional fields)
     * @param keyFrequencies the key frequencies at the latest measured step
     * @param absenceReasons why some progress measures have no series (e.g. from {@link ProgressMeasures#unavailable}
     *                       or {@link ProgressMeasurement#absent()}); each becomes a note
     */
    public PhaseAnalysis analyse(MetricHistory history, boolean running, List<Integer> keyFrequencies,
            Map<Metric, String> absenceReasons) {
        List<String> notes = new ArrayList<>();
        AccuracyMilestones train = milestones(history, Metric.TRAIN_ACC, thresholds.memorization(), "train", notes);
        AccuracyMilestones test = milestones(history, Metric.TEST_ACC, thresholds.generalization(), "test", notes);

        Long memorizationStep = train.staysFrom();
        Long generalizationStep = test.staysFrom();
        Long delay = memorizationStep != null && generalizationStep != null
                ? generalizationStep - memorizationStep : null;
        Double ratio = null;
        if (delay != null) {
            if (memorizationStep > 0) {
                ratio = (double) generalizationStep / memorizationStep;
            } else {
                notes.add("delayRatio is undefined because train accuracy stays above its threshold from step 0");
            }
        }
        if (delay != null && delay < 0) {
            notes.add("test accuracy stays above its threshold before train accuracy does (delay " + delay + ")");
        }
        Verdict verdict = running ? Verdict.RUNNING
                : memorizationStep == null ? Verdict.CONFUSION
                : generalizationStep == null ? Verdict.MEMORIZATION
                : delay >= thresholds.grokkingMinDelay() ? Verdict.GROKKING
                : Verdict.COMPREHENSION;
        if (running) {
            notes.add("the run is still training: every field is provisional");
        }

        absenceReasons.forEach((metric, reason) -> notes.add(metric.wireName() + " is not available: " + reason));
        PhaseLocator.Result located = PhaseLocator.locate(history);
        notes.addAll(located.notes());
        if (keyFrequencies.isEmpty()) {
            notes.add("no key frequencies at the latest measured step");
        }
        return new PhaseAnalysis(null, verdict, memorizationStep, generalizationStep, delay, ratio,
                new FirstCrossing(train.firstCrossing(), test.firstCrossing()), thresholds, located.phases(),
                keyFrequencies.stream().sorted().toList(), notes);
    }

    private static AccuracyMilestones milestones(MetricHistory history, Metric metric, double threshold, String split,
            List<String> notes) {
        MetricSeries series = history.series(metric).orElse(null);
        if (series == null || series.isEmpty()) {
            notes.add(metric.wireName() + " was not recorded, so its milestones are unknown");
            return AccuracyMilestones.of(MetricSeries.of(metric, new long[0], new double[0]), threshold);
        }
        AccuracyMilestones found = AccuracyMilestones.of(series, threshold);
        if (found.ignoredPoints() > 0) {
            notes.add(String.format(Locale.ROOT, "%s: %d of %d points are not finite and were ignored as missing "
                    + "evaluations", metric.wireName(), found.ignoredPoints(), series.size()));
        }
        String step = split.equals("train") ? "memorizationStep" : "generalizationStep";
        if (found.lastStep() == null) {
            notes.add(step + " is null: " + metric.wireName() + " has no finite value");
        } else if (found.firstCrossing() == null) {
            notes.add(String.format(Locale.ROOT, "%s is null: %s accuracy never reached %s (%.4f at step %d)", step,
                    split, threshold, found.lastValue(), found.lastStep()));
        } else if (found.staysFrom() == null) {
            notes.add(String.format(Locale.ROOT, "%s is null: %s accuracy reached %s at step %d but is %.4f at the "
                    + "last step (%d)", step, split, threshold, found.firstCrossing(), found.lastValue(),
                    found.lastStep()));
        }
        return found;
    }
}
