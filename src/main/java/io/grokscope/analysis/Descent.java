package io.grokscope.analysis;

/**
 * A fast fall of one curve (see {@link FastDescents}): its steepest grid point and the stretch around it, and where
 * the fall starts and ends as steps, placed by hinge fits.
 *
 * @param curve the curve that falls
 * @param peak  the grid index of the steepest fall
 * @param lo    the first grid index of the fast stretch
 * @param hi    the last grid index of the fast stretch
 * @param start the step where the fall starts
 * @param end   the step where it ends; null while it still falls fast near the last point
 */
record Descent(SmoothedCurve curve, int peak, int lo, int hi, double start, Double end) {
}
