package io.grokscope.task;

/**
 * The binary operations of Power et al. (2022), App. A.1.1, plus a user-supplied expression.
 *
 * <p>All modular operations act on the residues 0..p-1; the S5 operations act on the 120 permutations of five
 * elements, each its own token, and ignore the modulus. {@link S5} fixes the token order (lexicographic) and the
 * composition convention ({@code x·y} applies {@code x} first). {@link AlgorithmicTask#generate} builds the tables.
 */
public enum Operation {
    /** (a + b) mod p. */
    ADD,
    /** (a - b) mod p. */
    SUBTRACT,
    /** (a * b) mod p, b != 0. */
    MULTIPLY,
    /** a * b^-1 mod p, b != 0 (p must be prime). */
    DIVIDE,
    /** a / b mod p if b is odd, otherwise a - b mod p (b != 0). */
    DIVIDE_IF_ODD_ELSE_SUBTRACT,
    /** (a^2 + b^2) mod p. */
    SQUARE_SUM,
    /** (a^2 + ab + b^2) mod p. */
    QUAD_SUM,
    /** (a^2 + ab + b^2 + a) mod p. */
    QUAD_SUM_PLUS_A,
    /** (a^3 + ab) mod p. */
    CUBE_PLUS_AB,
    /** (a^3 + ab^2 + b) mod p. */
    CUBE_MIXED,
    /** x . y for permutations x, y of S5. */
    S5_COMPOSE,
    /** x . y . x^-1 for permutations of S5. */
    S5_CONJUGATE,
    /** x . y . x for permutations of S5. */
    S5_SANDWICH,
    /** A user expression over a, b and p; see {@code TaskSpec#expression}. */
    EXPRESSION;

    /** Whether the operands and answers are residues mod p (so the Fourier basis of Z_p applies to the tokens). */
    public boolean isModular() {
        return !isPermutationGroup();
    }

    /** Whether this operation acts on S5 (120 elements) rather than on Z_p. */
    public boolean isPermutationGroup() {
        return this == S5_COMPOSE || this == S5_CONJUGATE || this == S5_SANDWICH;
    }
}
