package io.grokscope.task;

import java.util.Arrays;

/**
 * The symmetric group S5: the 120 permutations of {0, 1, 2, 3, 4}, each a token.
 *
 * <p><b>Tokens.</b> Token {@code t} is the {@code t}-th permutation in lexicographic order of the one-line form
 * {@code (x(0), x(1), x(2), x(3), x(4))}: token 0 is the identity {@code 01234}, token 1 is {@code 01243}, token 119
 * is {@code 43210}. This is the order of Python's {@code itertools.permutations(range(5))}, which Power et al.
 * (2022) used, so tokens agree with theirs.
 *
 * <p><b>Composition.</b> {@code x·y} applies {@code x} first, then {@code y}: {@code (x·y)(i) = y(x(i))}. This is
 * the convention of Power et al.'s code (NumPy {@code y[x]} and SymPy's {@code Permutation.__mul__}); with it
 * {@code x·y·x⁻¹} maps {@code i} to {@code x⁻¹(y(x(i)))}. The opposite convention would give the transposed table.
 */
public final class S5 {

    /** Number of points permuted. */
    public static final int DEGREE = 5;
    /** Number of permutations, 5!. */
    public static final int ORDER = 120;
    /** The token of the identity permutation. */
    public static final int IDENTITY = 0;

    private static final int[][] PERMUTATIONS = lexicographicPermutations();
    private static final int[][] PRODUCT = productTable();
    private static final int[] INVERSE = inverseTable();

    private S5() {
    }

    /** The one-line form of the permutation with this token: element {@code i} is the image of {@code i}. */
    public static int[] permutation(int token) {
        return PERMUTATIONS[token].clone();
    }

    /** The token of a permutation given in one-line form: its lexicographic rank. */
    public static int token(int[] permutation) {
        if (permutation.length != DEGREE) {
            throw new IllegalArgumentException("a permutation of S5 has 5 entries, got " + permutation.length);
        }
        // Lehmer code: the rank counts, position by position, the smaller values still unused after it.
        int rank = 0;
        boolean[] used = new boolean[DEGREE];
        for (int i = 0; i < DEGREE; i++) {
            int value = permutation[i];
            if (value < 0 || value >= DEGREE || used[value]) {
                throw new IllegalArgumentException("not a permutation of 0..4: " + Arrays.toString(permutation));
            }
            int smallerUnused = 0;
            for (int v = 0; v < value; v++) {
                if (!used[v]) {
                    smallerUnused++;
                }
            }
            used[value] = true;
            rank = rank * (DEGREE - i) + smallerUnused;
        }
        return rank;
    }

    /** {@code x·y}: apply {@code x}, then {@code y}. */
    public static int compose(int x, int y) {
        return PRODUCT[x][y];
    }

    /** {@code x⁻¹}. */
    public static int inverse(int x) {
        return INVERSE[x];
    }

    private static int[][] lexicographicPermutations() {
        int[][] result = new int[ORDER][];
        int[] current = {0, 1, 2, 3, 4};
        for (int t = 0; t < ORDER; t++) {
            result[t] = current.clone();
            nextPermutation(current);
        }
        return result;
    }

    /** Steps to the lexicographic successor in place (the classic Narayana Pandita algorithm). */
    private static void nextPermutation(int[] x) {
        int i = x.length - 2;
        while (i >= 0 && x[i] > x[i + 1]) {
            i--;
        }
        if (i < 0) {
            return; // last permutation; the caller never asks past it
        }
        int j = x.length - 1;
        while (x[j] < x[i]) {
            j--;
        }
        swap(x, i, j);
        for (int lo = i + 1, hi = x.length - 1; lo < hi; lo++, hi--) {
            swap(x, lo, hi);
        }
    }

    private static void swap(int[] x, int i, int j) {
        int t = x[i];
        x[i] = x[j];
        x[j] = t;
    }

    private static int[][] productTable() {
        int[][] table = new int[ORDER][ORDER];
        int[] product = new int[DEGREE];
        for (int x = 0; x < ORDER; x++) {
            for (int y = 0; y < ORDER; y++) {
                for (int i = 0; i < DEGREE; i++) {
                    product[i] = PERMUTATIONS[y][PERMUTATIONS[x][i]];
                }
                table[x][y] = token(product);
            }
        }
        return table;
    }

    private static int[] inverseTable() {
        int[] inverse = new int[ORDER];
        int[] inverted = new int[DEGREE];
        for (int x = 0; x < ORDER; x++) {
            for (int i = 0; i < DEGREE; i++) {
                inverted[PERMUTATIONS[x][i]] = i;
            }
            inverse[x] = token(inverted);
        }
        return inverse;
    }
}
