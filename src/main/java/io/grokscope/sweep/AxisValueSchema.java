package io.grokscope.sweep;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Only documentation: the contract's name for an axis value, which Java holds as {@code Object} (a number, a string,
 * or null) and which springdoc would otherwise describe as an object.
 */
@Schema(name = "AxisValue", description = "A value of a sweep axis: a number, a string (e.g. an enum value) or null"
        + " (the field left out).", nullable = true, oneOf = { Double.class, String.class })
final class AxisValueSchema {

    private AxisValueSchema() {
    }

    /** The values of one axis, for the request's map of axes. */
    @io.swagger.v3.oas.annotations.media.ArraySchema(schema = @Schema(implementation = AxisValueSchema.class))
    static final class ListOf {
        private ListOf() {
        }
    }
}
