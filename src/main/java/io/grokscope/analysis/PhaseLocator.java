package io.grokscope.analysis;

import static io.grokscope.analysis.CurveEvidence.MIN_LOSS_MOVE;
import static io.grokscope.analysis.CurveEvidence.MIN_NORM_MOVE;
import static io.grokscope.analysis.TurningPoints.CONFIRM_POINTS;

import io.grokscope.analysis.SmoothedCurve.Scale;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Locates Nanda et al.'s three phases in a run's curves from the progress measures, not from accuracy: accuracy
 * saturates long before the network's solution stops changing (train accuracy is ~100 % by step ~150 in Nanda's run,
 * while memorization goes on to ~1.4k), so boundaries read off accuracy alone come too early or not at all.
 *
 * <h2>Method</h2>
 * Every curve is prepared by {@link SmoothedCurve} (log₁₀ of losses and norms, Hampel despiking, moving average,
 * smoothed slope). Then:
 * <ol>
 * <li><b>Cleanup</b> is the stretch where test loss falls fastest ({@link FastDescents#steepest}). Its peak is the most
 * negative slope of log test loss anywhere; the stretch is where it falls at least
 * {@value FastDescents#FAST_FRACTION} as fast as at the peak; it counts only if test loss falls by at least
 * {@value #MIN_CLEANUP_DROP} decades across it. Its start and end are then placed by a {@link HingeFit} on each side
 * (plateau→drop and drop→floor), which removes the smoothing blur. Without test loss, the weight norm's fastest fall
 * plays the same role. It ends when test loss, the weight norm and the Gini coefficients have levelled off; the
 * weight norm's fastest fall and the Gini rise are reported as corroborating evidence (see {@link CleanupPhase}).</li>
 * <li><b>Memorization ends</b> when train loss and excluded loss have both stopped falling, whichever is later
 * (Nanda et al. §5.2: ~1.4k in their run, long after train accuracy saturates at ~150). Train loss: its first episode
 * falling at least {@value FastDescents#EPISODE_FRACTION} as fast as its steepest fall anywhere (the memorization
 * drop, not the cleanup one), which must fall {@value FastDescents#MIN_MEMORIZATION_DROP} decades; then the knee where
 * that fast drop ends; then, because train loss usually goes on falling more slowly after it, a second hinge fit from
 * that knee to the start of cleanup that finds where the slower fall flattens (see
 * {@link MemorizationEnd#trainLoss}). While train loss still falls at the last step, the end is null. Excluded loss:
 * its minimum after train loss's fast drop and before cleanup, accepted only if it fell into it and rises by at least
 * {@value CurveEvidence#MIN_LOSS_MOVE} decades afterwards, placed by a hinge fit that does not reach back into the
 * fast drop ({@link MemorizationEnd#excludedLossTurn}). Excluded loss is measured only once a key set exists, often
 * after memorization has ended; then the end rests on train loss alone, with a note. Without train loss, excluded loss
 * alone decides.</li>
 * <li><b>Circuit formation</b> runs from the end of memorization to the start of cleanup. It is reported when
 * cleanup follows or when, after memorization, excluded loss rises or restricted loss falls by at least
 * {@value CurveEvidence#MIN_LOSS_MOVE} decades or the weight norm falls by at least
 * {@value CurveEvidence#MIN_NORM_MOVE} decades (2.3 %). Test loss is quoted as staying high only if it has not fallen
 * {@value #MIN_CLEANUP_DROP} decades over the phase.</li>
 * </ol>
 * A boundary needs {@value TurningPoints#CONFIRM_POINTS} points after it to count; a phase whose end is not yet in
 * the data has a null end. When the fastest test-loss fall begins before memorization ends (or while it has not
 * ended), generalization came with fitting (comprehension): only the memorization phase is reported, with a note.
 */
final class PhaseLocator {

    /** Decades test loss must fall across its fastest stretch for that to be cleanup. */
    static final double MIN_CLEANUP_DROP = 0.5;
    /** Decades the weight norm must fall across its fastest stretch to stand in for test loss's collapse. */
    static final double MIN_WEIGHT_NORM_CLEANUP_DROP = 0.05;
    /** Usable points a series needs to be a curve at all. */
    static final int MIN_POINTS = 8;
    /** Without a cleanup after it, circuit formation needs the weight norm to fall this many decades (21 %). */
    static final double MIN_NORM_MOVE_ALONE = 0.1;

    private final MetricHistory history;
    private final Verdict verdict;
    private final Long memorizationStep;
    private final double spacing;
    private final List<String> notes = new ArrayList<>();
    private final SmoothedCurve train;
    private final SmoothedCurve test;
    private final SmoothedCurve excluded;
    private final CleanupPhase.Measures measures;

    private PhaseLocator(MetricHistory history, Verdict verdict, Long memorizationStep) {
        this.history = history;
        this.verdict = verdict;
        this.memorizationStep = memorizationStep;
        this.spacing = Math.max(1e-9, (double) (history.lastStep() - history.firstStep()) / SmoothedCurve.GRID);
        this.train = curve(Metric.TRAIN_LOSS, Scale.LOG10);
        this.test = curve(Metric.TEST_LOSS, Scale.LOG10);
        // the measures helper's whole-run variants are used where the classic series are missing
        this.excluded = firstCurve(Scale.LOG10, Metric.EXCLUDED_LOSS, Metric.EXCLUDED_LOSS_MAX);
        this.measures = new CleanupPhase.Measures(firstCurve(Scale.LOG10, Metric.WEIGHT_NORM, Metric.WEIGHT_NORM_SQ),
                curve(Metric.RESTRICTED_LOSS, Scale.LOG10), curve(Metric.FOURIER_GINI_UNEMBED, Scale.LINEAR),
                curve(Metric.FOURIER_GINI_EMBED, Scale.LINEAR));
    }

    /** The phases of a run of unknown verdict (every phase the curves show). */
    static LocatedPhases locate(MetricHistory history) {
        return locate(history, Verdict.RUNNING, null);
    }

    /**
     * The phases that make sense for a run with this verdict: none for CONFUSION (it never fit its training set);
     * memorization, and circuit formation only where the progress measures show it, for MEMORIZATION (no cleanup
     * without generalization); memorization only for COMPREHENSION (generalization came with fitting); all three
     * for GROKKING and RUNNING.
     */
    static LocatedPhases locate(MetricHistory history, Verdict verdict, Long memorizationStep) {
        return new PhaseLocator(history, verdict, memorizationStep).run();
    }

    private SmoothedCurve curve(Metric metric, Scale scale) {
        return history.series(metric).flatMap(series -> SmoothedCurve.of(series, scale, MIN_POINTS, spacing))
                .orElse(null);
    }

    /** The first of these metrics that has a usable curve, or null. */
    private SmoothedCurve firstCurve(Scale scale, Metric... metrics) {
        for (Metric metric : metrics) {
            SmoothedCurve found = curve(metric, scale);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private LocatedPhases run() {
        if (verdict == Verdict.CONFUSION) {
            notes.add("train accuracy never held its threshold: the run did not memorise, so it has no "
                    + "memorization, circuit-formation or cleanup phase");
            return new LocatedPhases(List.of(), notes);
        }
        noteUnusableSeries();
        Descent cleanup = cleanup();
        List<Phase> phases = new ArrayList<>();
        Optional<Double> memorizationEnd = memorization(cleanup, phases);
        if (memorizationEnd == null) {
            return new LocatedPhases(phases, notes);
        }

        // comprehension: test loss fell fastest while the training set was still being fit (a memorization phase
        // without an end is still being fit at the last step)
        boolean memorizing = !phases.isEmpty();
        if (cleanup != null && memorizing && (memorizationEnd.isEmpty() || cleanup.start() < memorizationEnd.get())) {
            notes.add(String.format(Locale.ROOT, "test loss fell fastest from step %d, before memorization ended "
                    + "(%s): generalization came with fitting, so there is no separate circuit-formation or cleanup "
                    + "phase", Math.round(cleanup.start()), memorizationEnd.isEmpty() ? "it has not ended yet"
                            : "at step " + Math.round(memorizationEnd.get())));
            return new LocatedPhases(phases, notes);
        }
        circuitFormation(memorizationEnd.orElse(null), cleanup).ifPresent(phases::add);
        if (cleanup != null) {
            phases.add(CleanupPhase.of(cleanup, measures, history.lastStep(), notes));
        }
        return new LocatedPhases(phases, notes);
    }

    private void noteUnusableSeries() {
        for (Metric metric : List.of(Metric.TRAIN_LOSS, Metric.TEST_LOSS, Metric.EXCLUDED_LOSS,
                Metric.RESTRICTED_LOSS, Metric.WEIGHT_NORM, Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_GINI_EMBED)) {
            boolean linear = metric == Metric.FOURIER_GINI_UNEMBED || metric == Metric.FOURIER_GINI_EMBED;
            if (history.series(metric).map(MetricSeries::isEmpty).orElse(true)) {
                notes.add(metric.wireName() + " was not recorded, so the phases do not use it");
            } else if (curve(metric, linear ? Scale.LINEAR : Scale.LOG10) == null) {
                notes.add(metric.wireName() + " has fewer than " + MIN_POINTS
                        + " usable points, so the phases do not use it");
            }
        }
    }

    /** The fastest fall of test loss (or, without it, of the weight norm); only in a run that generalized. */
    private Descent cleanup() {
        SmoothedCurve weight = measures.weight();
        if (verdict == Verdict.MEMORIZATION) {
            notes.add("test accuracy never held its threshold: no cleanup phase");
            return null;
        }
        if (test != null) {
            return FastDescents.steepest(test, MIN_CLEANUP_DROP);
        }
        if (weight != null) {
            Descent found = FastDescents.steepest(weight, MIN_WEIGHT_NORM_CLEANUP_DROP);
            if (found != null) {
                notes.add("cleanup is located from the weight norm's fastest fall because test loss is missing");
            }
            return found;
        }
        return null;
    }

    /**
     * Adds the memorization phase, if the curves show one, and answers where it ends: train loss and excluded loss
     * stop falling, whichever is later.
     *
     * @return the end of memorization (empty while it is not in the data, or when there is no memorization phase);
     *         null when the located phases are complete with memorization (a comprehension run)
     */
    private Optional<Double> memorization(Descent cleanup, List<Phase> phases) {
        List<Evidence> evidence = new ArrayList<>();
        Descent fit = train == null ? null : FastDescents.first(train);
        if (train != null && fit == null) {
            notes.add("train loss never falls by " + FastDescents.MIN_MEMORIZATION_DROP
                    + " decades in one fast stretch: no memorization phase to locate");
        }
        if (fit != null && cleanup != null && train.step(fit.peak()) < cleanup.start()
                && train.step(fit.hi()) >= cleanup.start()) {
            // train loss often keeps falling fast into cleanup (weight decay lowers it too): the memorization drop
            // ends before cleanup begins
            int hi = Math.max(fit.peak(), train.indexAtOrBefore(cleanup.start()) - 1);
            fit = new Descent(train, fit.peak(), fit.lo(), hi, fit.start(), null);
        }
        MemorizationEnd.TrainLoss trainEnd = fit == null ? null : MemorizationEnd.trainLoss(fit, cleanup);
        if (trainEnd != null) {
            evidence.add(CurveEvidence.at(train, train.step(fit.peak()), "train loss falls fastest: "
                    + CurveEvidence.rate(train.slope(fit.peak())) + " decades per 1000 steps"));
            evidence.add(CurveEvidence.at(train, trainEnd.fastKnee(), "train loss stops falling fast"));
            if (trainEnd.end() != null && train.recordedStepNear(trainEnd.end())
                    != train.recordedStepNear(trainEnd.fastKnee())) {
                evidence.add(CurveEvidence.at(train, trainEnd.end(), "train loss stops falling"));
            }
        }
        Double excludedTurn = null;
        if (excluded != null && (train == null || fit != null)) {
            // excluded loss shares train loss's fast first drop; its turn is searched for after that drop
            double from = trainEnd != null ? trainEnd.fastKnee() : fit != null ? train.step(fit.peak())
                    : excluded.step(0);
            excludedTurn = MemorizationEnd.excludedLossTurn(excluded, from, cleanup, notes);
            if (excludedTurn != null) {
                evidence.add(CurveEvidence.at(excluded, excludedTurn,
                        "excluded loss stops falling and starts to rise"));
            }
        }
        Double end;
        if (train == null) {
            end = excludedTurn;
        } else if (trainEnd == null || trainEnd.end() == null) {
            end = null;
        } else {
            end = excludedTurn == null ? trainEnd.end() : Math.max(trainEnd.end(), excludedTurn);
        }

        if (verdict == Verdict.COMPREHENSION && memorizationStep != null) {
            // train and test loss keep falling together long after the training set is fit, so the losses cannot
            // say where fitting ended: the accuracy milestone does
            phases.add(memorizationUntilTheMilestone());
            notes.add("the verdict is COMPREHENSION (generalization came with fitting, or as a gradual drift): the "
                    + "memorization phase ends at the memorization step, and there is no separate circuit-formation "
                    + "or cleanup phase");
            return null;
        }
        if (fit == null && end == null && memorizationStep != null && verdict != Verdict.RUNNING) {
            phases.add(memorizationUntilTheMilestone());
            notes.add("train loss shows no clear end of memorization (no fast fall that flattens), so the "
                    + "memorization phase ends at the memorization step");
            return Optional.of((double) memorizationStep);
        }
        if (fit != null || end != null) {
            phases.add(new Phase(PhaseName.MEMORIZATION, history.firstStep(), round(end), evidence));
            if (end == null) {
                notes.add(trainEnd != null && trainEnd.stillFalling()
                        ? "the end of memorization is not in the data yet: train loss is still falling at the last "
                                + "step (" + Math.round(train.step(train.last())) + ")"
                        : "the end of memorization is not in the data yet: train loss has not flattened for "
                                + CONFIRM_POINTS + " evaluations");
            }
        }
        return Optional.ofNullable(end);
    }

    /** Memorization up to the step from which train accuracy holds its threshold. */
    private Phase memorizationUntilTheMilestone() {
        MetricSeries accuracy = history.require(Metric.TRAIN_ACC);
        return new Phase(PhaseName.MEMORIZATION, history.firstStep(), memorizationStep, List.of(new Evidence(
                Metric.TRAIN_ACC, memorizationStep, accuracy.value(accuracy.nearestIndex(memorizationStep)),
                "train accuracy holds its threshold: the training set is fit")));
    }

    /** Circuit formation between the end of memorization and the start of cleanup, when the measures show it. */
    private Optional<Phase> circuitFormation(Double memorizationEnd, Descent cleanup) {
        SmoothedCurve weight = measures.weight();
        double windowStart = memorizationEnd != null ? memorizationEnd : history.firstStep();
        double windowEnd = cleanup != null ? cleanup.start() : history.lastStep();
        List<Evidence> evidence = new ArrayList<>();
        boolean moves = false;
        if (memorizationEnd != null || cleanup != null) {
            moves |= CurveEvidence.move(excluded, windowStart, windowEnd, MIN_LOSS_MOVE, "excluded loss rises",
                    evidence);
            moves |= CurveEvidence.move(measures.restricted(), windowStart, windowEnd, -MIN_LOSS_MOVE,
                    "restricted loss falls", evidence);
            // the weight norm alone is weak evidence (it drifts a few per cent in any run): without a cleanup after
            // it, it must fall by a fifth
            moves |= CurveEvidence.move(weight, windowStart, windowEnd, cleanup != null ? -MIN_NORM_MOVE
                    : -MIN_NORM_MOVE_ALONE, "weight norm falls", evidence);
            if (test != null && (moves || cleanup != null)) {
                double testChange = test.smoothAt(windowEnd) - test.smoothAt(windowStart);
                if (testChange > -MIN_CLEANUP_DROP) {
                    evidence.add(CurveEvidence.at(test, windowEnd, String.format(Locale.ROOT,
                            "test loss stays high: %s at step %d, %s here",
                            CurveEvidence.format(test.recordedValueNear(windowStart)),
                            test.recordedStepNear(windowStart),
                            CurveEvidence.format(test.recordedValueNear(windowEnd)))));
                } else {
                    notes.add(String.format(Locale.ROOT, "test loss falls %.1f decades between steps %d and %d, "
                            + "so it does not stay high during circuit formation", -testChange,
                            Math.round(windowStart), Math.round(windowEnd)));
                }
            }
        }
        if (cleanup == null && !moves) {
            if (memorizationEnd != null) {
                notes.add("no sign of circuit formation after memorization: excluded loss does not rise, restricted "
                        + "loss and weight norm do not fall");
            }
            return Optional.empty();
        }
        Long start = round(memorizationEnd);
        if (start == null) {
            notes.add("circuit formation has no start step because the end of memorization is unknown");
        }
        Long end = cleanup == null ? null : round(cleanup.start());
        if (end == null) {
            notes.add("circuit formation is under way at the last step (" + history.lastStep()
                    + "): cleanup has not begun");
        }
        return Optional.of(new Phase(PhaseName.CIRCUIT_FORMATION, start, end, evidence));
    }

    private static Long round(Double step) {
        return step == null ? null : Math.round(step);
    }
}
