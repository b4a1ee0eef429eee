package io.grokscope.experiment;

/**
 * Fixed bounds of a spec's fields, part of the contract (each is a {@code maximum} in {@code openapi/grokscope.yaml},
 * so a generated client checks it too): sanity bounds on values, and structural caps that keep size arithmetic far
 * from overflow. What a run costs (modulus, steps, parameters, memory, metric rows, expression size) is bounded by
 * the configurable {@code grokscope.limits} instead; see {@link SpecLimits}.
 */
final class ExperimentLimits {

    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_LAYERS = 12;
    static final int MAX_WIDTH = 4096;
    static final int MAX_HEADS = 64;
    static final int MAX_HIDDEN_LAYERS = 8;
    static final double MAX_INIT_SCALE = 100;
    /** Largest cadence or delay in steps (evalEvery, checkpointEvery, warmupSteps, ...); steps itself is configured. */
    static final int MAX_STEPS = 1_000_000;
    static final int MAX_BATCH_SIZE = 1_000_000;
    static final int MAX_MA_WINDOW = 1000;
    static final double MAX_LEARNING_RATE = 10;
    static final double MAX_WEIGHT_DECAY = 100;
    static final double MAX_FILTER_LAMBDA = 100;
    static final int MAX_PRIORITY = 100;

    private ExperimentLimits() {
    }
}
