package io.grokscope.analysis;

/**
 * When an accuracy curve reached a threshold: for good ({@code staysFrom}, the first eval step from which every later
 * value is ≥ the threshold) and at all ({@code firstCrossing}). Both null when it never did; {@code staysFrom} is null
 * too when the last value is below the threshold, even if it crossed before.
 *
 * <p>The stays-rule is what the verdict and the delay use: a test accuracy that touches 99 % by noise and falls back
 * has not generalized. The first crossing is kept because it is what Power et al. and Liu et al. report.
 *
 * @param firstCrossing first step with value ≥ threshold
 * @param staysFrom     first step from which all values are ≥ threshold
 * @param lastStep      the last recorded step, or null for an empty series
 * @param lastValue     the value there (NaN for an empty series)
 */
record AccuracyMilestones(Long firstCrossing, Long staysFrom, Long lastStep, double lastValue) {

    /** Non-finite values count as below the threshold. */
    static AccuracyMilestones of(MetricSeries accuracy, double threshold) {
        int n = accuracy.size();
        if (n == 0) {
            return new AccuracyMilestones(null, null, null, Double.NaN);
        }
        Long first = null;
        for (int i = 0; i < n; i++) {
            if (accuracy.value(i) >= threshold) {
                first = accuracy.step(i);
                break;
            }
        }
        Long stays = null;
        for (int i = n - 1; i >= 0 && accuracy.value(i) >= threshold; i--) {
            stays = accuracy.step(i);
        }
        return new AccuracyMilestones(first, stays, accuracy.step(n - 1), accuracy.value(n - 1));
    }
}
