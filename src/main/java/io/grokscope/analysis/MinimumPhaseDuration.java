package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Merges a located phase that is too short to be resolved by the data into its neighbour (see
 * {@link PhaseThresholds#minPhaseDuration}). A sliver between two boundaries that lie within one smoothing window of
 * each other is where the detector could not separate them, not a phase the run went through.
 *
 * <p>A phase counts as short only when both its ends are known: one still under way, or whose start could not be
 * located, has no duration yet. A short phase goes to its longer neighbour (an open neighbour counts as the longer),
 * which then spans both; it keeps its own name and evidence, the sliver's evidence is dropped with it and the note
 * says what was merged where. The shortest sliver goes first, and merging repeats until no short phase with a
 * neighbour is left; a phase without a neighbour (comprehension's lone memorization phase) stays whatever its length.
 */
final class MinimumPhaseDuration {

    private MinimumPhaseDuration() {
    }

    /**
     * The phases with the short ones merged into their neighbours, and a note for each merge.
     *
     * @param phases     located phases, in order and contiguous
     * @param span       the run's span in steps (first to last recorded step)
     * @param thresholds where {@code minPhaseShare} and {@code minPhaseSteps} come from
     */
    static LocatedPhases merge(List<Phase> phases, long span, PhaseThresholds thresholds) {
        double minimum = thresholds.minPhaseDuration(span);
        List<Phase> merged = new ArrayList<>(phases);
        List<String> notes = new ArrayList<>();
        while (merged.size() > 1) {
            int sliver = shortest(merged, minimum);
            if (sliver < 0) {
                break;
            }
            Phase dropped = merged.get(sliver);
            int into = neighbour(merged, sliver);
            Phase keeper = merged.get(into);
            Phase before = merged.get(Math.min(sliver, into));
            Phase after = merged.get(Math.max(sliver, into));
            merged.set(into, new Phase(keeper.name(), before.startStep(), after.endStep(), keeper.evidence()));
            merged.remove(sliver);
            notes.add(String.format(Locale.ROOT, "%s (steps %d–%d) lasted %d steps, less than the minimum phase "
                    + "duration of %.0f steps (the larger of minPhaseSteps %d and minPhaseShare %s × the run's span "
                    + "of %d steps): too short for the data to resolve as a phase of its own, so it is merged into "
                    + "%s", label(dropped), dropped.startStep(), dropped.endStep(), duration(dropped), minimum,
                    thresholds.minPhaseSteps(), thresholds.minPhaseShare(), span, label(keeper)));
        }
        return new LocatedPhases(merged, notes);
    }

    /** The index of the shortest closed phase shorter than {@code minimum}, or -1. */
    private static int shortest(List<Phase> phases, double minimum) {
        int found = -1;
        for (int i = 0; i < phases.size(); i++) {
            Long duration = duration(phases.get(i));
            if (duration != null && duration < minimum
                    && (found < 0 || duration < duration(phases.get(found)))) {
                found = i;
            }
        }
        return found;
    }

    /** The longer of the phase's neighbours (an open one counts as infinitely long; the earlier one on a tie). */
    private static int neighbour(List<Phase> phases, int index) {
        if (index == 0) {
            return 1;
        }
        if (index == phases.size() - 1) {
            return index - 1;
        }
        return length(phases.get(index + 1)) > length(phases.get(index - 1)) ? index + 1 : index - 1;
    }

    private static double length(Phase phase) {
        Long duration = duration(phase);
        return duration == null ? Double.POSITIVE_INFINITY : duration;
    }

    private static Long duration(Phase phase) {
        return phase.startStep() == null || phase.endStep() == null ? null : phase.endStep() - phase.startStep();
    }

    private static String label(Phase phase) {
        return phase.name().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
