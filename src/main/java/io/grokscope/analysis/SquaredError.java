package io.grokscope.analysis;

import io.grokscope.model.OutputHead;

/**
 * Mean squared error against one-hot targets over selected rows of a row-major logit table, as the trainer's MSE loss
 * defines it (torch's {@code MSELoss()}: the mean over all n·classes entries; each row's squares summed by the models'
 * own {@link OutputHead#squaredError}, then the rows), so restricted and excluded loss of an MSE-trained run are on the
 * scale of its train_loss.
 */
final class SquaredError {

    private SquaredError() {
    }

    /** Same arguments as {@link CrossEntropy#mean}. */
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
            total += OutputHead.squaredError(row, 0, classes, targets[i]);
        }
        return total / ((double) rows.length * classes);
    }
}
