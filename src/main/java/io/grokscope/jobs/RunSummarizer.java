package io.grokscope.jobs;

/**
 * Summarises a run that is about to end, so that its headline is committed with its final status. Implemented by the
 * feature that owns the analysis; the job pool only stores the answer.
 */
public interface RunSummarizer {

    /**
     * The headline of the experiment's stored data, analysed as a run that ended with {@code finalStatus}. Every
     * metric of the run is stored when this is called.
     */
    RunHeadline summarise(long experimentId, String finalStatus);
}
