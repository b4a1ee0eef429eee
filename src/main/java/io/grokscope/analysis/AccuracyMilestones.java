package io.grokscope.analysis;

/**
 * When an accuracy curve reached a threshold: for good ({@code staysFrom}, the first eval step from which every later
 * value is ≥ the threshold) and at all ({@code firstCrossing}). Both null when it never did; {@code staysFrom} is null
 * too when the last value is below the threshold, even if it crossed before.
 *
 * <p>The stays-rule is what the verdict and the delay use: a test accuracy that touches 99 % by noise and falls back
 * has not generalized. The first crossing is kept because it is what Power et al. and Liu et al. report.
 *
 * <p>Non-finite values (NaN, ±∞) are not accuracies: an evaluation can be lost, but a model's accuracy is always a
 * number in [0, 1]. They are skipped as missing evaluations, so a lost row after generalization neither resets the
 * milestone nor, as the last point, undoes it; {@code ignoredPoints} counts them so the analysis can say so.
 *
 * @param firstCrossing first step with value ≥ threshold
 * @param staysFrom     first step from which all values are ≥ threshold
 * @param lastStep      the last step with a finite value, or null when there is none
 * @param lastValue     the value there (NaN when there is none)
 * @param ignoredPoints how many non-finite points were skipped
 */
record AccuracyMilestones(Long firstCrossing, Long staysFrom, Long lastStep, double lastValue, int ignoredPoints) {

    static AccuracyMilestones of(MetricSeries accuracy, double threshold) {
        Long first = null;
        Long stays = null;
        Long lastStep = null;
        double lastValue = Double.NaN;
        int ignored = 0;
        for (int i = 0; i < accuracy.size(); i++) {
            double value = accuracy.value(i);
            if (!Double.isFinite(value)) {
                ignored++;
                continue;
            }
            boolean reached = value >= threshold;
            if (reached && first == null) {
                first = accuracy.step(i);
            }
            if (!reached) {
                stays = null;
            } else if (stays == null) {
                stays = accuracy.step(i);
            }
            lastStep = accuracy.step(i);
            lastValue = value;
        }
        return new AccuracyMilestones(first, stays, lastStep, lastValue, ignored);
    }
}
