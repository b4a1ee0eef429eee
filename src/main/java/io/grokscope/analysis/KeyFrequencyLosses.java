package io.grokscope.analysis;

/**
 * The two losses Nanda et al. (2023, §5.1) use to watch the Fourier circuit form, at one step.
 *
 * @param restricted training-set cross-entropy of the logits keeping only the constant and the key-frequency
 *                   directions: it falls as the circuit alone becomes able to solve the task
 * @param excluded   training-set cross-entropy of the logits with the key-frequency directions removed: it rises as
 *                   the memorised solution is replaced by the circuit
 */
public record KeyFrequencyLosses(double restricted, double excluded) {
}
