package io.grokscope.metrics;

import io.grokscope.analysis.Metric;

/** One value of one metric at one training step: a row of {@code metric_point}. */
public record MetricPoint(Metric metric, long step, double value) {

    public MetricPoint {
        if (metric == null || step < 0) {
            throw new IllegalArgumentException("a point has a metric and a step >= 0");
        }
    }
}
