package io.grokscope.analysis;

import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import java.util.List;
import java.util.Optional;

/**
 * Splits the logits over the full p×p table into the part that lies along the key-frequency directions
 * cos(w_k(a∘b)) and sin(w_k(a∘b)) and the rest, to compute the restricted and excluded losses of Nanda et al. (2023).
 *
 * <h2>The directions</h2>
 * With c_k, s_k the normalised basis rows of {@link FourierBasis}, the unit vectors over the (a, b) axis are, for
 * a∘b = a + b (Nanda's {@code get_component_cos_xpy}/{@code sin_xpy}):
 * <pre>
 *   u_cos = (c_k⊗c_k − s_k⊗s_k)/√2 = (√2/p)·cos(w_k(a+b))
 *   u_sin = (s_k⊗c_k + c_k⊗s_k)/√2 = (√2/p)·sin(w_k(a+b))
 * </pre>
 * and for a∘b = a − b, by cos(x−y) = cos x cos y + sin x sin y and sin(x−y) = sin x cos y − cos x sin y:
 * <pre>
 *   u_cos = (c_k⊗c_k + s_k⊗s_k)/√2 = (√2/p)·cos(w_k(a−b))
 *   u_sin = (s_k⊗c_k − c_k⊗s_k)/√2 = (√2/p)·sin(w_k(a−b))
 * </pre>
 * For p odd and k ≠ 0 these are unit vectors, orthogonal to each other, to the constant and to every other
 * frequency's pair, so projecting onto all of them at once is the sum of the rank-one projections.
 *
 * <h2>Why it is cheap</h2>
 * Each direction depends on (a, b) only through m = a∘b mod p. So the projection coefficient of class column j is
 * (√2/p)·Σ_m cos(w_k m)·G[m, j] with G[m, j] = Σ_{a∘b=m} logits[ab, j], one pass over the p²×p table; and the
 * projected component is a p×p table R[m, j] read back at row m(a, b). Total cost O(p³ + K·p²) instead of the p²×p²
 * projection matrix, and the modified tables are never materialised: the losses only read the training rows.
 *
 * <p>Immutable and thread-safe.
 */
public final class FourierLogitProjection {

    private final FourierBasis basis;
    private final Operation operation;
    private final int p;

    private FourierLogitProjection(FourierBasis basis, Operation operation) {
        this.basis = basis;
        this.operation = operation;
        this.p = basis.modulus();
    }

    /**
     * Why restricted and excluded loss are not defined for an operation, or empty when they are (ADD and SUBTRACT):
     * for other operations the answer is not a function of a + b or a − b, so there are no cos/sin(w(a∘b))
     * directions to keep or remove.
     */
    public static Optional<String> unsupportedReason(Operation operation) {
        return switch (operation) {
            case ADD, SUBTRACT -> Optional.empty();
            default -> Optional.of("restricted and excluded loss are defined only for ADD and SUBTRACT (the logits' "
                    + "key directions are cos/sin(w_k(a±b))); the task is " + operation);
        };
    }

    /**
     * A projection for the task a∘b over Z_p.
     *
     * @throws IllegalArgumentException for operations other than ADD and SUBTRACT
     */
    public static FourierLogitProjection of(FourierBasis basis, Operation operation) {
        unsupportedReason(operation).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        return new FourierLogitProjection(basis, operation);
    }

    /** a∘b mod p: the value the key directions depend on. */
    public int combine(int a, int b) {
        return operation == Operation.ADD ? Math.floorMod(a + b, p) : Math.floorMod(a - b, p);
    }

    /**
     * The restricted and excluded training-set cross-entropies.
     *
     * @param tableLogits    row-major [p², p] logits of every pair, row a·p + b
     * @param keyFrequencies the frequencies to keep (restricted) or remove (excluded), each in 1..(p−1)/2, non-empty
     * @param train          the training split; its answers are the targets
     */
    public KeyFrequencyLosses losses(double[] tableLogits, List<Integer> keyFrequencies, Examples train) {
        if (keyFrequencies.isEmpty()) {
            throw new IllegalArgumentException("no key frequencies: restricted and excluded loss are undefined");
        }
        double[] component = keyComponent(tableLogits, keyFrequencies);
        double[] means = classMeans(tableLogits);
        int n = train.size();
        int[] rows = new int[n];
        int[] combined = new int[n];
        int[] zeros = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = train.left()[i] * p + train.right()[i];
            combined[i] = combine(train.left()[i], train.right()[i]);
        }
        // restricted = class mean + key component; the class mean is the same row for every example
        double[] restrictedTable = new double[p * p];
        for (int m = 0; m < p; m++) {
            for (int j = 0; j < p; j++) {
                restrictedTable[m * p + j] = means[j] + component[m * p + j];
            }
        }
        double restricted = CrossEntropy.mean(null, p, zeros, train.answer(), restrictedTable, combined, 1);
        double excluded = CrossEntropy.mean(tableLogits, p, rows, train.answer(), component, combined, -1);
        return new KeyFrequencyLosses(restricted, excluded);
    }

    /**
     * The logits' component along the key directions, as a function of m = a∘b: row-major [p, p], entry (m, j) is
     * the projected logit of class j at every pair with a∘b = m.
     */
    public double[] keyComponent(double[] tableLogits, List<Integer> keyFrequencies) {
        checkTable(tableLogits);
        // G[m, j] = Σ_{a∘b = m} logits[ab, j]
        double[] diagonalSums = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int source = (a * p + b) * p;
                int target = combine(a, b) * p;
                for (int j = 0; j < p; j++) {
                    diagonalSums[target + j] += tableLogits[source + j];
                }
            }
        }
        double norm = Math.sqrt(2) / p;
        double[] component = new double[p * p];
        double[] cosCoefficient = new double[p];
        double[] sinCoefficient = new double[p];
        for (int k : keyFrequencies) {
            if (k < 1 || k > basis.frequencyCount()) {
                throw new IllegalArgumentException("key frequency must be in 1.." + basis.frequencyCount() + ": " + k);
            }
            java.util.Arrays.fill(cosCoefficient, 0);
            java.util.Arrays.fill(sinCoefficient, 0);
            for (int m = 0; m < p; m++) {
                double c = norm * basis.unitCos((long) k * m);
                double s = norm * basis.unitSin((long) k * m);
                for (int j = 0; j < p; j++) {
                    double g = diagonalSums[m * p + j];
                    cosCoefficient[j] += c * g;
                    sinCoefficient[j] += s * g;
                }
            }
            for (int m = 0; m < p; m++) {
                double c = norm * basis.unitCos((long) k * m);
                double s = norm * basis.unitSin((long) k * m);
                for (int j = 0; j < p; j++) {
                    component[m * p + j] += c * cosCoefficient[j] + s * sinCoefficient[j];
                }
            }
        }
        return component;
    }

    /** The mean logit of each class over all p² pairs: the projection onto the constant 2-D component. */
    public double[] classMeans(double[] tableLogits) {
        checkTable(tableLogits);
        double[] means = new double[p];
        for (int row = 0; row < p * p; row++) {
            for (int j = 0; j < p; j++) {
                means[j] += tableLogits[row * p + j];
            }
        }
        for (int j = 0; j < p; j++) {
            means[j] /= (double) p * p;
        }
        return means;
    }

    /** The full restricted table [p², p]: class means plus the key component. For tests and inspection. */
    public double[] restrictedLogits(double[] tableLogits, List<Integer> keyFrequencies) {
        double[] component = keyComponent(tableLogits, keyFrequencies);
        double[] means = classMeans(tableLogits);
        double[] restricted = new double[tableLogits.length];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int row = (a * p + b) * p;
                int m = combine(a, b) * p;
                for (int j = 0; j < p; j++) {
                    restricted[row + j] = means[j] + component[m + j];
                }
            }
        }
        return restricted;
    }

    /** The full excluded table [p², p]: the logits minus the key component. For tests and inspection. */
    public double[] excludedLogits(double[] tableLogits, List<Integer> keyFrequencies) {
        double[] component = keyComponent(tableLogits, keyFrequencies);
        double[] excluded = tableLogits.clone();
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int row = (a * p + b) * p;
                int m = combine(a, b) * p;
                for (int j = 0; j < p; j++) {
                    excluded[row + j] -= component[m + j];
                }
            }
        }
        return excluded;
    }

    private void checkTable(double[] tableLogits) {
        if (tableLogits.length != p * p * p) {
            throw new IllegalArgumentException("expected logits for all " + p + "² pairs over " + p
                    + " classes (" + p * p * p + " values), got " + tableLogits.length);
        }
    }
}
