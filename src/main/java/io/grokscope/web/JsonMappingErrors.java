package io.grokscope.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Says, in a client's terms and at a JSON pointer, why Jackson could not map a document: for request bodies, and for
 * documents the service assembles from client input (a sweep's expanded specs).
 */
public final class JsonMappingErrors {

    private JsonMappingErrors() {
    }

    /** The field that could not be mapped, with the reason. */
    public static FieldError describe(JsonMappingException mapping) {
        String pointer = JsonPointers.fromJacksonPath(mapping.getPath());
        if (mapping.getCause() instanceof JsonParseException parse) {
            return FieldError.atPointer(pointer, "is malformed JSON at line " + parse.getLocation().getLineNr()
                    + ", column " + parse.getLocation().getColumnNr() + ": " + parse.getOriginalMessage());
        }
        if (mapping instanceof UnrecognizedPropertyException unknown) {
            return FieldError.atPointer(pointer, "is not a known field; known fields here: "
                    + unknown.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")));
        }
        if (mapping instanceof InvalidTypeIdException typeId) {
            return FieldError.atPointer(pointer + "/type", typeId.getTypeId() == null
                    ? "is required" : "'" + typeId.getTypeId() + "' is not a known type");
        }
        if (mapping instanceof InvalidFormatException format) {
            return FieldError.atPointer(pointer, "must be " + describe(format.getTargetType()) + ", was "
                    + abbreviate(String.valueOf(format.getValue())));
        }
        if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return FieldError.atPointer(pointer, "must be " + describe(mismatch.getTargetType()));
        }
        return FieldError.atPointer(pointer, "could not be read: " + mapping.getOriginalMessage());
    }

    /** A type as a client would name it: enums list their values. */
    static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String abbreviate(String value) {
        String quoted = "'" + value + "'";
        return quoted.length() > 60 ? quoted.substring(0, 57) + "...'" : quoted;
    }
}
