package io.grokscope.analysis;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Every metric a run records, each with the lower_snake_case name it has on the wire (query parameters, JSON, CSV and
 * evidence items), as listed in {@code docs/api-intent.md}.
 *
 * <p>The enum is the single vocabulary: storage, the HTTP layer and {@link PhaseAnalyzer} all address series by these
 * constants, and {@link #fromWireName(String)} refuses names that are not in it, so a typo in a query fails loudly
 * instead of returning an empty series.
 */
public enum Metric {
    /** Mean loss over the whole training split. */
    TRAIN_LOSS("train_loss"),
    /** Accuracy over the whole training split. */
    TRAIN_ACC("train_acc"),
    /** Mean loss over the whole test split. */
    TEST_LOSS("test_loss"),
    /** Accuracy over the whole test split. */
    TEST_ACC("test_acc"),
    /** √Σw² over all parameters. */
    WEIGHT_NORM("weight_norm"),
    /** Σw² over all parameters: what Nanda et al. (2023) plot as the weight norm (their {@code sum_sq_weights}). */
    WEIGHT_NORM_SQ("weight_norm_sq"),
    /** √Σw² of the token embedding. */
    EMBED_NORM("embed_norm"),
    /** Norm of the raw gradient, before any gradient filter. */
    GRAD_NORM("grad_norm"),
    /** The learning rate of the last update. */
    LEARNING_RATE("learning_rate"),
    /**
     * Gini coefficient of the norms of the embedding W_E's Fourier components (constant, each cosine and each sine
     * separately: p values), as in Nanda et al.'s Fig. 7.
     */
    FOURIER_GINI_EMBED("fourier_gini_embed"),
    /** Gini coefficient of the norms of the Fourier components of W_L, the map into the logits (p values). */
    FOURIER_GINI_UNEMBED("fourier_gini_unembed"),
    /** Share of W_L's Fourier energy held by the key frequencies; see {@link KeyFrequencies}. */
    FOURIER_KEY_FRACTION("fourier_key_fraction"),
    /** Training loss of the logits restricted to the constant and the key-frequency directions. */
    RESTRICTED_LOSS("restricted_loss"),
    /** Training loss of the logits with the key-frequency directions removed. */
    EXCLUDED_LOSS("excluded_loss"),
    /**
     * The largest of the (p−1)/2 single-frequency excluded losses (Nanda et al.'s footnote 3): needs no key set, so it
     * is defined from the first measured step.
     */
    EXCLUDED_LOSS_MAX("excluded_loss_max");

    private final String wireName;

    Metric(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON, CSV, query parameters and evidence items, e.g. {@code "train_loss"}. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * The metric with this wire name.
     *
     * @throws IllegalArgumentException naming the valid wire names, when {@code wireName} is not one of them
     */
    @JsonCreator
    public static Metric fromWireName(String wireName) {
        for (Metric metric : values()) {
            if (metric.wireName.equals(wireName)) {
                return metric;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + wireName + "'; valid names are "
                + Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", ")));
    }
}
