package io.grokscope.sweep;

import io.grokscope.experiment.ExperimentSummary;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What a phase diagram or a summary shows per cell or point; the wire names are the JSON field names. */
enum SweepValue {
    VERDICT("verdict", null),
    GENERALIZATION_STEP("generalizationStep", ExperimentSummary::generalizationStep),
    GROKKING_DELAY("grokkingDelay", ExperimentSummary::grokkingDelay);

    private final String wireName;
    private final Function<ExperimentSummary, Long> reader;

    SweepValue(String wireName, Function<ExperimentSummary, Long> reader) {
        this.wireName = wireName;
        this.reader = reader;
    }

    String wireName() {
        return wireName;
    }

    boolean isNumber() {
        return reader != null;
    }

    Long of(ExperimentSummary run) {
        return reader.apply(run);
    }

    /** The value with this wire name, or null. */
    static SweepValue fromWireName(String name) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst().orElse(null);
    }

    static String wireNames() {
        return Arrays.stream(values()).map(SweepValue::wireName).collect(Collectors.joining(", "));
    }
}
