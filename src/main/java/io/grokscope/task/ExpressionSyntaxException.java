package io.grokscope.task;

/**
 * An expression of {@link Operation#EXPRESSION} that cannot be parsed or breaks a limit. It carries where the problem
 * is, so that a user interface can point at it, and a reason written for the person who typed the expression.
 */
public final class ExpressionSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int position;
    private final String reason;

    /**
     * @param position 0-based index into the expression text of the offending character (its length when the
     *                 expression ends too early)
     * @param reason   what is wrong, without the position
     */
    public ExpressionSyntaxException(int position, String reason) {
        super("position " + position + ": " + reason);
        this.position = position;
        this.reason = reason;
    }

    /** 0-based index into the expression text; equal to its length when the problem is a premature end. */
    public int position() {
        return position;
    }

    /** What is wrong, without the position. */
    public String reason() {
        return reason;
    }
}
