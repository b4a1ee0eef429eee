package io.grokscope.training;

/**
 * A Grokfast gradient filter (Lee et al. 2024), applied to the raw gradient before the optimizer: the slow component
 * of the gradient, amplified by lambda, is added back to it.
 */
public sealed interface GradientFilterSpec {

    /** lambda, the amplification of the slow component. */
    double lambda();

    /** Grokfast-EMA: mu = alpha*mu + (1-alpha)*g (mu starts at the first gradient); g' = g + lambda*mu. */
    record Ema(double alpha, double lambda) implements GradientFilterSpec {
        public Ema {
            if (!(alpha >= 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1), was " + alpha);
            }
            if (!(lambda >= 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, was " + lambda);
            }
        }
    }

    /**
     * Grokfast-MA: g' = g + lambda * mean of the last {@code window} gradients (the current one included); no
     * filtering until the window is full, as in the reference code's warm-up.
     */
    record MovingAverage(int window, double lambda) implements GradientFilterSpec {
        public MovingAverage {
            if (window < 1) {
                throw new IllegalArgumentException("window must be >= 1, was " + window);
            }
            if (!(lambda >= 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("lambda must be finite and >= 0, was " + lambda);
            }
        }
    }
}
