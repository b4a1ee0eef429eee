package io.grokscope.analysis;

/**
 * A dip of an accuracy below its threshold (less the tolerance) after it had reached and held it: a loss spike or a
 * slingshot (Thilak et al. 2022). Reported instead of moving the milestone or changing the verdict.
 *
 * @param accuracy  which curve: {@code "train"} or {@code "test"}
 * @param step      the first evaluation below the band
 * @param depth     how far below the threshold the dip's lowest point lies (threshold − lowest value)
 * @param duration  steps from its first point below the band to the first point back in it (to the last point when
 *                  it has not recovered yet)
 * @param recovered whether the accuracy is back in the band within the data
 */
public record Instability(String accuracy, long step, double depth, long duration, boolean recovered) {
}
