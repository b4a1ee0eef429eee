package io.grokscope.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One reason a request was refused. {@code pointer} (RFC 6901) names a field of the JSON body;
 * {@code parameter} names a query or path parameter instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "One invalid input: a JSON pointer into the body, or a query/path parameter, and why.")
public record FieldError(@Schema(nullable = true, example = "/optimizer/learningRate") String pointer,
        @Schema(nullable = true, example = "size") String parameter,
        @Schema(example = "must be greater than 0") String detail) {

    public static FieldError atPointer(String pointer, String detail) {
        return new FieldError(pointer, null, detail);
    }

    public static FieldError atParameter(String parameter, String detail) {
        return new FieldError(null, parameter, detail);
    }
}
