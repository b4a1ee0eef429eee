package io.grokscope.task;

import java.util.ArrayList;
import java.util.List;

/** One equation {@code left ∘ right = answer} of a table, so that comparisons read well in failure messages. */
record Equation(int left, int right, int answer) {

    static List<Equation> listOf(Examples examples) {
        List<Equation> result = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            result.add(new Equation(examples.left()[i], examples.right()[i], examples.answer()[i]));
        }
        return result;
    }
}
