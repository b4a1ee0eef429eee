package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class S5Test {

    /** All permutations of 0..4 in lexicographic order, by filtering the 5^5 tuples (no cleverness to get wrong). */
    static List<int[]> lexicographicPermutationsByBruteForce() {
        List<int[]> result = new ArrayList<>();
        for (int code = 0; code < 3125; code++) {
            int[] digits = new int[5];
            int rest = code;
            for (int i = 4; i >= 0; i--) {
                digits[i] = rest % 5;
                rest /= 5;
            }
            if (Arrays.stream(digits).distinct().count() == 5) {
                result.add(digits);
            }
        }
        return result;
    }

    @Test
    void tokensAreLexicographicRanks() {
        List<int[]> expected = lexicographicPermutationsByBruteForce();
        assertThat(expected).hasSize(S5.ORDER);
        for (int t = 0; t < S5.ORDER; t++) {
            assertThat(S5.permutation(t)).containsExactly(expected.get(t));
            assertThat(S5.token(expected.get(t))).isEqualTo(t);
        }
        assertThat(S5.permutation(0)).containsExactly(0, 1, 2, 3, 4);
        assertThat(S5.permutation(1)).containsExactly(0, 1, 2, 4, 3);
        assertThat(S5.permutation(119)).containsExactly(4, 3, 2, 1, 0);
    }

    @Test
    void compositionAppliesLeftFirst() {
        int swap01 = S5.token(new int[] {1, 0, 2, 3, 4});
        int cycle012 = S5.token(new int[] {1, 2, 0, 3, 4}); // 0→1, 1→2, 2→0
        // First swap (0→1), then cycle (1→2): 0 ends at 2. First swap (1→0), then cycle (0→1): 1 ends at 1.
        assertThat(S5.permutation(S5.compose(swap01, cycle012))).containsExactly(2, 1, 0, 3, 4);
        assertThat(S5.permutation(S5.compose(cycle012, swap01))).containsExactly(0, 2, 1, 3, 4);
    }

    @Test
    void groupAxioms() {
        for (int x = 0; x < S5.ORDER; x++) {
            assertThat(S5.compose(S5.IDENTITY, x)).isEqualTo(x);
            assertThat(S5.compose(x, S5.IDENTITY)).isEqualTo(x);
            assertThat(S5.compose(x, S5.inverse(x))).isEqualTo(S5.IDENTITY);
            assertThat(S5.compose(S5.inverse(x), x)).isEqualTo(S5.IDENTITY);
            for (int y = 0; y < S5.ORDER; y++) {
                int xy = S5.compose(x, y);
                for (int z = 0; z < S5.ORDER; z++) {
                    if (S5.compose(xy, z) != S5.compose(x, S5.compose(y, z))) {
                        throw new AssertionError("not associative at " + x + ", " + y + ", " + z);
                    }
                }
            }
        }
    }

    @Test
    void everyRowOfTheProductTableIsAPermutationOfTheGroup() {
        // Latin square: x·y = x·y' implies y = y'. Together with non-commutativity this rules out trivial tables.
        for (int x = 0; x < S5.ORDER; x++) {
            boolean[] seen = new boolean[S5.ORDER];
            for (int y = 0; y < S5.ORDER; y++) {
                seen[S5.compose(x, y)] = true;
            }
            assertThat(seen).doesNotContain(false);
        }
        assertThat(S5.compose(1, 2)).isNotEqualTo(S5.compose(2, 1));
    }

    @Test
    void permutationReturnsACopy() {
        S5.permutation(5)[0] = 99;
        assertThat(S5.permutation(5)[0]).isNotEqualTo(99);
    }

    @Test
    void tokenRejectsNonPermutations() {
        assertThatThrownBy(() -> S5.token(new int[] {0, 0, 1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S5.token(new int[] {0, 1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S5.token(new int[] {0, 1, 2, 3, 5})).isInstanceOf(IllegalArgumentException.class);
    }
}
