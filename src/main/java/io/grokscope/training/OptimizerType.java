package io.grokscope.training;

/** How parameters are updated from (filtered) gradients. */
public enum OptimizerType {
    /** Adam with decoupled weight decay (Loshchilov and Hutter): theta -= lr * wd * theta, separately from Adam. */
    ADAMW,
    /** Adam with weight decay as L2 added to the gradient before the moments, as torch.optim.Adam and Grokfast do. */
    ADAM,
    /** Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay added to the gradient. */
    SGD
}
