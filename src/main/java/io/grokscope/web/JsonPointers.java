package io.grokscope.web;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;

/** Turns the two ways Spring and Jackson name a field into RFC 6901 JSON pointers. */
public final class JsonPointers {

    private JsonPointers() {
    }

    /** {@code model.hiddenDims[0]} → {@code /model/hiddenDims/0}; empty → {@code ""} (the whole document). */
    public static String fromPropertyPath(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        StringBuilder pointer = new StringBuilder();
        for (String part : path.replace("[", ".").replace("]", "").split("\\.")) {
            if (!part.isEmpty() && !part.startsWith("<")) { // "<list element>" nodes name no JSON field
                pointer.append('/').append(escape(part));
            }
        }
        return pointer.toString();
    }

    /** The location Jackson reports for a mapping failure. */
    public static String fromJacksonPath(List<JsonMappingException.Reference> path) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference reference : path) {
            if (reference.getFieldName() != null) {
                pointer.append('/').append(escape(reference.getFieldName()));
            } else if (reference.getIndex() >= 0) {
                pointer.append('/').append(reference.getIndex());
            }
        }
        return pointer.toString();
    }

    /** One reference token of a pointer, escaped (RFC 6901: {@code ~} as {@code ~0}, {@code /} as {@code ~1}). */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
