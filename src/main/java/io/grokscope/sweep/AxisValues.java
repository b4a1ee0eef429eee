package io.grokscope.sweep;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The values an axis takes, as Jackson reads them into {@code Object}: a number (Integer, Long, BigInteger, Double,
 * BigDecimal), a string, a boolean, or null ("leave the field out"). Numbers compare by value, so {@code 1} and
 * {@code 1.0} are the same point of the grid.
 */
final class AxisValues {

    private AxisValues() {
    }

    static boolean isScalar(Object value) {
        return value == null || value instanceof Number || value instanceof String || value instanceof Boolean;
    }

    /** A number that JSON can carry and a spec can hold: not infinite (a literal like 1e400 reads as infinity). */
    static boolean isFinite(Object value) {
        return !(value instanceof Double d && !Double.isFinite(d)) && !(value instanceof Float f && !Float.isFinite(f));
    }

    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return decimal(x).compareTo(decimal(y)) == 0;
        }
        return Objects.equals(a, b);
    }

    /** How a value is shown in names, labels and messages: {@code 0.1}, {@code 1}, {@code EMA}, {@code null}. */
    static String display(Object value) {
        if (value instanceof Number n) {
            return decimal(n).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(value);
    }

    /**
     * Whether a value given as text (a query parameter) names this axis value: {@code null} names null, a number
     * names the equal number, any other text the equal string.
     */
    static boolean matchesText(Object value, String text) {
        if (value == null) {
            return "null".equals(text);
        }
        if (value instanceof Number n) {
            try {
                return decimal(n).compareTo(new BigDecimal(text.trim())) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return value.toString().equals(text);
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (n instanceof Double || n instanceof Float) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }
}
