package io.grokscope.analysis;

import io.grokscope.model.Loss;
import io.grokscope.model.OutputHead;
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
        return losses(tableLogits, keyFrequencies, train, Loss.CROSS_ENTROPY);
    }

    /**
     * The restricted and excluded training-set losses under {@code loss}: the run's own loss, so that an MSE-trained
     * run's values compare with its train_loss (cross-entropy of logits that were never meant to be a softmax says
     * little).
     */
    public KeyFrequencyLosses losses(double[] tableLogits, List<Integer> keyFrequencies, Examples train, Loss loss) {
        if (keyFrequencies.isEmpty()) {
            throw new IllegalArgumentException("no key frequencies: restricted and excluded loss are undefined");
        }
        double[] component = keyComponent(tableLogits, keyFrequencies);
        double[] means = classMeans(tableLogits);
        TrainRows rows = trainRows(train);
        int[] zeros = new int[rows.size()];
        // restricted = class mean + key component; the class mean is the same row for every example
        double[] restrictedTable = new double[p * p];
        for (int m = 0; m < p; m++) {
            for (int j = 0; j < p; j++) {
                restrictedTable[m * p + j] = means[j] + component[m * p + j];
            }
        }
        if (loss == Loss.MSE) {
            return new KeyFrequencyLosses(
                    SquaredError.mean(null, p, zeros, train.answer(), restrictedTable, rows.combined(), 1),
                    SquaredError.mean(tableLogits, p, rows.rows(), train.answer(), component, rows.combined(), -1));
        }
        double restricted = CrossEntropy.mean(null, p, zeros, train.answer(), restrictedTable, rows.combined(), 1);
        double excluded = CrossEntropy.mean(tableLogits, p, rows.rows(), train.answer(), component, rows.combined(),
                -1);
        return new KeyFrequencyLosses(restricted, excluded);
    }

    /**
     * The excluded loss of every single frequency: element k − 1 is the training loss (under {@code loss}) of the
     * logits with only cos(w_k(a∘b)) and sin(w_k(a∘b)) removed, for k = 1..(p−1)/2. Nanda et al.'s footnote 3 takes
     * the maximum over these as a progress measure that needs no key set; their released code logs the same
     * per-frequency values for the key frequencies.
     *
     * <p>Cost: one O(p³) pass for the diagonal sums, then per frequency O(p²) for the component and O(n·p) for the
     * loss. For cross-entropy the exponentials are factored, exp(L − C_k) = exp(L)·exp(−C_k), so the n·p work per
     * frequency is multiply-adds and only p² exponentials are new (rows whose factored sum under- or overflows are
     * recomputed directly).
     */
    public double[] singleFrequencyExcludedLosses(double[] tableLogits, Examples train, Loss loss) {
        checkTable(tableLogits);
        double[] sums = diagonalSums(tableLogits);
        TrainRows rows = trainRows(train);
        int n = rows.size();
        int[] targets = train.answer();
        double[] losses = new double[basis.frequencyCount()];
        double[] component = new double[p * p];
        double[] factor = new double[p * p];
        double[] shift = new double[p];
        double[] rowMax = new double[n];
        double[] rowExp = null;
        if (loss == Loss.CROSS_ENTROPY) {
            rowExp = new double[n * p];
            for (int i = 0; i < n; i++) {
                int base = rows.rows()[i] * p;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < p; j++) {
                    max = Math.max(max, tableLogits[base + j]);
                }
                rowMax[i] = max;
                for (int j = 0; j < p; j++) {
                    rowExp[i * p + j] = Math.exp(tableLogits[base + j] - max);
                }
            }
        }
        for (int k = 1; k <= basis.frequencyCount(); k++) {
            java.util.Arrays.fill(component, 0);
            addComponent(sums, k, component);
            if (loss == Loss.MSE) {
                losses[k - 1] = SquaredError.mean(tableLogits, p, rows.rows(), targets, component, rows.combined(),
                        -1);
                continue;
            }
            for (int m = 0; m < p; m++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < p; j++) {
                    max = Math.max(max, -component[m * p + j]);
                }
                shift[m] = max;
                for (int j = 0; j < p; j++) {
                    factor[m * p + j] = Math.exp(-component[m * p + j] - max);
                }
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                int m = rows.combined()[i];
                int e = i * p;
                int f = m * p;
                double sum = 0;
                for (int j = 0; j < p; j++) {
                    sum += rowExp[e + j] * factor[f + j];
                }
                int t = targets[i];
                double target = tableLogits[rows.rows()[i] * p + t] - component[f + t];
                if (sum > 1e-280 && sum < Double.POSITIVE_INFINITY) {
                    total += Math.log(sum) + rowMax[i] + shift[m] - target;
                } else {
                    total += directCrossEntropy(tableLogits, rows.rows()[i] * p, component, f, t);
                }
            }
            losses[k - 1] = total / n;
        }
        return losses;
    }

    private double directCrossEntropy(double[] logits, int base, double[] component, int componentBase, int target) {
        double[] row = new double[p];
        for (int j = 0; j < p; j++) {
            row[j] = logits[base + j] - component[componentBase + j];
        }
        return OutputHead.crossEntropy(row, 0, p, target);
    }

    private TrainRows trainRows(Examples train) {
        int n = train.size();
        int[] rows = new int[n];
        int[] combined = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = train.left()[i] * p + train.right()[i];
            combined[i] = combine(train.left()[i], train.right()[i]);
        }
        return new TrainRows(rows, combined);
    }

    /** The training examples' rows in the p²-table and their a∘b. */
    private record TrainRows(int[] rows, int[] combined) {
        int size() {
            return rows.length;
        }
    }

    /**
     * The logits' component along the key directions, as a function of m = a∘b: row-major [p, p], entry (m, j) is
     * the projected logit of class j at every pair with a∘b = m.
     */
    public double[] keyComponent(double[] tableLogits, List<Integer> keyFrequencies) {
        checkTable(tableLogits);
        double[] sums = diagonalSums(tableLogits);
        double[] component = new double[p * p];
        for (int k : keyFrequencies) {
            if (k < 1 || k > basis.frequencyCount()) {
                throw new IllegalArgumentException("key frequency must be in 1.." + basis.frequencyCount() + ": " + k);
            }
            addComponent(sums, k, component);
        }
        return component;
    }

    /** G[m, j] = Σ_{a∘b = m} logits[ab, j]: everything the projections need from the table. */
    private double[] diagonalSums(double[] tableLogits) {
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
        return diagonalSums;
    }

    /** Adds frequency k's component (a function of m = a∘b, [p, p]) to {@code component}. */
    private void addComponent(double[] diagonalSums, int k, double[] component) {
        double norm = Math.sqrt(2) / p;
        double[] cosCoefficient = new double[p];
        double[] sinCoefficient = new double[p];
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
