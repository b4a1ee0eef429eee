package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * One axis of a sweep: a dotted spec path and the values it takes, in the order given.
 *
 * @param values numbers, strings or null (the field left out)
 */
@Schema(description = "An axis of a sweep: a dotted path of a scalar spec field and its values, in order.",
        requiredProperties = { "path", "values" })
public record SweepAxis(
        @Schema(example = "optimizer.weightDecay") String path,
        @ArraySchema(schema = @Schema(implementation = AxisValueSchema.class)) List<Object> values) {

    public SweepAxis {
        values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values)); // List.copyOf refuses null
    }

    /** The index of the value equal to {@code value} (numbers by value), or -1. */
    int indexOf(Object value) {
        for (int i = 0; i < values.size(); i++) {
            if (AxisValues.same(values.get(i), value)) {
                return i;
            }
        }
        return -1;
    }
}
