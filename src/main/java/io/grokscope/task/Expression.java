package io.grokscope.task;

import java.util.Locale;
import java.util.Objects;

/**
 * The syntax tree of a user expression over {@code a}, {@code b} and {@code p}, evaluated in Z_p.
 *
 * <p>Parse once with {@link #parse}, then {@link #evaluate} for every pair: the tree is immutable and holds no state,
 * so one instance may serve any number of threads and moduli.
 *
 * <p><b>Semantics.</b> Every value is a residue in {@code 0..p-1}. A literal is reduced mod p, and {@code p} itself
 * is therefore 0 (it still reads naturally in {@code p-1} or {@code (p-1)/2}). {@code + - *} and unary minus are
 * the ring operations. {@code x / y} is {@code x * y⁻¹}; the modulus must be prime, and a pair whose divisor is 0 is
 * undefined. {@code x ^ n} takes a literal {@code n} in {@code 0..1000}, with {@code 0^0 = 1}. {@code x % y} is the
 * integer remainder of the residue of {@code x} divided by the residue of {@code y}, undefined when that residue is
 * 0. An undefined pair is left out of the task's table.
 *
 * <p>{@link #toString()} renders the tree fully parenthesised, e.g. {@code ((a + (b * 2)) - (-(a^2)))}.
 */
public sealed interface Expression
        permits Expression.Literal, Expression.Variable, Expression.Negation, Expression.Binary, Expression.Power {

    /** What {@link #evaluate} returns for a pair where the expression has no value (a zero divisor). */
    int UNDEFINED = -1;

    /**
     * Parses an expression (grammar in {@code ExpressionParser}) within {@link Limits#DEFAULT}: at most 200
     * characters, nesting at most 32 deep (each parenthesis and unary minus is a level); always exponents at most
     * 1000 and literals at most 18 digits.
     *
     * @throws ExpressionSyntaxException with the position and reason of the first problem
     */
    static Expression parse(String text) {
        return ExpressionParser.parse(text, Limits.DEFAULT);
    }

    /** Parses within the given length and nesting limits; see {@link #parse(String)}. */
    static Expression parse(String text, Limits limits) {
        return ExpressionParser.parse(text, limits);
    }

    /**
     * How long and how deeply nested an expression may be. Parsing and evaluation recurse once per nesting level, so
     * {@link #MAXIMUM} keeps the recursion far from any thread's stack size; a service chooses its own limits within
     * it, and a table is always built within {@link #MAXIMUM} so that it accepts whatever the service accepted.
     *
     * @param maxLength characters, 1 to {@code MAXIMUM.maxLength}
     * @param maxDepth  nesting levels, each '(' and each unary '-' counting one, 1 to {@code MAXIMUM.maxDepth}
     */
    record Limits(int maxLength, int maxDepth) {

        /** What a service accepts unless it is configured otherwise. */
        public static final Limits DEFAULT = new Limits(200, 32);
        /** The most the parser ever accepts. */
        public static final Limits MAXIMUM = new Limits(10_000, 256);

        public Limits {
            if (maxLength < 1 || maxDepth < 1 || (MAXIMUM != null
                    && (maxLength > MAXIMUM.maxLength || maxDepth > MAXIMUM.maxDepth))) {
                throw new IllegalArgumentException("expression limits must be within 1.." + MAXIMUM.maxLength
                        + " characters and 1.." + MAXIMUM.maxDepth + " levels, were " + maxLength + " and " + maxDepth);
            }
        }
    }

    /**
     * The value at {@code (a, b)} in {@code ring}, or {@link #UNDEFINED}.
     *
     * @throws ArithmeticException if the expression divides and the ring is not a field (check
     *                             {@link #divides()} and {@link ResidueRing#isField()} first)
     */
    int evaluate(int a, int b, ResidueRing ring);

    /** Whether the expression contains {@code /}, which needs a prime modulus. */
    boolean divides();

    /** A non-negative integer literal (at most 18 digits, so it fits a {@code long}). */
    record Literal(long value) implements Expression {
        public Literal {
            if (value < 0) {
                throw new IllegalArgumentException("literals are non-negative, was " + value);
            }
        }

        @Override
        public int evaluate(int a, int b, ResidueRing ring) {
            return ring.reduce(value);
        }

        @Override
        public boolean divides() {
            return false;
        }

        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** One of the names an expression may use. */
    enum Name {
        A, B, P;

        /** The spelling in expressions. */
        public String symbol() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The left operand {@code a}, the right operand {@code b}, or the modulus {@code p}. */
    record Variable(Name name) implements Expression {
        public Variable {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public int evaluate(int a, int b, ResidueRing ring) {
            return switch (name) {
                case A -> ring.reduce(a);
                case B -> ring.reduce(b);
                case P -> ring.reduce(ring.modulus());
            };
        }

        @Override
        public boolean divides() {
            return false;
        }

        @Override
        public String toString() {
            return name.symbol();
        }
    }

    /** Unary minus. */
    record Negation(Expression operand) implements Expression {
        public Negation {
            Objects.requireNonNull(operand, "operand");
        }

        @Override
        public int evaluate(int a, int b, ResidueRing ring) {
            int value = operand.evaluate(a, b, ring);
            return value == UNDEFINED ? UNDEFINED : ring.negate(value);
        }

        @Override
        public boolean divides() {
            return operand.divides();
        }

        @Override
        public String toString() {
            return "(-" + operand + ")";
        }
    }

    /** The binary operators other than {@code ^}, whose right side is a literal and is modelled by {@link Power}. */
    enum Operator {
        ADD('+'), SUBTRACT('-'), MULTIPLY('*'), DIVIDE('/'), REMAINDER('%');

        private final char symbol;

        Operator(char symbol) {
            this.symbol = symbol;
        }

        public char symbol() {
            return symbol;
        }

        int apply(int left, int right, ResidueRing ring) {
            return switch (this) {
                case ADD -> ring.add(left, right);
                case SUBTRACT -> ring.subtract(left, right);
                case MULTIPLY -> ring.multiply(left, right);
                case DIVIDE -> right == 0 ? UNDEFINED : ring.divide(left, right);
                case REMAINDER -> right == 0 ? UNDEFINED : left % right;
            };
        }
    }

    /** {@code left operator right}. */
    record Binary(Operator operator, Expression left, Expression right) implements Expression {
        public Binary {
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }

        @Override
        public int evaluate(int a, int b, ResidueRing ring) {
            int l = left.evaluate(a, b, ring);
            if (l == UNDEFINED) {
                return UNDEFINED;
            }
            int r = right.evaluate(a, b, ring);
            return r == UNDEFINED ? UNDEFINED : operator.apply(l, r, ring);
        }

        @Override
        public boolean divides() {
            return operator == Operator.DIVIDE || left.divides() || right.divides();
        }

        @Override
        public String toString() {
            return "(" + left + " " + operator.symbol() + " " + right + ")";
        }
    }

    /** {@code base ^ exponent} with a literal exponent. */
    record Power(Expression base, int exponent) implements Expression {
        public Power {
            Objects.requireNonNull(base, "base");
            if (exponent < 0) {
                throw new IllegalArgumentException("exponent must be >= 0, was " + exponent);
            }
        }

        @Override
        public int evaluate(int a, int b, ResidueRing ring) {
            int value = base.evaluate(a, b, ring);
            return value == UNDEFINED ? UNDEFINED : ring.power(value, exponent);
        }

        @Override
        public boolean divides() {
            return base.divides();
        }

        @Override
        public String toString() {
            return "(" + base + "^" + exponent + ")";
        }
    }
}
