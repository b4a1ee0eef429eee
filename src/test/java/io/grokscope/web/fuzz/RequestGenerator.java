package io.grokscope.web.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.grokscope.web.fuzz.ContractOperation.ParameterSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds hostile requests for one operation: a valid baseline (the contract's example body, the fixtures' ids and
 * required parameters) with one thing made hostile, chosen by kind.
 */
final class RequestGenerator {

    private static final String SLOT = "@@fuzz-slot@@";
    private static final String KEY_SLOT = "@@fuzz-key@@";

    private static final List<String> CONTENT_TYPES = List.of("text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/json; charset=UTF-16",
            "application/json; charset=ISO-8859-1", "application/json; charset=no-such-charset", "application/json;;;",
            "json", "*/*", "application/*", "application/problem+json", "application/merge-patch+json",
            "application/vnd.api+json", "text/json", "application/json, text/plain", "image/png", "a/b/c",
            "application/json; boundary=\"unterminated");
    private static final List<String> ACCEPTS = List.of("image/png", "application/xml", "text/html", "text/csv",
            "image/svg+xml", "*/*;q=0", "application/json;q=0", ";;;", "application/", "x/y/z", "text/event-stream",
            "application/zip", "application/problem+json", "*/*", "application/json;q=abc", "text/*, image/*",
            "application/json; charset=ebcdic", "a".repeat(5_000) + "/b");
    /** Path ids; {n} is a real id (or, for operations that change a resource, one that does not exist). */
    private static final List<String> PATH_IDS = List.of("..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e",
            "%2e%2e%2f%2e%2e", ".%2e", "%2e", "%00", "{n}%00", "%ff", "%c0%ae%c0%ae", "-1", "0", "-{n}",
            "-9223372036854775808", "9223372036854775807", "9223372036854775808", "99999999999999999999999999",
            "1e3", "{n}.0", "{n}e0", "0x10", "%20{n}", "{n}%20", "+{n}", "0{n}", "abc", "{n};drop%20table%20experiment",
            "{n}'%20OR%20'1'='1", "%F0%9F%A7%AA", "%D9%A3", "NaN", "Infinity", "null", "%7B%7D", "{n},{n}", "{n}/",
            "{n}/..", "{n}%2F..", "{n}%5C..", "%E2%80%AE{n}", "~{n}", "{n}?", "{n}#x");

    private static final java.util.regex.Pattern ESCAPE_OR_DIGITS =
            java.util.regex.Pattern.compile("%[0-9A-Fa-f]{2}|[0-9]+");

    private final ContractOperation operation;
    private final HostileValues values;
    private final String pathId;
    private final Map<String, String> validParameters;

    /**
     * @param pathId          the id to put in the path when the path is not what is being fuzzed
     * @param validParameters valid values of the operation's required parameters, by name
     */
    RequestGenerator(ContractOperation operation, HostileValues values, String pathId,
            Map<String, String> validParameters) {
        this.operation = operation;
        this.values = values;
        this.pathId = pathId;
        this.validParameters = validParameters;
    }

    FuzzRequest next(Hostility kind) {
        return switch (kind) {
            case WRONG_TYPE -> hostileInput(kind, this::wrongTypeBody, () -> values.pick(List.of("abc", "1.5", "true",
                    "[1]", "{}", "", "null", "1,2", "x".repeat(50))));
            case EXTREME_NUMBER -> hostileInput(kind, () -> mutatedBody(n -> values.numberJson()),
                    values::numberText);
            case DEEP_NESTING -> hostileInput(kind, this::nestedBody, this::nestedParameter);
            case HOSTILE_STRING -> hostileInput(kind, this::hostileStringBody, values::text);
            case SQL_STRING -> hostileInput(kind, () -> mutatedBody(n -> values.sqlJson()), values::sql);
            case TRUNCATED_JSON -> request(kind, operation.method(), target(pathId, baselineQuery()),
                    jsonHeaders(), truncatedBody());
            case CONTENT_TYPE -> contentType(kind);
            case MEDIA_TYPE -> mediaType(kind);
            case PATH_ID -> request(kind, operation.method(), target(hostileId(), baselineQuery()), jsonHeaders(),
                    baselineBody());
            case PARAMETER -> parameter(kind);
            case METHOD -> method(kind);
        };
    }

    // --- bodies -------------------------------------------------------------------------------------------------

    private byte[] baselineBody() {
        return operation.hasBody() ? utf8(values.pick(operation.bodyExamples()).toString()) : null;
    }

    /** The example with one node (or a new field) replaced by a slot, filled with raw JSON text. */
    private byte[] mutatedBody(java.util.function.Function<JsonNode, String> hostile) {
        JsonNode example = values.pick(operation.bodyExamples()).deepCopy();
        List<String> pointers = new ArrayList<>();
        collect(example, "", pointers);
        JsonNode replaced;
        if (values.chance(0.1)) {
            ((ObjectNode) example).put("unknown" + values.nextInt(3), SLOT);
            replaced = null;
        } else {
            String pointer = values.pick(pointers);
            replaced = example.at(pointer);
            replace(example, pointer, TextNode.valueOf(SLOT));
        }
        return utf8(example.toString().replace("\"" + SLOT + "\"", hostile.apply(replaced)));
    }

    private byte[] wrongTypeBody() {
        return mutatedBody(node -> values.otherTypeJson(node == null ? "none" : jsonType(node)));
    }

    private byte[] hostileStringBody() {
        if (values.chance(0.2)) {
            // a hostile property name: in the spec itself, or as a sweep axis path
            JsonNode example = values.pick(operation.bodyExamples()).deepCopy();
            ObjectNode target = example.has("axes") && values.chance(0.5) ? (ObjectNode) example.get("axes")
                    : (ObjectNode) example;
            target.set(KEY_SLOT, example.has("axes") && target != example
                    ? JsonNodeFactory.instance.arrayNode().add(1) : TextNode.valueOf("v"));
            return utf8(example.toString().replace("\"" + KEY_SLOT + "\"", values.stringJson()));
        }
        return mutatedBody(node -> values.stringJson());
    }

    private byte[] nestedBody() {
        if (values.chance(0.3)) {
            return utf8(values.nestedJson());
        }
        return mutatedBody(node -> values.nestedJson());
    }

    private String nestedParameter() {
        String nested = values.nestedJson();
        return nested.substring(0, Math.min(nested.length(), 2_000 + values.nextInt(20_000)));
    }

    private byte[] truncatedBody() {
        byte[] valid = utf8(values.pick(operation.bodyExamples()).toString());
        return switch (values.nextInt(6)) {
            case 0 -> new byte[0];
            case 1 -> new byte[] { (byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, 0x7B };
            case 2 -> utf8(values.pick(List.of("{", "[", "\"", "nul", "{\"name\":", "{}}", "{\"a\" 1}", "{'a': 1}",
                    "{\"name\": \"x\",}", "// comment\n{}", "\u0000", "{\"name\": \"x\"} trailing", "name=x&a=b")));
            default -> java.util.Arrays.copyOf(valid, 1 + values.nextInt(valid.length - 1));
        };
    }

    private static void collect(JsonNode node, String pointer, List<String> pointers) {
        if (!pointer.isEmpty()) {
            pointers.add(pointer);
        }
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> collect(node.get(name), pointer + "/" + escape(name), pointers));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), pointer + "/" + i, pointers);
            }
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static void replace(JsonNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent.isArray()) {
            ((ArrayNode) parent).set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    private static String jsonType(JsonNode node) {
        if (node.isTextual()) {
            return "string";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        if (node.isNull()) {
            return "null";
        }
        return node.isArray() ? "array" : "object";
    }

    // --- parameters, headers, methods --------------------------------------------------------------------------

    /** A body op gets its body mutated (mostly); any op may get the hostile value in a parameter instead. */
    private FuzzRequest hostileInput(Hostility kind, Supplier<byte[]> body, Supplier<String> parameterValue) {
        List<ParameterSpec> parameters = operation.parameters();
        boolean inBody = operation.hasBody() && (parameters.isEmpty() || values.chance(0.8));
        if (inBody) {
            return request(kind, operation.method(), target(pathId, baselineQuery()), jsonHeaders(), body.get());
        }
        if (parameters.isEmpty()) {
            // nothing to put it in but an unknown parameter
            return request(kind, operation.method(), target(pathId, "unknown=" + encode(parameterValue.get())),
                    jsonHeaders(), null);
        }
        ParameterSpec parameter = values.pick(parameters);
        String value = parameterValue.get();
        Map<String, String> headers = jsonHeaders();
        String id = pathId;
        Map<String, String> query = baselineParameters();
        switch (parameter.in()) {
            case "path" -> id = harmless(encode(value));
            case "header" -> headers.put(parameter.name(), headerSafe(value));
            default -> query.put(parameter.name(), value);
        }
        return request(kind, operation.method(), target(id, queryString(query)), headers, baselineBody());
    }

    private FuzzRequest parameter(Hostility kind) {
        Map<String, String> query = baselineParameters();
        Map<String, String> headers = jsonHeaders();
        String extra = "";
        List<ParameterSpec> declared = operation.parameters().stream().filter(p -> !p.in().equals("path")).toList();
        int choice = values.nextInt(declared.isEmpty() ? 2 : 7);
        ParameterSpec parameter = declared.isEmpty() ? null : values.pick(declared);
        switch (choice) {
            case 0 -> query.put("unknown" + values.nextInt(3), values.pick(List.of("1", "", "x", "%")));
            case 1 -> extra = values.pick(List.of("&&&", "=", "==", "a==b", "&=x", "%00=1", "page=1&page=2",
                    "size=1&size=", "a%5B%5D=1", "a%5Bb%5D=2", ";x=1"));
            case 2 -> query.remove(parameter.name()); // a missing required one, or an absent optional one
            case 3 -> query.put(parameter.name(), "");
            case 4 -> query.put(parameter.name(), outOfRange(parameter));
            case 5 -> extra = encode(parameter.name()) + "=" + encode(outOfRange(parameter)) + "&"
                    + encode(parameter.name()) + "=" + encode(values.text());
            default -> query.put(parameter.name(), values.pick(List.of("%", "%zz", "+", "a+b", "\u0000", "é",
                    "%C3%A9", "%E2%80%AE")));
        }
        if (parameter != null && parameter.in().equals("header") && query.containsKey(parameter.name())) {
            headers.put(parameter.name(), headerSafe(query.remove(parameter.name())));
        }
        String queryString = queryString(query);
        if (!extra.isEmpty()) {
            queryString = queryString.isEmpty() ? extra : queryString + "&" + extra;
        }
        return request(kind, operation.method(), target(pathId, queryString), headers, baselineBody());
    }

    private String outOfRange(ParameterSpec parameter) {
        if (parameter.numeric()) {
            List<String> candidates = new ArrayList<>(List.of("-1", "-2147483649", "2147483648", "1.5", "1e3", "abc",
                    "99999999999999999999"));
            if (parameter.minimum() != null) {
                candidates.add(parameter.minimum().subtract(java.math.BigDecimal.ONE).toPlainString());
            }
            if (parameter.maximum() != null) {
                candidates.add(parameter.maximum().add(java.math.BigDecimal.ONE).toPlainString());
            }
            return values.pick(candidates);
        }
        if (!parameter.enumValues().isEmpty()) {
            String valid = values.pick(parameter.enumValues());
            return values.pick(List.of(valid.toLowerCase(), " " + valid, valid + "X", "NOT_A_VALUE", "1"));
        }
        if ("array".equals(parameter.type())) {
            int count = parameter.maxItems() == null ? 2_000 : parameter.maxItems() + 1 + values.nextInt(50);
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < count; i++) {
                list.append(i == 0 ? "" : ",").append(values.chance(0.9) ? String.valueOf(i) : "x");
            }
            return values.pick(List.of(list.toString(), ",,,", ",", "1,,2", "a=b=c", "=", "-1", "1;2"));
        }
        int length = parameter.maxLength() == null ? 5_000 : parameter.maxLength() + 1;
        return "y".repeat(length);
    }

    private FuzzRequest contentType(Hostility kind) {
        Map<String, String> headers = jsonHeaders();
        byte[] body = baselineBody();
        if (operation.hasBody() && values.chance(0.6)) {
            headers.put("Content-Type", values.pick(CONTENT_TYPES));
            if (values.chance(0.2)) {
                headers.remove("Content-Type");
            }
        } else {
            headers.put("Accept", values.pick(ACCEPTS));
            if (body != null) {
                headers.put("Content-Type", "application/json");
            } else if (values.chance(0.3)) {
                headers.put("Content-Type", values.pick(CONTENT_TYPES));
                body = utf8(values.pick(List.of("{}", "<xml/>", "a=b", "\u0000")));
            }
        }
        return request(kind, operation.method(), target(pathId, baselineQuery()), headers, body);
    }

    private static final List<String> MEDIA_FAMILIES = List.of("application/json", "APPLICATION/JSON",
            "application/problem+json", "application/x-www-form-urlencoded", "multipart/form-data", "multipart/mixed",
            "multipart/related", "text/plain", "text/event-stream", "application/octet-stream", "*/*", "application/*",
            "*", "*/json", "json", "application/", "/json", "application/json/x", "", " ", "application json",
            "application/json\"", "x-" + "y".repeat(300) + "/z");
    private static final List<String> CHARSETS = List.of("utf-8", "UTF-8", "\"utf-8\"", "utf-16", "UTF-16BE",
            "utf-32", "iso-8859-1", "us-ascii", "x-IBM930", "UTF-7", "bogus", "", "\"\"", "\"", "utf-8\"", "*", "%",
            "_", "utf 8", "x".repeat(600));
    private static final List<String> BOUNDARIES = List.of("xyz", "", "\"\"", "\"xyz\"", "\"a;b\"", "\"unterminated",
            "-".repeat(71), "b".repeat(300), "a b", "xyz; boundary=abc");
    private static final List<String> OTHER_PARAMETERS = List.of("q=0.5", "a", "a=", "=b", "=", "foo=bar",
            "name=\"x\"", "charset", "boundary", "version=1", "\"quoted\"=1", "a=\"b;c\"", "");

    /** One Content-Type of the class, assembled from a family and zero to four parameters. */
    private String mediaTypeHeader() {
        StringBuilder header = new StringBuilder(values.pick(MEDIA_FAMILIES));
        int parameters = values.nextInt(5);
        for (int i = 0; i < parameters; i++) {
            header.append(values.pick(List.of(";", "; ", " ; ", ";;", ";\t")));
            switch (values.nextInt(3)) {
                case 0 -> header.append(values.pick(List.of("charset=", "CHARSET=", "charset = ")))
                        .append(values.pick(CHARSETS));
                case 1 -> header.append("boundary=").append(values.pick(BOUNDARIES));
                default -> header.append(values.pick(OTHER_PARAMETERS));
            }
        }
        return headerSafe(header.toString());
    }

    private byte[] mediaTypeBody() {
        String multipart = "--xyz\r\nContent-Disposition: form-data; name=\"spec\"; filename=\"spec.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + new String(baselineBodyOrEmpty(), StandardCharsets.UTF_8);
        return switch (values.nextInt(8)) {
            case 0 -> null;
            case 1 -> new byte[0];
            case 2 -> utf8(values.pick(List.of("a=b&c=%zz&%=1&d", "%", "name=%E2%82&x=%C0%AE", "&&==&", "a=b")));
            case 3 -> utf8(multipart + "\r\n--xyz--\r\n");
            case 4 -> utf8(multipart.substring(0, values.nextInt(multipart.length())));
            case 5 -> {
                byte[] bytes = new byte[1 + values.nextInt(4_000)];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) values.nextInt(256);
                }
                yield bytes;
            }
            default -> baselineBodyOrEmpty();
        };
    }

    private byte[] baselineBodyOrEmpty() {
        byte[] body = baselineBody();
        return body == null ? utf8("{}") : body;
    }

    private FuzzRequest mediaType(Hostility kind) {
        Map<String, String> headers = jsonHeaders();
        headers.put("Content-Type", mediaTypeHeader());
        if (values.chance(0.1)) {
            // the header twice (the client sends both: header names are case-insensitive)
            headers.put("content-type", mediaTypeHeader());
        }
        return request(kind, operation.method(), target(pathId, baselineQuery()), headers, mediaTypeBody());
    }

    private FuzzRequest method(Hostility kind) {
        List<String> undefined = new ArrayList<>(List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
                "TRACE", "PROPFIND", "FOO"));
        undefined.removeAll(operation.methodsOfPath());
        String method = values.pick(undefined);
        byte[] body = method.equals("GET") || method.equals("DELETE") || values.chance(0.5) ? null
                : utf8("{\"name\": \"x\"}");
        return request(kind, method, target(pathId, baselineQuery()), jsonHeaders(), body);
    }

    private String hostileId() {
        return harmless(values.pick(PATH_IDS).replace("{n}", pathId));
    }

    /**
     * For a cancel or a delete, a hostile id the service may read as a number ("+1", "01", " 7") must not reach a
     * resource of some other test: its digits become the id this generator was given. Runs too long for a long stay.
     */
    private String harmless(String id) {
        if (!operation.changesExisting()) {
            return id;
        }
        if (hasNonAsciiDigit(id)) {
            // Long.parseLong reads any Unicode digit ("%D9%A3" is ARABIC-INDIC DIGIT THREE, read as 3): such an id
            // would reach a real resource of some other test, so it is traded for the absent id
            return pathId;
        }
        java.util.regex.Matcher tokens = ESCAPE_OR_DIGITS.matcher(id);
        StringBuilder safe = new StringBuilder();
        while (tokens.find()) {
            String token = tokens.group();
            boolean shortNumber = !token.startsWith("%") && token.length() <= 18;
            tokens.appendReplacement(safe, shortNumber ? pathId : java.util.regex.Matcher.quoteReplacement(token));
        }
        return tokens.appendTail(safe).toString();
    }

    private static boolean hasNonAsciiDigit(String id) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(id.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = id;
        }
        return decoded.chars().anyMatch(c -> c > '9' && Character.isDigit(c));
    }

    // --- assembly -------------------------------------------------------------------------------------------------

    private Map<String, String> baselineParameters() {
        Map<String, String> query = new LinkedHashMap<>();
        operation.parameters().stream().filter(p -> p.required() && !p.in().equals("path"))
                .forEach(p -> query.put(p.name(), validParameters.getOrDefault(p.name(), "1")));
        return query;
    }

    private String baselineQuery() {
        return queryString(baselineParameters());
    }

    private static String queryString(Map<String, String> query) {
        StringBuilder text = new StringBuilder();
        query.forEach((name, value) -> text.append(text.length() == 0 ? "" : "&").append(encode(name)).append('=')
                .append(encode(value)));
        return text.toString();
    }

    private String target(String id, String query) {
        // {step} (a checkpoint in the history): a plain step, so the hostile part of the request is the id
        String path = operation.path().replace("{id}", id).replace("{step}", "0");
        return query.isEmpty() ? path : path + "?" + query;
    }

    private Map<String, String> jsonHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", operation.accept());
        return headers;
    }

    private FuzzRequest request(Hostility kind, String method, String target, Map<String, String> headers,
            byte[] body) {
        if (body != null && !headers.containsKey("Content-Type") && kind != Hostility.CONTENT_TYPE) {
            headers.put("Content-Type", "application/json");
        }
        return new FuzzRequest(operation, kind, method, target, headers, body);
    }

    /** HTTP header values cannot hold line breaks or (in java.net.http) anything outside Latin-1's visible range. */
    private static String headerSafe(String value) {
        StringBuilder safe = new StringBuilder();
        value.codePoints().limit(6_000).forEach(c -> safe.append(c >= 0x20 && c < 0x7F ? (char) c : '?'));
        return safe.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
