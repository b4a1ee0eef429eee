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
 * Gini coefficients; see there for the method (log-value smoothing, smoothed slopes, hinge fits). A phase shorter
 * than the minimum phase duration ({@link PhaseThresholds#minPhaseDuration}) is merged into its neighbour by
 * {@link MinimumPhaseDuration}, with a note.
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

        Long memorizationStep = train.holdsFrom();
        Long generalizationStep = test.holdsFrom();
        Long delay = memorizationStep != null && generalizationStep != null
                ? generalizationStep - memorizationStep : null;
        Double ratio = null;
        if (delay != null) {
            if (memorizationStep > 0) {
                ratio = (double) generalizationStep / memorizationStep;
            } else {
                notes.add("delayRatio is undefined because train accuracy holds its threshold from step 0");
            }
        }
        if (delay != null && delay < 0) {
            notes.add("test accuracy holds its threshold before train accuracy does (delay " + delay + ")");
        }
        Transition transition = generalizationStep == null ? null
                : Transition.of(history.require(Metric.TEST_ACC), generalizationStep);
        Long width = transition == null ? null : Math.round(transition.width());
        Double share = width == null || delay == null || delay <= 0 ? null : (double) width / delay;
        Judgement judgement = judge(history, running, train, test, delay, transition, share);
        if (running) {
            notes.add("the run is still training: every field is provisional");
        }
        List<Instability> instabilities = new ArrayList<>(train.instabilities());
        instabilities.addAll(test.instabilities());
        for (Instability dip : instabilities) {
            notes.add(String.format(Locale.ROOT, "%s accuracy dipped %.3f below its threshold at step %d for %d "
                    + "steps%s; reported as an instability, the milestone stands", dip.accuracy(), dip.depth(),
                    dip.step(), dip.duration(), dip.recovered() ? "" : " (not recovered at the last step)"));
        }

        absenceReasons.forEach((metric, reason) -> notes.add(metric.wireName() + " is not available: " + reason));
        LocatedPhases located = PhaseLocator.locate(history, running ? Verdict.RUNNING : judgement.verdict(),
                memorizationStep);
        notes.addAll(located.notes());
        located = MinimumPhaseDuration.merge(located.phases(), history.lastStep() - history.firstStep(), thresholds);
        notes.addAll(located.notes());
        if (keyFrequencies.isEmpty()) {
            notes.add("no key frequencies at the latest measured step");
        }
        return new PhaseAnalysis(null, judgement.verdict(), judgement.reason(), judgement.evidence(),
                memorizationStep, generalizationStep, delay, ratio, width, share,
                new FirstCrossing(train.firstCrossing(), test.firstCrossing()), instabilities, thresholds,
                located.phases(), keyFrequencies.stream().sorted().toList(), notes);
    }

    private record Judgement(Verdict verdict, String reason, List<Evidence> evidence) {
    }

    /**
     * The verdict after Liu et al.'s four phases, with the delay judged relative to the run: GROKKING needs a delay of
     * at least {@code grokkingMinDelayRatio} × the memorization step and {@code grokkingMinDelay} steps, and a
     * test-accuracy rise no wider than {@code maxTransitionShare} of the delay (a late, sudden jump, not a drift).
     * Both ratios are invariant to the units of the step axis.
     */
    private Judgement judge(MetricHistory history, boolean running, AccuracyMilestones train, AccuracyMilestones test, Long delay,
            Transition transition, Double share) {
        List<Evidence> evidence = new ArrayList<>();
        String trainHeld = held(history, "train", train, thresholds.memorization(), Metric.TRAIN_ACC, evidence);
        String testHeld = held(history, "test", test, thresholds.generalization(), Metric.TEST_ACC, evidence);
        if (transition != null) {
            evidence.add(new Evidence(Metric.TEST_ACC, transition.recordedLow(), transition.lowValue(),
                    "test accuracy passes 10 % of its rise"));
            evidence.add(new Evidence(Metric.TEST_ACC, transition.recordedHigh(), transition.highValue(),
                    "test accuracy passes 90 % of its rise"));
        }
        Verdict verdict;
        String reason;
        if (train.holdsFrom() == null) {
            verdict = Verdict.CONFUSION;
            reason = trainHeld + ": the network did not fit its training set";
        } else if (test.holdsFrom() == null) {
            verdict = Verdict.MEMORIZATION;
            reason = trainHeld + ", but " + testHeld + ": it memorised without generalizing";
        } else {
            long mem = train.holdsFrom();
            double needed = Math.max(thresholds.grokkingMinDelay(), thresholds.grokkingMinDelayRatio() * mem);
            // the plateau: how long test accuracy stayed near its floor after the training set was fit. A run whose
            // test accuracy starts rising as soon as it fits (Nanda et al.: immediate generalization at >= 60 % data)
            // has a delay to 99 % but no plateau; the delay is judged by the plateau when the rise can be measured
            double plateau = transition == null ? delay : transition.low() - mem;
            // a plateau the evaluations did not see (no evaluation after memorization still on the floor) cannot be
            // told from a rise that began with fitting
            boolean seen = transition == null || transition.lastLowStep() > mem;
            String timing = String.format(Locale.ROOT, "%s, and %s %d steps later (%s the memorization step)%s",
                    trainHeld, testHeld, delay, mem > 0 ? String.format(Locale.ROOT, "%.2f ×", (double) delay / mem)
                            : "undefined ×", transition == null ? "" : String.format(Locale.ROOT, "; test accuracy "
                                    + "began its rise (10 %%) %.0f steps after memorization", plateau));
            if (plateau < needed || !seen) {
                verdict = Verdict.COMPREHENSION;
                reason = String.format(Locale.ROOT, "%s; %s means generalization came with fitting", timing, !seen
                        ? "no evaluation after memorization shows test accuracy still on its floor, which"
                        : String.format(Locale.ROOT, "a plateau of less than %.0f steps (the larger of %d steps and "
                                + "%.2f × the memorization step)", needed, thresholds.grokkingMinDelay(),
                                thresholds.grokkingMinDelayRatio()));
            } else if (share != null && share > thresholds.maxTransitionShare()) {
                verdict = Verdict.COMPREHENSION;
                reason = String.format(Locale.ROOT, "%s; but test accuracy rose from 10 %% to 90 %% of its rise over "
                        + "%d steps, %.2f of the delay (more than %.2f): a gradual drift, not a late sudden jump",
                        timing, Math.round(transition.width()), share, thresholds.maxTransitionShare());
            } else {
                verdict = Verdict.GROKKING;
                reason = String.format(Locale.ROOT, "%s, at least %.0f; test accuracy rose from 10 %% to 90 %% of its "
                        + "rise in %s steps%s: generalization came late and suddenly", timing, needed,
                        transition == null ? "?" : Math.round(transition.width()),
                        share == null ? "" : String.format(Locale.ROOT, ", %.2f of the delay", share));
            }
        }
        if (running) {
            return new Judgement(Verdict.RUNNING, "the run is still training; so far: " + verdict + " (" + reason
                    + ")", evidence);
        }
        return new Judgement(verdict, reason, evidence);
    }

    private String held(MetricHistory history, String split, AccuracyMilestones m, double threshold, Metric metric, List<Evidence> evidence) {
        if (m.holdsFrom() != null) {
            evidence.add(new Evidence(metric, m.holdsFrom(), valueAt(history, metric, m.holdsFrom()), String.format(Locale.ROOT,
                    "%s accuracy reaches %s and holds it (within %s) for %d steps or to the end", split, threshold,
                    thresholds.tolerance(), thresholds.holdSteps())));
            return String.format(Locale.ROOT, "%s accuracy held %s from step %d", split, threshold, m.holdsFrom());
        }
        if (m.lastStep() == null) {
            return split + " accuracy was not recorded";
        }
        if (m.lostAt() != null) {
            evidence.add(new Evidence(metric, m.lastStep(), m.lastValue(), split + " accuracy has fallen below "
                    + threshold + " for good"));
            return String.format(Locale.ROOT, "%s accuracy reached %s but fell below it from step %d (%.4f at the "
                    + "last step)", split, threshold, m.lostAt(), m.lastValue());
        }
        evidence.add(new Evidence(metric, m.lastStep(), m.lastValue(), split + " accuracy at the last step"));
        return m.firstCrossing() == null
                ? String.format(Locale.ROOT, "%s accuracy never reached %s (%.4f at step %d)", split, threshold,
                        m.lastValue(), m.lastStep())
                : String.format(Locale.ROOT, "%s accuracy touched %s at step %d but never held it for %d steps",
                        split, threshold, m.firstCrossing(), thresholds.holdSteps());
    }

    private static double valueAt(MetricHistory history, Metric metric, long step) {
        MetricSeries series = history.require(metric);
        return series.value(series.nearestIndex(step));
    }

    private AccuracyMilestones milestones(MetricHistory history, Metric metric, double threshold, String split,
            List<String> notes) {
        MetricSeries series = history.series(metric).orElse(null);
        if (series == null || series.isEmpty()) {
            notes.add(metric.wireName() + " was not recorded, so its milestones are unknown");
            return AccuracyMilestones.of(MetricSeries.of(metric, new long[0], new double[0]), threshold);
        }
        AccuracyMilestones found = AccuracyMilestones.of(series, threshold, thresholds.holdSteps(),
                thresholds.tolerance(), split);
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
        } else if (found.lostAt() != null) {
            notes.add(String.format(Locale.ROOT, "%s is null: %s accuracy held %s but fell below it (less the "
                    + "tolerance %s) from step %d and is %.4f at the last step (%d)", step, split, threshold,
                    thresholds.tolerance(), found.lostAt(), found.lastValue(), found.lastStep()));
        } else if (found.holdsFrom() == null) {
            notes.add(String.format(Locale.ROOT, "%s is null: %s accuracy reached %s at step %d but never held it "
                    + "(within %s) for %d steps; %.4f at the last step (%d)", step, split, threshold,
                    found.firstCrossing(), thresholds.tolerance(), thresholds.holdSteps(), found.lastValue(),
                    found.lastStep()));
        }
        return found;
    }
}
