package io.grokscope.analysis;

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
 * <li><b>Cleanup</b> is the stretch where test loss falls fastest. Its peak is the most negative slope of log test
 * loss anywhere; the stretch is where it falls at least {@value #FAST_FRACTION} as fast as at the peak; it counts only
 * if test loss falls by at least {@value #MIN_CLEANUP_DROP} decades across it. Its start and end are then placed by a
 * {@link HingeFit} on each side (plateau→drop and drop→floor), which removes the smoothing blur. Without test loss,
 * the weight norm's fastest fall plays the same role. Weight norm's fastest fall and the Gini rise are reported as
 * corroborating evidence.</li>
 * <li><b>Memorization ends</b> when train loss and excluded loss have both stopped falling, whichever is later
 * (Nanda et al. §5.2: ~1.4k in their run, long after train accuracy saturates at ~150). Train loss: its first episode
 * falling at least {@value #EPISODE_FRACTION} as fast as its steepest fall anywhere (the memorization drop, not the
 * cleanup one), which must fall {@value #MIN_MEMORIZATION_DROP} decades; then the knee where that fast drop ends; then,
 * because train loss usually goes on falling more slowly after it, a second hinge fit from that knee to the start of
 * cleanup that finds where the slower fall flattens (see {@link #trainLossEnd}). While train loss still falls at the
 * last step, the end is null. Excluded loss: its minimum after train loss's fast drop and before cleanup, accepted
 * only if it fell into it and rises by at least {@value #MIN_LOSS_MOVE} decades afterwards, placed by a hinge fit
 * that does not reach back into the fast drop. Excluded loss is measured only once a key set exists, often after
 * memorization has ended; then the end rests on train loss alone, with a note. Without train loss, excluded loss
 * alone decides.</li>
 * <li><b>Circuit formation</b> runs from the end of memorization to the start of cleanup. It is reported when
 * cleanup follows or when, after memorization, excluded loss rises or restricted loss falls by at least
 * {@value #MIN_LOSS_MOVE} decades or the weight norm falls by at least {@value #MIN_NORM_MOVE} decades (2.3 %).
 * Test loss is quoted as staying high only if it has not fallen {@value #MIN_CLEANUP_DROP} decades over the
 * phase.</li>
 * </ol>
 * A boundary needs {@value #CONFIRM_POINTS} points after it to count; a phase whose end is not yet in the data has a
 * null end. When the fastest test-loss fall begins before memorization ends (or while it has not ended),
 * generalization came with fitting (comprehension): only the memorization phase is reported, with a note.
 */
final class PhaseLocator {

    static final double FAST_FRACTION = 0.25;
    static final double EPISODE_FRACTION = 0.5;
    static final double MIN_CLEANUP_DROP = 0.5;
    static final double MIN_WEIGHT_NORM_CLEANUP_DROP = 0.05;
    static final double MIN_MEMORIZATION_DROP = 0.5;
    static final double MIN_LOSS_MOVE = 0.1;
    static final double MIN_NORM_MOVE = 0.01;
    static final double MIN_GINI_RISE = 0.05;
    static final int MIN_POINTS = 8;
    /** Grid points (each 1/{@value SmoothedCurve#GRID} of the run's span) that must follow a boundary. */
    static final int CONFIRM_POINTS = 4;
    /** Grid points on each side of a boundary that a refining hinge fit may use, at least. */
    static final int MIN_FIT_REACH = 8;
    /** A train-loss fall at least this fraction as fast as its steepest still counts as memorization going on. */
    static final double SLOW_FALL_FRACTION = 0.05;
    /** After the end of memorization train loss falls at most this fraction as fast as just before it. */
    static final double FLAT_FRACTION = 0.25;
    /** Grid points at the end of the data (5 % of the span) that say whether train loss is still falling. */
    static final int TAIL_POINTS = 20;
    /** Without a cleanup after it, circuit formation needs the weight norm to fall this many decades (21 %). */
    static final double MIN_NORM_MOVE_ALONE = 0.1;
    /** A measure's change must exceed this many times its per-evaluation noise to place a boundary. */
    static final double NOISE_MULTIPLE = 3;
    /** A fall at least this fraction as fast as a curve's steepest anywhere counts as its fastest. */
    static final double AS_FAST_AS = 0.9;

    /** A fast fall of one curve: its steepest point and the stretch around it, as steps. */
    private record Descent(SmoothedCurve curve, int peak, int lo, int hi, double start, Double end) {

        double drop() {
            return curve.smooth(lo) - curve.smooth(hi);
        }
    }

    private final MetricHistory history;
    private final Verdict verdict;
    private final Long memorizationStep;
    private final double spacing;
    private final List<String> notes = new ArrayList<>();

    private PhaseLocator(MetricHistory history, Verdict verdict, Long memorizationStep) {
        this.history = history;
        this.verdict = verdict;
        this.memorizationStep = memorizationStep;
        this.spacing = Math.max(1e-9, (double) (lastStep() - firstStep()) / SmoothedCurve.GRID);
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

    private Optional<SmoothedCurve> curve(Metric metric, Scale scale) {
        return history.series(metric).flatMap(series -> SmoothedCurve.of(series, scale, MIN_POINTS, spacing));
    }

    /** A metric that may not exist in this build's vocabulary (measures added by later versions), by wire name. */
    static Optional<Metric> metricNamed(String wireName) {
        for (Metric metric : Metric.values()) {
            if (metric.wireName().equals(wireName)) {
                return Optional.of(metric);
            }
        }
        return Optional.empty();
    }

    /** The first of these metrics that has a usable curve. */
    private SmoothedCurve firstCurve(Scale scale, String... wireNames) {
        for (String name : wireNames) {
            Optional<SmoothedCurve> found = metricNamed(name).flatMap(m -> curve(m, scale));
            if (found.isPresent()) {
                return found.get();
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
        SmoothedCurve train = curve(Metric.TRAIN_LOSS, Scale.LOG10).orElse(null);
        SmoothedCurve test = curve(Metric.TEST_LOSS, Scale.LOG10).orElse(null);
        // the measures helper's whole-run variants are used where the classic series are missing
        SmoothedCurve excluded = firstCurve(Scale.LOG10, "excluded_loss", "excluded_loss_max");
        SmoothedCurve restricted = curve(Metric.RESTRICTED_LOSS, Scale.LOG10).orElse(null);
        SmoothedCurve weight = firstCurve(Scale.LOG10, "weight_norm", "weight_norm_sq");
        SmoothedCurve giniUnembed = curve(Metric.FOURIER_GINI_UNEMBED, Scale.LINEAR).orElse(null);
        SmoothedCurve giniEmbed = curve(Metric.FOURIER_GINI_EMBED, Scale.LINEAR).orElse(null);
        for (Metric metric : List.of(Metric.TRAIN_LOSS, Metric.TEST_LOSS, Metric.EXCLUDED_LOSS,
                Metric.RESTRICTED_LOSS, Metric.WEIGHT_NORM, Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_GINI_EMBED)) {
            boolean linear = metric == Metric.FOURIER_GINI_UNEMBED || metric == Metric.FOURIER_GINI_EMBED;
            if (history.series(metric).map(MetricSeries::isEmpty).orElse(true)) {
                notes.add(metric.wireName() + " was not recorded, so the phases do not use it");
            } else if (curve(metric, linear ? Scale.LINEAR : Scale.LOG10).isEmpty()) {
                notes.add(metric.wireName() + " has fewer than " + MIN_POINTS
                        + " usable points, so the phases do not use it");
            }
        }

        // 1. cleanup: the fastest fall of test loss (or, without it, of the weight norm); only in a run that generalized
        Descent cleanup = null;
        if (verdict == Verdict.MEMORIZATION) {
            notes.add("test accuracy never held its threshold: no cleanup phase");
        } else if (test != null) {
            cleanup = steepestDescent(test, MIN_CLEANUP_DROP);
        } else if (weight != null) {
            cleanup = steepestDescent(weight, MIN_WEIGHT_NORM_CLEANUP_DROP);
            if (cleanup != null) {
                notes.add("cleanup is located from the weight norm's fastest fall because test loss is missing");
            }
        }

        // 2. end of memorization: train loss and excluded loss stop falling, whichever is later
        List<Evidence> memorizationEvidence = new ArrayList<>();
        Descent fit = train == null ? null : firstFastDescent(train);
        if (train != null && fit == null) {
            notes.add("train loss never falls by " + MIN_MEMORIZATION_DROP
                    + " decades in one fast stretch: no memorization phase to locate");
        }
        if (fit != null && cleanup != null && train.step(fit.peak()) < cleanup.start()
                && train.step(fit.hi()) >= cleanup.start()) {
            // train loss often keeps falling fast into cleanup (weight decay lowers it too): the memorization drop
            // ends before cleanup begins
            int hi = Math.max(fit.peak(), train.indexAtOrBefore(cleanup.start()) - 1);
            fit = new Descent(train, fit.peak(), fit.lo(), hi, fit.start(), null);
        }
        TrainLossEnd trainEnd = fit == null ? null : trainLossEnd(fit, cleanup);
        if (trainEnd != null) {
            memorizationEvidence.add(evidence(train, train.step(fit.peak()), String.format(Locale.ROOT,
                    "train loss falls fastest: %s decades per 1000 steps", rate(train.slope(fit.peak())))));
            memorizationEvidence.add(evidence(train, trainEnd.fastKnee(), "train loss stops falling fast"));
            if (trainEnd.end() != null && train.recordedStepNear(trainEnd.end())
                    != train.recordedStepNear(trainEnd.fastKnee())) {
                memorizationEvidence.add(evidence(train, trainEnd.end(), "train loss stops falling"));
            }
        }
        Double excludedTurn = null;
        if (excluded != null && (train == null || fit != null)) {
            // excluded loss shares train loss's fast first drop; its turn is searched for after that drop
            double from = trainEnd != null ? trainEnd.fastKnee() : fit != null ? train.step(fit.peak())
                    : excluded.step(0);
            excludedTurn = excludedLossTurn(excluded, from, cleanup);
            if (excludedTurn != null) {
                memorizationEvidence.add(evidence(excluded, excludedTurn,
                        "excluded loss stops falling and starts to rise"));
            }
        }
        Double memorizationEnd;
        if (train == null) {
            memorizationEnd = excludedTurn;
        } else if (trainEnd == null || trainEnd.end() == null) {
            memorizationEnd = null;
        } else {
            memorizationEnd = excludedTurn == null ? trainEnd.end() : Math.max(trainEnd.end(), excludedTurn);
        }

        List<Phase> phases = new ArrayList<>();
        long firstStep = firstStep();
        if (verdict == Verdict.COMPREHENSION && memorizationStep != null) {
            // train and test loss keep falling together long after the training set is fit, so the losses cannot
            // say where fitting ended: the accuracy milestone does
            phases.add(new Phase(PhaseName.MEMORIZATION, firstStep, memorizationStep, List.of(new Evidence(
                    Metric.TRAIN_ACC, memorizationStep, trainAccuracyAt(memorizationStep),
                    "train accuracy holds its threshold: the training set is fit"))));
            notes.add("the verdict is COMPREHENSION (generalization came with fitting, or as a gradual drift): the "
                    + "memorization phase ends at the memorization step, and there is no separate circuit-formation "
                    + "or cleanup phase");
            return new LocatedPhases(phases, notes);
        }
        if (fit == null && memorizationEnd == null && memorizationStep != null && verdict != Verdict.RUNNING) {
            phases.add(new Phase(PhaseName.MEMORIZATION, firstStep, memorizationStep, List.of(new Evidence(
                    Metric.TRAIN_ACC, memorizationStep, trainAccuracyAt(memorizationStep),
                    "train accuracy holds its threshold: the training set is fit"))));
            notes.add("train loss shows no clear end of memorization (no fast fall that flattens), so the "
                    + "memorization phase ends at the memorization step");
            memorizationEnd = (double) memorizationStep;
        } else if (fit != null || memorizationEnd != null) {
            phases.add(new Phase(PhaseName.MEMORIZATION, firstStep, round(memorizationEnd), memorizationEvidence));
            if (memorizationEnd == null) {
                notes.add(trainEnd != null && trainEnd.stillFalling()
                        ? "the end of memorization is not in the data yet: train loss is still falling at the last "
                                + "step (" + Math.round(train.step(train.last())) + ")"
                        : "the end of memorization is not in the data yet: train loss has not flattened for "
                                + CONFIRM_POINTS + " evaluations");
            }
        }

        // comprehension: test loss fell fastest while the training set was still being fit (a memorization phase
        // without an end is still being fit at the last step)
        boolean memorizing = fit != null || memorizationEnd != null;
        if (cleanup != null && memorizing && (memorizationEnd == null || cleanup.start() < memorizationEnd)) {
            notes.add(String.format(Locale.ROOT, "test loss fell fastest from step %d, before memorization ended "
                    + "(%s): generalization came with fitting, so there is no separate circuit-formation or cleanup "
                    + "phase", Math.round(cleanup.start()), memorizationEnd == null ? "it has not ended yet"
                            : "at step " + Math.round(memorizationEnd)));
            return new LocatedPhases(phases, notes);
        }

        // 3. circuit formation: between memorization and cleanup
        double windowStart = memorizationEnd != null ? memorizationEnd : firstStep;
        double windowEnd = cleanup != null ? cleanup.start() : lastStep();
        List<Evidence> circuitEvidence = new ArrayList<>();
        boolean circuitMoves = false;
        if (memorizationEnd != null || cleanup != null) {
            circuitMoves |= move(excluded, windowStart, windowEnd, MIN_LOSS_MOVE, "excluded loss rises",
                    circuitEvidence);
            circuitMoves |= move(restricted, windowStart, windowEnd, -MIN_LOSS_MOVE, "restricted loss falls",
                    circuitEvidence);
            // the weight norm alone is weak evidence (it drifts a few per cent in any run): without a cleanup after
            // it, it must fall by a fifth
            circuitMoves |= move(weight, windowStart, windowEnd, cleanup != null ? -MIN_NORM_MOVE
                    : -MIN_NORM_MOVE_ALONE, "weight norm falls", circuitEvidence);
            if (test != null && (circuitMoves || cleanup != null)) {
                double testChange = test.smoothAt(windowEnd) - test.smoothAt(windowStart);
                if (testChange > -MIN_CLEANUP_DROP) {
                    circuitEvidence.add(evidence(test, windowEnd, String.format(Locale.ROOT,
                            "test loss stays high: %s at step %d, %s here",
                            format(test.recordedValueNear(windowStart)), test.recordedStepNear(windowStart),
                            format(test.recordedValueNear(windowEnd)))));
                } else {
                    notes.add(String.format(Locale.ROOT, "test loss falls %.1f decades between steps %d and %d, "
                            + "so it does not stay high during circuit formation", -testChange,
                            Math.round(windowStart), Math.round(windowEnd)));
                }
            }
        }
        if (cleanup != null || circuitMoves) {
            Long start = round(memorizationEnd);
            if (start == null) {
                notes.add("circuit formation has no start step because the end of memorization is unknown");
            }
            Long end = cleanup == null ? null : round(cleanup.start());
            if (end == null) {
                notes.add("circuit formation is under way at the last step (" + lastStep()
                        + "): cleanup has not begun");
            }
            phases.add(new Phase(PhaseName.CIRCUIT_FORMATION, start, end, circuitEvidence));
        } else if (memorizationEnd != null) {
            notes.add("no sign of circuit formation after memorization: excluded loss does not rise, restricted "
                    + "loss and weight norm do not fall");
        }

        // 4. cleanup: from the start of test loss's collapse until it, the weight norm's sharp fall and the Gini
        // jump have all levelled off (Nanda et al. §5.2)
        if (cleanup != null) {
            List<Evidence> evidence = cleanupEvidence(cleanup, weight, restricted, giniUnembed, giniEmbed);
            Double end = cleanup.end();
            if (end != null) {
                // each measure's own end; cleanup ends at their median (the upper one of an even count), so one
                // noisy measure neither cuts it short nor drags it out
                List<Double> ends = new ArrayList<>(List.of(end));
                List<Evidence> levelEvidence = new ArrayList<>();
                for (SmoothedCurve measure : java.util.Arrays.asList(weight, giniUnembed, giniEmbed)) {
                    if (measure == null || measure == cleanup.curve()) {
                        continue;
                    }
                    Double levelled = levelsOff(measure, cleanup, measure.scale() == Scale.LINEAR);
                    if (levelled == null) {
                        continue;
                    }
                    if (levelled.isNaN()) {
                        ends.add(Double.POSITIVE_INFINITY);
                        notes.add(measure.metric().wireName() + " is still changing fast at the last step");
                        continue;
                    }
                    ends.add(levelled);
                    levelEvidence.add(evidence(measure, levelled, measure.metric().wireName().replace('_', ' ')
                            + (measure.scale() == Scale.LINEAR ? " stops rising fast" : " stops falling fast")));
                }
                java.util.Collections.sort(ends);
                double median = ends.get(ends.size() / 2);
                if (Double.isInfinite(median)) {
                    end = null;
                    notes.add("cleanup has no end yet: most of its measures still change fast at the last step");
                } else {
                    end = median;
                }
                evidence.addAll(levelEvidence);
            }
            phases.add(new Phase(PhaseName.CLEANUP, round(cleanup.start()), round(end), evidence));
            if (cleanup.end() == null) {
                notes.add(cleanup.curve().metric().wireName() + " is still falling fast at the last step ("
                        + lastStep() + "): cleanup has no end yet");
            }
        }
        return new LocatedPhases(phases, notes);
    }

    /**
     * Where a measure's fast change during cleanup (the weight norm's fall, or a Gini coefficient's rise) ends: the
     * fast stretch around its steepest change between the start of cleanup and twice cleanup's length after its end,
     * ended by a hinge fit; null when it does not change fast there (or its fastest change lies before cleanup),
     * NaN when it still changes fast at the last step.
     */
    private Double levelsOff(SmoothedCurve measure, Descent cleanup, boolean rises) {
        double from = cleanup.start();
        double until = cleanup.end() + 2 * (cleanup.end() - cleanup.start());
        int lo = Math.max(0, measure.indexAtOrAfter(from));
        int hi = Math.min(measure.last(), measure.indexAtOrBefore(until));
        if (hi - lo < 2 * MIN_FIT_REACH) {
            return null;
        }
        double sign = rises ? -1 : 1;
        int peak = lo;
        for (int i = lo; i <= hi; i++) {
            if (sign * measure.slope(i) < sign * measure.slope(peak)) {
                peak = i;
            }
        }
        double peakSlope = sign * measure.slope(peak);
        if (!(peakSlope < 0)) {
            return null;
        }
        // the change must be the measure's fastest of the run and large enough to matter
        int anywhere = 0;
        for (int i = 0; i <= measure.last(); i++) {
            if (sign * measure.slope(i) < sign * measure.slope(anywhere)) {
                anywhere = i;
            }
        }
        if (peakSlope > AS_FAST_AS * sign * measure.slope(anywhere)) {
            return null;
        }
        int end = peak;
        while (end + 1 <= measure.last() && sign * measure.slope(end + 1) <= FAST_FRACTION * peakSlope) {
            end++;
        }
        int start = peak;
        while (start - 1 >= 0 && sign * measure.slope(start - 1) <= FAST_FRACTION * peakSlope) {
            start--;
        }
        double moved = Math.abs(measure.smooth(end) - measure.smooth(start));
        // a change that noise of this size could make is not one to end cleanup by
        if (moved < (rises ? MIN_GINI_RISE : MIN_NORM_MOVE) || moved < NOISE_MULTIPLE * measure.noise()) {
            return null;
        }
        if (measure.last() - end < CONFIRM_POINTS) {
            return Double.NaN;
        }
        double knot = measure.step(end);
        int reach = Math.max(MIN_FIT_REACH, end - start);
        Optional<HingeFit> knee = HingeFit.best(measure.steps(), measure.despiked(), peak,
                Math.min(measure.last(), end + reach));
        if (knee.isPresent() && sign * knee.get().rightSlope() > sign * knee.get().leftSlope()
                && measure.last() - measure.indexAtOrAfter(knee.get().knot()) >= CONFIRM_POINTS) {
            knot = knee.get().knot();
        }
        return knot;
    }

    private List<Evidence> cleanupEvidence(Descent cleanup, SmoothedCurve weight, SmoothedCurve restricted,
            SmoothedCurve giniUnembed, SmoothedCurve giniEmbed) {
        SmoothedCurve drop = cleanup.curve();
        double end = cleanup.end() == null ? lastStep() : cleanup.end();
        List<Evidence> found = new ArrayList<>();
        found.add(evidence(drop, cleanup.start(), drop.metric().wireName().replace('_', ' ') + " starts falling fast"));
        found.add(evidence(drop, drop.step(cleanup.peak()), String.format(Locale.ROOT,
                "%s falls fastest: %s decades per 1000 steps", drop.metric().wireName().replace('_', ' '),
                rate(drop.slope(cleanup.peak())))));
        if (cleanup.end() != null) {
            found.add(evidence(drop, end, String.format(Locale.ROOT, "%s stops falling fast, down %.1f decades",
                    drop.metric().wireName().replace('_', ' '), drop.smoothAt(cleanup.start()) - drop.smoothAt(end))));
        }
        if (weight != null && weight != drop) {
            int from = Math.max(0, weight.indexAtOrAfter(cleanup.start()));
            int to = Math.min(weight.last(), Math.max(from, weight.indexAtOrBefore(end)));
            if (from <= to) {
                int fastest = weight.steepestDescent(from, to);
                int fastestAnywhere = weight.steepestDescent(0, weight.last());
                if (weight.slope(fastest) < 0) {
                    // "fastest" only when no other stretch of the run falls clearly faster (noise aside)
                    boolean runsFastest = weight.slope(fastest) <= AS_FAST_AS * weight.slope(fastestAnywhere);
                    found.add(evidence(weight, weight.step(fastest), runsFastest
                            ? String.format(Locale.ROOT, "weight norm falls fastest: %.1f %% per 1000 steps",
                                    percentPer1000(weight.slope(fastest)))
                            : String.format(Locale.ROOT, "weight norm falls %.1f %% per 1000 steps, less than its "
                                    + "fastest fall (%.1f %% at step %d)", percentPer1000(weight.slope(fastest)),
                                    percentPer1000(weight.slope(fastestAnywhere)),
                                    weight.recordedStepNear(weight.step(fastestAnywhere)))));
                }
            }
        }
        move(restricted, cleanup.start(), end, -MIN_LOSS_MOVE, "restricted loss keeps falling", found);
        giniRise(giniUnembed, cleanup.start(), end, "Gini of W_L", found);
        giniRise(giniEmbed, cleanup.start(), end, "Gini of W_E", found);
        return found;
    }

    private void giniRise(SmoothedCurve gini, double from, double to, String what, List<Evidence> found) {
        if (gini == null) {
            return;
        }
        double rise = gini.smoothAt(to) - gini.smoothAt(from);
        if (rise >= MIN_GINI_RISE) {
            found.add(evidence(gini, to, String.format(Locale.ROOT, "%s jumps from %.2f to %.2f", what,
                    gini.recordedValueNear(from), gini.recordedValueNear(to))));
        }
    }

    /**
     * Adds evidence when the curve moves by at least {@code threshold} (in its scale's units; negative = a fall)
     * between two steps; the curve must cover some of the window.
     */
    private boolean move(SmoothedCurve curve, double from, double to, double threshold, String finding,
            List<Evidence> found) {
        if (curve == null || to <= from || curve.step(curve.last()) <= from || curve.step(0) >= to) {
            return false;
        }
        double start = Math.max(from, curve.step(0));
        double change = curve.smoothAt(to) - curve.smoothAt(start);
        // a move the curve's own noise could make (its smoothed values average at least 5 evaluations) is no move
        double needed = Math.max(Math.abs(threshold), NOISE_MULTIPLE * curve.noise() / Math.sqrt(5));
        boolean moved = threshold > 0 ? change >= needed : change <= -needed;
        if (moved) {
            found.add(evidence(curve, to, String.format(Locale.ROOT, "%s from %s at step %d to %s", finding,
                    format(curve.recordedValueNear(start)), curve.recordedStepNear(start),
                    format(curve.recordedValueNear(to)))));
        }
        return moved;
    }

    /** The fastest fall anywhere in the curve, if it falls by at least {@code minDrop} across its fast stretch. */
    private Descent steepestDescent(SmoothedCurve curve, double minDrop) {
        int peak = curve.steepestDescent(0, curve.last());
        return describeDescent(curve, peak, minDrop);
    }

    /**
     * The first stretch where the curve falls at least {@link #EPISODE_FRACTION} as fast as its fastest fall anywhere:
     * for train loss, the memorization drop even when the cleanup drop is steeper.
     */
    private Descent firstFastDescent(SmoothedCurve curve) {
        int steepest = curve.steepestDescent(0, curve.last());
        double level = EPISODE_FRACTION * curve.slope(steepest);
        if (!(level < 0)) {
            return null;
        }
        int start = 0;
        while (curve.slope(start) > level) {
            start++;
        }
        int stop = start;
        while (stop + 1 <= curve.last() && curve.slope(stop + 1) <= level) {
            stop++;
        }
        return describeDescent(curve, curve.steepestDescent(start, stop), MIN_MEMORIZATION_DROP);
    }

    private Descent describeDescent(SmoothedCurve curve, int peak, double minDrop) {
        if (!(curve.slope(peak) < 0)) {
            return null;
        }
        int[] region = curve.fastRegion(peak, FAST_FRACTION);
        int lo = region[0];
        int hi = region[1];
        if (curve.smooth(lo) - curve.smooth(hi) < minDrop) {
            return null;
        }
        int reach = Math.max(MIN_FIT_REACH, hi - lo);
        double start = curve.step(lo);
        if (lo > 0) {
            Optional<HingeFit> knee = HingeFit.best(curve.steps(), curve.despiked(), Math.max(0, lo - reach), peak);
            if (knee.isPresent() && knee.get().rightSlope() < knee.get().leftSlope()) {
                start = knee.get().knot();
            }
        }
        Double end = null;
        if (curve.last() - hi >= CONFIRM_POINTS) {
            end = curve.step(hi);
            Optional<HingeFit> knee = HingeFit.best(curve.steps(), curve.despiked(), peak,
                    Math.min(curve.last(), hi + reach));
            if (knee.isPresent() && knee.get().rightSlope() > knee.get().leftSlope()
                    && curve.last() - curve.indexAtOrAfter(knee.get().knot()) >= CONFIRM_POINTS) {
                end = knee.get().knot();
            }
        }
        return new Descent(curve, peak, lo, hi, start, end);
    }

    /**
     * Where train loss stops falling.
     *
     * @param fastKnee     where its fast first drop ends
     * @param end          where it stops falling altogether (at or after {@code fastKnee}); null when it is still
     *                     falling at the last step
     * @param stillFalling whether {@code end} is null because train loss still falls at the last step
     */
    private record TrainLossEnd(double fastKnee, Double end, boolean stillFalling) {
    }

    /**
     * Where train loss stops falling. It first drops fast (the network fits most of its training set within a few
     * hundred steps) and often goes on falling more slowly for much longer (Nanda et al.: fast to ~150, then slower
     * until ~1.4k), so the knee of the fast drop is only where memorization slows, not where it ends:
     * <ol>
     * <li>the fast knee: a hinge fit from the drop's steepest point to twice its length beyond it, before any
     * cleanup, placed where the fit flattens;</li>
     * <li>the end: a second hinge from the fast knee to the start of cleanup (or the last point). Its knot counts when
     * its left arm still falls at least {@value #SLOW_FALL_FRACTION} as fast as the steepest point and by at least
     * {@value #MIN_LOSS_MOVE} decades, its right arm falls at most {@value #FLAT_FRACTION} as fast as the left, and
     * {@value #CONFIRM_POINTS} points follow it. Otherwise the fast knee is the end, unless no cleanup follows and a
     * straight line through the last {@value #TAIL_POINTS} points still falls at {@value #SLOW_FALL_FRACTION} of the
     * steepest rate: then the end is not in the data yet.</li>
     * </ol>
     * Null when fewer than {@value #CONFIRM_POINTS} points follow the fast drop.
     */
    private TrainLossEnd trainLossEnd(Descent fit, Descent cleanup) {
        SmoothedCurve train = fit.curve();
        if (train.last() - fit.hi() < CONFIRM_POINTS) {
            return null;
        }
        int beforeCleanup = train.last();
        if (cleanup != null) {
            int lastBefore = train.indexAtOrBefore(cleanup.start()) - 1;
            if (lastBefore >= fit.hi()) {
                beforeCleanup = lastBefore;
            }
        }
        int reach = Math.max(MIN_FIT_REACH, fit.hi() - fit.lo());
        int limit = Math.min(beforeCleanup, fit.hi() + 2 * reach);
        double fastKnee = train.step(fit.hi());
        Optional<HingeFit> knee = HingeFit.best(train.steps(), train.despiked(), fit.peak(), limit);
        if (knee.isPresent() && knee.get().rightSlope() > knee.get().leftSlope()
                && train.last() - train.indexAtOrAfter(knee.get().knot()) >= CONFIRM_POINTS) {
            fastKnee = knee.get().knot();
        }

        double steepest = train.slope(fit.peak());
        int from = train.indexAtOrAfter(fastKnee);
        Optional<HingeFit> flattening = HingeFit.best(train.steps(), train.despiked(), from, beforeCleanup);
        if (flattening.isPresent()) {
            HingeFit hinge = flattening.get();
            boolean stillFellBefore = hinge.leftSlope() <= SLOW_FALL_FRACTION * steepest
                    && -hinge.leftSlope() * (hinge.knot() - train.step(from)) >= MIN_LOSS_MOVE;
            boolean flatAfter = hinge.rightSlope() >= FLAT_FRACTION * hinge.leftSlope();
            boolean confirmed = train.last() - train.indexAtOrAfter(hinge.knot()) >= CONFIRM_POINTS;
            if (stillFellBefore && flatAfter && confirmed) {
                return new TrainLossEnd(fastKnee, hinge.knot(), false);
            }
        }
        if (beforeCleanup == train.last()) {
            int tailFrom = Math.max(from, train.last() - TAIL_POINTS + 1);
            if (train.last() - tailFrom + 1 >= CONFIRM_POINTS
                    && lineSlope(train, tailFrom, train.last()) <= SLOW_FALL_FRACTION * steepest) {
                return new TrainLossEnd(fastKnee, null, true);
            }
        }
        return new TrainLossEnd(fastKnee, fastKnee, false);
    }

    /** The least-squares slope of the despiked values over points {@code from..to}. */
    private static double lineSlope(SmoothedCurve curve, int from, int to) {
        double meanX = 0;
        double meanY = 0;
        for (int i = from; i <= to; i++) {
            meanX += curve.step(i);
            meanY += curve.despiked()[i];
        }
        meanX /= to - from + 1;
        meanY /= to - from + 1;
        double sxy = 0;
        double sxx = 0;
        for (int i = from; i <= to; i++) {
            sxy += (curve.step(i) - meanX) * (curve.despiked()[i] - meanY);
            sxx += (curve.step(i) - meanX) * (curve.step(i) - meanX);
        }
        return sxy / sxx;
    }

    /**
     * The step where excluded loss stops falling and starts to rise, searched from {@code from} to the start of
     * cleanup; null unless it fell into its minimum and rose by {@link #MIN_LOSS_MOVE} decades after it.
     */
    private Double excludedLossTurn(SmoothedCurve excluded, double from, Descent cleanup) {
        int lo = Math.min(excluded.last(), excluded.indexAtOrAfter(from));
        int hi = excluded.last();
        if (cleanup != null) {
            // the turn lies before cleanup, always: a series that starts after cleanup began has none to show
            if (cleanup.start() <= excluded.step(lo)) {
                notes.add("excluded loss is recorded only from step " + Math.round(excluded.step(0)) + ", after "
                        + "cleanup began, so it cannot show the end of memorization; that rests on train loss");
                return null;
            }
            hi = Math.max(lo, excluded.indexAtOrBefore(cleanup.start()));
        }
        int minimum = excluded.argMin(lo, hi);
        if (hi - minimum < CONFIRM_POINTS) {
            return null;
        }
        double rise = excluded.smooth(excluded.argMax(minimum, hi)) - excluded.smooth(minimum);
        double fall = excluded.smooth(excluded.argMax(0, minimum)) - excluded.smooth(minimum);
        if (rise < MIN_LOSS_MOVE) {
            return null;
        }
        if (fall < MIN_LOSS_MOVE) {
            notes.add("excluded loss rises from its first point (step " + Math.round(excluded.step(0))
                    + "), so its turning point is not in the data; the end of memorization rests on train loss");
            return null;
        }
        int reach = Math.max(MIN_FIT_REACH, (hi - lo) / 4);
        // the fit starts no earlier than the search: before it lies the fast first drop, a different straight line
        Optional<HingeFit> turn = HingeFit.best(excluded.steps(), excluded.despiked(), Math.max(lo, minimum - reach),
                Math.min(hi, minimum + reach));
        if (turn.isPresent() && turn.get().leftSlope() < 0 && turn.get().rightSlope() > 0) {
            return turn.get().knot();
        }
        return excluded.step(minimum);
    }

    private double trainAccuracyAt(long step) {
        MetricSeries accuracy = history.require(Metric.TRAIN_ACC);
        return accuracy.value(accuracy.nearestIndex(step));
    }

    private long firstStep() {
        return history.firstStep();
    }

    private long lastStep() {
        return history.lastStep();
    }

    private static Evidence evidence(SmoothedCurve curve, double step, String finding) {
        return new Evidence(curve.metric(), curve.recordedStepNear(step), curve.recordedValueNear(step), finding);
    }

    private static Long round(Double step) {
        return step == null ? null : Math.round(step);
    }

    /** A log₁₀ slope per step as the percentage the value loses per 1000 steps. */
    private static double percentPer1000(double log10SlopePerStep) {
        return 100 * (1 - Math.pow(10, 1000 * log10SlopePerStep));
    }

    private static String rate(double slopePerStep) {
        return String.format(Locale.ROOT, "%.2f", 1000 * slopePerStep);
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
