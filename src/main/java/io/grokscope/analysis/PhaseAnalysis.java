package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The phase-transition analysis of one run, shaped exactly as the {@code /analysis} JSON in the API notes.
 *
 * <p>{@link PhaseAnalyzer} computes it from the run's series alone and leaves {@code experimentId} null; the service
 * that knows the run adds it with {@link #withExperimentId}. Every field that cannot be known from the data so far is
 * null, and {@code notes} says why.
 *
 * @param experimentId       the run, added by the caller; null from the analyzer
 * @param verdict            what the run did (RUNNING while it trains)
 * @param memorizationStep   first eval step from which train accuracy stays ≥ its threshold to the end of the data
 * @param generalizationStep first eval step from which test accuracy stays ≥ its threshold to the end of the data
 * @param grokkingDelay      generalizationStep − memorizationStep
 * @param delayRatio         generalizationStep ÷ memorizationStep
 * @param firstCrossing      the first steps the thresholds were reached at all
 * @param thresholds         the thresholds used
 * @param phases             the phases located from the progress measures, in order
 * @param keyFrequencies     the key frequencies at the latest measured step, ascending
 * @param notes              why fields are null, and anything a reader should know about how the phases were found
 */
public record PhaseAnalysis(Long experimentId, Verdict verdict, Long memorizationStep, Long generalizationStep,
        Long grokkingDelay, Double delayRatio, FirstCrossing firstCrossing, PhaseThresholds thresholds,
        List<Phase> phases, List<Integer> keyFrequencies, List<String> notes) {

    public PhaseAnalysis {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(firstCrossing, "firstCrossing");
        Objects.requireNonNull(thresholds, "thresholds");
        phases = List.copyOf(phases);
        keyFrequencies = List.copyOf(keyFrequencies);
        notes = List.copyOf(notes);
    }

    /** This analysis attributed to a run. */
    public PhaseAnalysis withExperimentId(long id) {
        return new PhaseAnalysis(id, verdict, memorizationStep, generalizationStep, grokkingDelay, delayRatio,
                firstCrossing, thresholds, phases, keyFrequencies, notes);
    }

    /** This analysis with further notes appended (e.g. the service's own reasons for missing series). */
    public PhaseAnalysis withNotes(List<String> more) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new PhaseAnalysis(experimentId, verdict, memorizationStep, generalizationStep, grokkingDelay,
                delayRatio, firstCrossing, thresholds, phases, keyFrequencies, all);
    }

    /** The located phase of this name, if any. */
    public java.util.Optional<Phase> phase(PhaseName name) {
        return phases.stream().filter(phase -> phase.name() == name).findFirst();
    }
}
