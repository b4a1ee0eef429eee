package io.grokscope.jobs;

/**
 * The analysis headline stored on a finished run's row, for listing without re-analysing: written with the final
 * status ({@link JobRepository#finish}).
 *
 * @param verdict            the verdict's name, null when unknown
 * @param generalizationStep the step test accuracy generalised, or null
 * @param grokkingDelay      steps between memorisation and generalisation, or null
 */
public record RunHeadline(String verdict, Long generalizationStep, Long grokkingDelay) {

    static final RunHeadline NONE = new RunHeadline(null, null, null);
}
