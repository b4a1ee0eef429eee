package io.grokscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Bulk row access of {@link HostView} on a view that starts inside a larger buffer (a parameter tensor). */
class HostViewTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void readAndWriteMoveRowsWithinTheView(DataType type) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("before", new long[] {3});
        shapes.put("w", new long[] {2, 4});
        shapes.put("after", new long[] {5});
        Parameters p = Parameters.allocate(shapes, type);
        HostView w = HostView.of(p.get("w"));
        HostView all = HostView.of(p.values());
        for (int i = 0; i < all.length(); i++) {
            all.set(i, i + 0.25);
        }

        double[] row = new double[6];
        w.read(4, row, 1, 4); // the second row of w: flat elements 7..10
        assertArrayEquals(new double[] {0, 7.25, 8.25, 9.25, 10.25, 0}, row);

        w.write(new double[] {-1, -2, -3, 1.0 / 3}, 1, 2, 3); // elements 2..4 of w
        assertEquals(-2, w.get(2));
        assertEquals(-3, w.get(3));
        assertEquals(type == DataType.FLOAT ? (double) (float) (1.0 / 3) : 1.0 / 3, w.get(4));
        assertEquals(4.25, w.get(1)); // untouched around the written range
        assertEquals(8.25, w.get(5));
        assertEquals(2.25, all.get(2)); // the neighbouring tensors too
        assertEquals(11.25, all.get(11));

        assertThrows(IndexOutOfBoundsException.class, () -> w.read(5, row, 0, 4)); // would run into "after"
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(row, 0, -1, 2));
    }
}
