package io.grokscope.analysis;

import java.util.Objects;

/**
 * One observation a phase boundary rests on: the measure, the step and the recorded value there, and what was seen.
 *
 * @param measure the metric (serialised as its wire name, e.g. {@code "train_loss"})
 * @param step    the recorded step the value is from
 * @param value   the recorded value at that step (not a smoothed one)
 * @param finding what the curve does there, in words
 */
public record Evidence(Metric measure, long step, double value, String finding) {

    public Evidence {
        Objects.requireNonNull(measure, "measure");
        Objects.requireNonNull(finding, "finding");
    }
}
