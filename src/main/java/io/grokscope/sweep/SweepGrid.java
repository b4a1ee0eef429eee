package io.grokscope.sweep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cartesian product of a sweep's axes, its cells numbered row-major: the first axis outermost, the last one
 * varying fastest. With no axes there is one cell. The numbering is what the database stores, so it must never change.
 */
record SweepGrid(List<SweepAxis> axes) {

    SweepGrid {
        axes = List.copyOf(axes);
    }

    /** The number of cells; callers bound each axis first, so this never overflows in practice. */
    int cells() {
        int cells = 1;
        for (SweepAxis axis : axes) {
            cells = Math.multiplyExact(cells, axis.values().size());
        }
        return cells;
    }

    /** The value index on each axis of a cell. */
    int[] indices(int cell) {
        int[] indices = new int[axes.size()];
        int rest = cell;
        for (int a = axes.size() - 1; a >= 0; a--) {
            int size = axes.get(a).values().size();
            indices[a] = rest % size;
            rest /= size;
        }
        return indices;
    }

    /** Axis path → the cell's value on it, in axis order. */
    Map<String, Object> values(int cell) {
        int[] indices = indices(cell);
        Map<String, Object> values = new LinkedHashMap<>();
        for (int a = 0; a < axes.size(); a++) {
            values.put(axes.get(a).path(), axes.get(a).values().get(indices[a]));
        }
        return values;
    }

    /** The axis named by a path, or -1. */
    int axisIndex(String path) {
        for (int a = 0; a < axes.size(); a++) {
            if (axes.get(a).path().equals(path)) {
                return a;
            }
        }
        return -1;
    }

    /** "optimizer.weightDecay=0.1, task.trainFraction=0.3": a cell as people read it. */
    String describe(int cell) {
        StringBuilder text = new StringBuilder();
        values(cell).forEach((path, value) -> {
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(path).append('=').append(AxisValues.display(value));
        });
        return text.toString();
    }
}
