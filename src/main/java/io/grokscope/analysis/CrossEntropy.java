package io.grokscope.analysis;

/**
 * Mean softmax cross-entropy over selected rows of a row-major logit table, in double precision with the log-sum-exp
 * shift, so losses as small as Nanda et al.'s 1e-7 are resolved instead of rounding to zero.
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
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double v = logits == null ? 0 : logits[base + c];
                if (offsets != null) {
                    v += offsetSign * offsets[offsetBase + c];
                }
                row[c] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(row[c] - max);
            }
            total += max + Math.log(sum) - row[targets[i]];
        }
        return total / rows.length;
    }
}
