package io.grokscope.jobs;

import io.grokscope.analysis.PhaseAnalysis;
import io.grokscope.database.JobStatus;
import java.util.Optional;

/**
 * Summarises a run that is about to end, so that its headline is committed with its final status, and analyses a
 * training run on its data so far, so that it can stop once settled. Implemented by the feature that owns the
 * analysis and the spec's format; the job pool only stores the answers.
 */
public interface RunSummarizer {

    /**
     * The headline of the experiment's stored data, analysed as a run that ended with {@code finalStatus}. Every
     * metric of the run is stored when this is called.
     */
    RunHeadline summarise(long experimentId, JobStatus finalStatus);

    /** Whether the run's spec asks to stop once its analysis can no longer change ({@code stopWhenSettled}). */
    boolean stopsWhenSettled(String specJson);

    /**
     * The analysis of a training run's stored data as if the run had ended at its last stored evaluation, and that
     * step; empty while no evaluation after {@code seenStep} is stored (-1: none seen yet), without analysing.
     */
    Optional<SoFar> analyseSoFar(long experimentId, long seenStep);

    /** An analysis of the data up to {@code lastStep}. */
    record SoFar(PhaseAnalysis analysis, long lastStep) {
    }
}
