package io.grokscope.analysis;

import io.grokscope.model.OutputHead;

/**
 * Mean softmax cross-entropy over selected rows of a row-major logit table, each row scored by the models' own
 * {@link OutputHead#crossEntropy} (double precision, log-sum-exp shift), so losses as small as Nanda et al.'s 1e-7
 * are resolved instead of rounding to zero and match the models' evaluation loss by construction.
 */
final class CrossEntropy {

    private CrossEntropy() {
    }

    /**
     * Mean over i of −log softmax(row(i))[target(i)], where row(i) is {@code logits[rows[i]·classes ..]} shifted by
     * {@code offsets[mRows[i]·classes ..]} times {@code offsetSign} (so the caller can add or subtract a component
     * that depends only on a∘b without materialising the modified table).
     *
     * @param logits     row-major [n, classes] table, or null to use only the offsets
     * @param rows       the rows of {@code logits} to score
     * @param targets    the correct class of each scored row
     * @param offsets    row-major [m, classes] table added to each scored row, or null
     * @param offsetRows which row of {@code offsets} each scored row takes
     * @param offsetSign +1 to add the offset, −1 to subtract it
     */
    static double mean(double[] logits, int classes, int[] rows, int[] targets, double[] offsets, int[] offsetRows,
            double offsetSign) {
        double[] row = new double[classes];
        double total = 0;
        for (int i = 0; i < rows.length; i++) {
            int base = rows[i] * classes;
            int offsetBase = offsets == null ? 0 : offsetRows[i] * classes;
            for (int c = 0; c < classes; c++) {
                double v = logits == null ? 0 : logits[base + c];
                if (offsets != null) {
                    v += offsetSign * offsets[offsetBase + c];
                }
                row[c] = v;
            }
            total += OutputHead.crossEntropy(row, 0, classes, targets[i]);
        }
        return total / rows.length;
    }
}
