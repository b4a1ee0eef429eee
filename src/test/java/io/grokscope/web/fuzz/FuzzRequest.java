package io.grokscope.web.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One generated request: its kind of hostility, and exactly what goes on the wire. */
record FuzzRequest(ContractOperation operation, Hostility kind, String method, String target,
        Map<String, String> headers, byte[] body) {

    /** Enough to repeat it by hand: method, target, headers and the start of the body. */
    String describe() {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        String excerpt = text.length() > 300 ? text.substring(0, 300) + "… (" + body.length + " bytes)" : text;
        String shownTarget = target.length() > 300 ? target.substring(0, 300) + "… (" + target.length() + ")"
                : target;
        return kind + " " + method + " " + shownTarget + " " + headers + " " + excerpt;
    }
}
