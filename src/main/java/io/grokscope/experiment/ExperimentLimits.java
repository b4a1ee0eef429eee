package io.grokscope.experiment;

/**
 * Upper bounds on every size a client controls in a spec. They keep one request from exhausting the machine: a
 * 2-core, 24 GiB worker trains Nanda's 226k-parameter transformer at ~15 steps/s, so these leave ample room for real
 * research while refusing absurd requests before they are queued.
 */
final class ExperimentLimits {

    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_MODULUS = 1000;
    static final int MAX_EXPRESSION_LENGTH = 200;
    static final int MAX_LAYERS = 12;
    static final int MAX_WIDTH = 4096;
    static final int MAX_HEADS = 64;
    static final int MAX_HIDDEN_LAYERS = 8;
    static final double MAX_INIT_SCALE = 100;
    static final int MAX_STEPS = 1_000_000;
    static final int MAX_BATCH_SIZE = 1_000_000;
    /** Evaluations per run: bounds the metric rows one run writes (about a dozen metrics per evaluation). */
    static final int MAX_EVALUATIONS = 100_000;
    static final int MAX_MA_WINDOW = 1000;
    static final double MAX_LEARNING_RATE = 10;
    static final double MAX_WEIGHT_DECAY = 100;
    static final double MAX_FILTER_LAMBDA = 100;
    static final int MAX_PRIORITY = 100;

    private ExperimentLimits() {
    }
}
