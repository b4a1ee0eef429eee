package io.grokscope.analysis;

/**
 * The first eval step at which train (memorization) and test (generalization) accuracy reached their thresholds at
 * all, whether or not they stayed there; null when never.
 */
public record FirstCrossing(Long memorization, Long generalization) {
}
