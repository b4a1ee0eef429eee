package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The phase-transition analysis of one run, shaped as the {@code /analysis} JSON of {@code docs/api-intent.md}, with
 * the fields added since (the contract, {@code openapi/grokscope.yaml}, lists them all).
 *
 * <p>{@link PhaseAnalyzer} computes it from the run's series alone and leaves {@code experimentId} null; the service
 * that knows the run adds it with {@link #withExperimentId}. Every field that cannot be known from the data so far is
 * null, and {@code notes} says why.
 *
 * @param experimentId       the run, added by the caller; null from the analyzer
 * @param verdict            what the run did (RUNNING while it trains)
 * @param verdictReason      why, in one sentence that quotes the figures it rests on
 * @param verdictEvidence    the points of the accuracy curves the verdict rests on
 * @param memorizationStep   first eval step from which train accuracy holds its threshold (see
 *                           {@link AccuracyMilestones}: {@code holdSteps} steps within {@code tolerance}, later dips
 *                           being instabilities)
 * @param generalizationStep the same for test accuracy
 * @param grokkingDelay      generalizationStep − memorizationStep
 * @param delayRatio         generalizationStep ÷ memorizationStep
 * @param transitionWidth    steps test accuracy took from 10 % to 90 % of its rise to the generalization level
 * @param transitionShare    transitionWidth ÷ grokkingDelay: small for a late sudden jump, near 1 for a drift
 * @param firstCrossing      the first steps the thresholds were reached at all
 * @param instabilities      dips of train or test accuracy below their thresholds after the milestones, recovered
 * @param thresholds         the thresholds used
 * @param phases             the phases located from the progress measures, in order
 * @param keyFrequencies     the key frequencies at the latest measured step, ascending
 * @param notes              why fields are null, and anything a reader should know about how the phases were found
 */
public record PhaseAnalysis(Long experimentId, Verdict verdict, String verdictReason, List<Evidence> verdictEvidence,
        Long memorizationStep, Long generalizationStep, Long grokkingDelay, Double delayRatio, Long transitionWidth,
        Double transitionShare, FirstCrossing firstCrossing, List<Instability> instabilities,
        PhaseThresholds thresholds, List<Phase> phases, List<Integer> keyFrequencies, List<String> notes) {

    public PhaseAnalysis {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(firstCrossing, "firstCrossing");
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(verdictReason, "verdictReason");
        verdictEvidence = List.copyOf(verdictEvidence);
        instabilities = List.copyOf(instabilities);
        phases = List.copyOf(phases);
        keyFrequencies = List.copyOf(keyFrequencies);
        notes = List.copyOf(notes);
    }

    /** This analysis attributed to a run. */
    public PhaseAnalysis withExperimentId(long id) {
        return new PhaseAnalysis(id, verdict, verdictReason, verdictEvidence, memorizationStep, generalizationStep,
                grokkingDelay, delayRatio, transitionWidth, transitionShare, firstCrossing, instabilities, thresholds,
                phases, keyFrequencies, notes);
    }

    /** This analysis with further notes appended (e.g. the service's own reasons for missing series). */
    public PhaseAnalysis withNotes(List<String> more) {
        List<String> all = new ArrayList<>(notes);
        all.addAll(more);
        return new PhaseAnalysis(experimentId, verdict, verdictReason, verdictEvidence, memorizationStep,
                generalizationStep, grokkingDelay, delayRatio, transitionWidth, transitionShare, firstCrossing,
                instabilities, thresholds, phases, keyFrequencies, all);
    }

    /** The located phase of this name, if any. */
    public java.util.Optional<Phase> phase(PhaseName name) {
        return phases.stream().filter(phase -> phase.name() == name).findFirst();
    }
}
