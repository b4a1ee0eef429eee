package io.grokscope.analysis;

import java.util.Optional;

/**
 * The best continuous two-piece linear fit ("hinge", or broken-stick regression) to part of a curve:
 * y ≈ a + b·x + c·(x − knot)₊, the knot chosen among the data points by least squares.
 *
 * <p>This places a change point precisely where a curve turns from one straight-line regime to another (a loss that
 * stops falling, a loss that starts to rise) and averages noise over both arms, which a threshold on a derivative
 * cannot do. Each candidate knot costs one 3×3 least-squares solve over the window, so a window of n points costs
 * O(n²), about a millisecond for the few hundred points of a run.
 *
 * @param knot       the step where the two lines meet
 * @param leftSlope  slope before the knot, per step
 * @param rightSlope slope after the knot, per step
 * @param sse        residual sum of squares
 */
record HingeFit(double knot, double leftSlope, double rightSlope, double sse) {

    /** The smallest number of points each arm must have. */
    static final int MIN_ARM = 2;

    /**
     * The best hinge over points {@code from..to} (inclusive), or empty when the window is too short for two arms.
     */
    static Optional<HingeFit> best(double[] x, double[] y, int from, int to) {
        if (to - from + 1 < 2 * MIN_ARM + 1) {
            return Optional.empty();
        }
        // work on u in [0, 1] so the normal equations are well conditioned whatever the step range
        double origin = x[from];
        double span = x[to] - x[from];
        HingeFit best = null;
        for (int k = from + MIN_ARM; k <= to - MIN_ARM; k++) {
            double knotU = (x[k] - origin) / span;
            double[][] normal = new double[3][3];
            double[] rhs = new double[3];
            for (int i = from; i <= to; i++) {
                double u = (x[i] - origin) / span;
                double[] row = {1, u, Math.max(0, u - knotU)};
                for (int r = 0; r < 3; r++) {
                    rhs[r] += row[r] * y[i];
                    for (int c = 0; c < 3; c++) {
                        normal[r][c] += row[r] * row[c];
                    }
                }
            }
            double[] beta = solve(normal, rhs);
            if (beta == null) {
                continue;
            }
            double sse = 0;
            for (int i = from; i <= to; i++) {
                double u = (x[i] - origin) / span;
                double r = y[i] - (beta[0] + beta[1] * u + beta[2] * Math.max(0, u - knotU));
                sse += r * r;
            }
            if (best == null || sse < best.sse) {
                best = new HingeFit(x[k], beta[1] / span, (beta[1] + beta[2]) / span, sse);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Gaussian elimination with partial pivoting; null when singular. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(a[pivot][col]) < 1e-12) {
                return null;
            }
            double[] rowSwap = a[col];
            a[col] = a[pivot];
            a[pivot] = rowSwap;
            double bSwap = b[col];
            b[col] = b[pivot];
            b[pivot] = bSwap;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c < n; c++) {
                    a[r][c] -= f * a[col][c];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double sum = b[r];
            for (int c = r + 1; c < n; c++) {
                sum -= a[r][c] * x[c];
            }
            x[r] = sum / a[r][r];
        }
        return x;
    }
}
