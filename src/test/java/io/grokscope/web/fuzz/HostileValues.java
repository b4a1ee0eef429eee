package io.grokscope.web.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Hostile values, drawn from a seeded random source so a run can be repeated exactly. Body values are JSON source
 * text (so they can be what no JSON library would write: NaN, a lone surrogate escape, 10 000 open brackets); parameter
 * values are raw text, percent-encoded later.
 */
final class HostileValues {

    static final int DEEP = 10_000;

    private static final List<String> NUMBERS = List.of("1e308", "1e309", "-1e309", "1.7976931348623157e308",
            "4.9e-324", "1e-400", "NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "\"NaN\"", "\"Infinity\"",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483647", "2147483648",
            "-2147483649", "-1", "-0", "0", "-0.0", "0.0000000001", "1.0000000000000002", "01", "+1", ".5", "5.",
            "0x10", "1_000", "1e", "--1", "1.5e+999999999");

    private static final List<String> STRINGS = List.of("", " ", "\u0000", "a\u0000b", "\u202eevil\u202c", "🧪🔥💥",
            "e\u0301\u0301\u0301\u0301", "\ufeffname", "\u200b", "\u0007\b\f\u001b", "line\nbreak\r\n", "名前", "اسم",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "../../etc/passwd", "%00", "%s%n%x",
            "\\u0000", "null", "true", "[]", "{}", "\uffff", "\ud83e", "\udd2a", "A\ud800B");

    private static final List<String> SQL = List.of("'; drop table experiment; --", "\" OR 1=1 --",
            "1; select pg_sleep(10)", "' union select usename from pg_user --", "%", "_", "%%%___", "\\", "\\'",
            "$$; drop table sweep; $$", "E'\\x00'", "' or ''='", "1' and '1'='1", "a' || (select version()) || '",
            "'); truncate metric_point; --", "*/ select 1 /*");

    /** JSON string literals only hand-written JSON can hold. */
    private static final List<String> STRING_LITERALS = List.of("\"\\ud800\"", "\"\\udc00\"", "\"x\\ud800y\"",
            "\"\\udbff\\udbff\"", "\"\\u0000\"", "\"\\u202e\"", "\"\\uD83E\\uDDEA\"", "\"\\x41\"", "\"\\q\"",
            "\"\\u12\"", "'single'", "\"unterminated", "\"tab\there\"", "\"raw\u0001control\"");

    private static final List<String> OTHER_TYPES = List.of("1", "1.5", "-7", "true", "false", "null", "\"1\"",
            "\"true\"", "\"\"", "[]", "{}", "[1, \"a\", null]", "{\"a\": 1}", "[[]]", "{\"\": {}}");

    private final SplittableRandom random;

    HostileValues(SplittableRandom random) {
        this.random = random;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** A JSON value of some other type than {@code jsonType} (one of string, number, boolean, object, array, null). */
    String otherTypeJson(String jsonType) {
        while (true) {
            String candidate = pick(OTHER_TYPES);
            if (!jsonTypeOf(candidate).equals(jsonType)) {
                return candidate;
            }
        }
    }

    private static String jsonTypeOf(String literal) {
        char first = literal.charAt(0);
        return switch (first) {
            case '"' -> "string";
            case '[' -> "array";
            case '{' -> "object";
            case 't', 'f' -> "boolean";
            case 'n' -> "null";
            default -> "number";
        };
    }

    String numberJson() {
        if (chance(0.1)) {
            return "1" + "0".repeat(1 + random.nextInt(5_000));
        }
        return pick(NUMBERS);
    }

    /** A number-like parameter value (no JSON quotes). */
    String numberText() {
        String number = numberJson();
        return number.startsWith("\"") ? number.substring(1, number.length() - 1) : number;
    }

    String text() {
        return switch (random.nextInt(4)) {
            case 0 -> "x".repeat(1 + random.nextInt(20_000));
            case 1 -> "🧪".repeat(1 + random.nextInt(2_000));
            default -> pick(STRINGS);
        };
    }

    String stringJson() {
        return chance(0.35) ? pick(STRING_LITERALS) : quote(text());
    }

    String sql() {
        return pick(SQL);
    }

    String sqlJson() {
        return quote(sql());
    }

    /** Deeply nested JSON: arrays or objects, closed or left open, around a value. */
    String nestedJson() {
        int depth = chance(0.5) ? DEEP : 100 + random.nextInt(DEEP);
        boolean arrays = chance(0.5);
        boolean closed = chance(0.7);
        StringBuilder json = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) {
            json.append(arrays ? "[" : "{\"a\":");
        }
        json.append("1");
        if (closed) {
            for (int i = 0; i < depth; i++) {
                json.append(arrays ? ']' : '}');
            }
        }
        return json.toString();
    }

    /** A JSON string literal of any Java string, lone surrogates included (escaped, as JSON allows). */
    static String quote(String raw) {
        StringBuilder json = new StringBuilder(raw.length() + 2).append('"');
        for (char c : raw.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
