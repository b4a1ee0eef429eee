package io.grokscope.web.fuzz;

/** The kinds of hostile input the fuzzer throws at every operation (each where it applies). */
enum Hostility {
    /** A body field or a parameter holding a value of another JSON or schema type. */
    WRONG_TYPE,
    /** Huge, negative, tiny, NaN and infinite numbers, and numbers in forms JSON does not allow. */
    EXTREME_NUMBER,
    /** Thousands of nested arrays or objects, as the whole body, inside a field, or in a parameter. */
    DEEP_NESTING,
    /** Long strings, NUL, RTL overrides, emoji, combining marks, lone surrogates, invalid UTF-8. */
    HOSTILE_STRING,
    /** Strings shaped like SQL injection or LIKE wildcards. */
    SQL_STRING,
    /** A valid body cut short, or not JSON at all. */
    TRUNCATED_JSON,
    /** Content-Type and Accept headers the operation does not speak. */
    CONTENT_TYPE,
    /**
     * The whole class of Content-Type headers that parsers act on before any handler: every family (JSON, form,
     * multipart, text, wildcards, none, garbage) with and without parameters (charsets valid, unknown, empty, quoted,
     * unterminated; boundaries missing, empty, quoted, over-long; repeated, nameless and valueless parameters), with
     * bodies of those kinds (JSON, form bodies with bad escapes, multipart whole and cut short, bytes, nothing) and
     * sometimes the header twice.
     */
    MEDIA_TYPE,
    /** Path ids that are traversals, encodings, huge, negative or not numbers. */
    PATH_ID,
    /** Query and header parameters out of range, repeated, missing, unknown or of the wrong form. */
    PARAMETER,
    /** Methods the path does not define. */
    METHOD;

    boolean appliesTo(ContractOperation operation) {
        return switch (this) {
            case TRUNCATED_JSON -> operation.hasBody();
            case PATH_ID -> operation.hasPathId();
            default -> true;
        };
    }
}
