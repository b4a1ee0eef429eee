package io.grokscope.task;

import java.util.Objects;

/**
 * A recursive-descent parser for {@link Expression}: no scripting engine and no reflection, so a user's text can
 * only ever become the small tree it describes.
 *
 * <p>Grammar, lowest precedence first; spaces and tabs may separate any two tokens:
 * <pre>
 * sum     = product { ("+" | "-") product }
 * product = unary { ("*" | "/" | "%") unary }
 * unary   = "-" unary | power
 * power   = primary [ "^" integer ]
 * primary = integer | "a" | "b" | "p" | "(" sum ")"
 * </pre>
 * So {@code -a^2} is {@code -(a^2)} as in mathematics and Python, and {@code a^2^3} is rejected as ambiguous.
 *
 * <p>The limits keep both parsing and the per-pair evaluation cheap and the recursion shallow, whatever a user sends.
 */
final class ExpressionParser {

    /** Largest accepted exponent. */
    static final int MAX_EXPONENT = 1000;
    /** Most digits in an integer literal, so that every literal fits a {@code long}. */
    static final int MAX_LITERAL_DIGITS = 18;

    /** What {@link #peek} returns past the last character; an int so that no character in the text can mimic it. */
    private static final int END = -1;

    private final String text;
    private final Expression.Limits limits;
    private int position;
    private int depth;

    private ExpressionParser(String text, Expression.Limits limits) {
        this.text = text;
        this.limits = limits;
    }

    static Expression parse(String text, Expression.Limits limits) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(limits, "limits");
        if (text.length() > limits.maxLength()) {
            throw new ExpressionSyntaxException(limits.maxLength(), "expression is " + text.length()
                    + " characters long, more than the " + limits.maxLength() + " allowed");
        }
        ExpressionParser parser = new ExpressionParser(text, limits);
        if (parser.peek() == END) {
            throw new ExpressionSyntaxException(parser.position, "expression is empty");
        }
        Expression expression = parser.sum();
        int next = parser.peek();
        if (next == ')') {
            throw parser.error("')' without a matching '('");
        }
        if (next != END) {
            throw parser.error("expected an operator (+ - * / % ^) but found " + parser.describeNext());
        }
        return expression;
    }

    private Expression sum() {
        Expression result = product();
        while (true) {
            int next = peek();
            if (next == '+') {
                position++;
                result = new Expression.Binary(Expression.Operator.ADD, result, product());
            } else if (next == '-') {
                position++;
                result = new Expression.Binary(Expression.Operator.SUBTRACT, result, product());
            } else {
                return result;
            }
        }
    }

    private Expression product() {
        Expression result = unary();
        while (true) {
            Expression.Operator operator = switch (peek()) {
                case '*' -> Expression.Operator.MULTIPLY;
                case '/' -> Expression.Operator.DIVIDE;
                case '%' -> Expression.Operator.REMAINDER;
                default -> null;
            };
            if (operator == null) {
                return result;
            }
            position++;
            result = new Expression.Binary(operator, result, unary());
        }
    }

    private Expression unary() {
        if (peek() != '-') {
            return power();
        }
        enter();
        position++;
        Expression operand = unary();
        depth--;
        return new Expression.Negation(operand);
    }

    private Expression power() {
        Expression base = primary();
        if (peek() != '^') {
            return base;
        }
        position++;
        int exponent = exponent();
        if (peek() == '^') {
            throw error("chained '^' is ambiguous; use parentheses, e.g. (a^2)^3");
        }
        return new Expression.Power(base, exponent);
    }

    private Expression primary() {
        int next = peek();
        if (next == '(') {
            int open = position;
            enter();
            position++;
            Expression inner = sum();
            if (peek() != ')') {
                throw error("expected ')' to close the '(' at position " + open + " but found " + describeNext());
            }
            position++;
            depth--;
            return inner;
        }
        if (isDigit(next)) {
            return new Expression.Literal(literal());
        }
        if (isLetter(next)) {
            int start = position;
            String name = identifier();
            return switch (name) {
                case "a" -> new Expression.Variable(Expression.Name.A);
                case "b" -> new Expression.Variable(Expression.Name.B);
                case "p" -> new Expression.Variable(Expression.Name.P);
                default -> throw new ExpressionSyntaxException(start,
                        "unknown identifier '" + name + "'; the names are a, b and p (write a*b for a product)");
            };
        }
        throw error("expected a number, a, b, p, '-' or '(' but found " + describeNext());
    }

    private long literal() {
        int start = position;
        while (isDigit(current())) {
            position++;
        }
        if (position - start > MAX_LITERAL_DIGITS) {
            throw new ExpressionSyntaxException(start,
                    "integer literal has more than " + MAX_LITERAL_DIGITS + " digits");
        }
        return Long.parseLong(text.substring(start, position));
    }

    private int exponent() {
        if (!isDigit(peek())) {
            throw error("the exponent of '^' must be a non-negative integer literal, but found " + describeNext());
        }
        int start = position;
        // Saturate instead of overflowing, so that a huge exponent is reported as too large, not as garbage.
        int value = 0;
        while (isDigit(current())) {
            value = Math.min(MAX_EXPONENT + 1, value * 10 + (current() - '0'));
            position++;
        }
        if (value > MAX_EXPONENT) {
            throw new ExpressionSyntaxException(start, "exponent " + text.substring(start, position)
                    + " is larger than the " + MAX_EXPONENT + " allowed");
        }
        return value;
    }

    private String identifier() {
        int start = position;
        while (isLetter(current()) || isDigit(current())) {
            position++;
        }
        return text.substring(start, position);
    }

    private void enter() {
        if (++depth > limits.maxDepth()) {
            throw error("nesting is deeper than the " + limits.maxDepth()
                    + " levels allowed (each '(' and unary '-' is one)");
        }
    }

    /** Skips white space and returns the next character, or {@link #END}. */
    private int peek() {
        while (position < text.length() && isSpace(text.charAt(position))) {
            position++;
        }
        return current();
    }

    private int current() {
        return position < text.length() ? text.charAt(position) : END;
    }

    private String describeNext() {
        return position < text.length() ? "'" + text.charAt(position) + "'" : "the end of the expression";
    }

    private ExpressionSyntaxException error(String reason) {
        return new ExpressionSyntaxException(position, reason);
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }
}
