package io.grokscope.analysis;

import io.grokscope.task.Examples;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Complete a∘b mod p tables with a seeded split, built here so the analysis tests do not depend on the task package. */
final class ModularTasks {

    private ModularTasks() {
    }

    static TaskData split(Operation operation, int p, double trainFraction, long seed) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < p * p; i++) {
            rows.add(i);
        }
        Examples table = examples(operation, p, rows);
        Collections.shuffle(rows, new Random(seed));
        int trainSize = (int) Math.round(trainFraction * p * p);
        Examples train = examples(operation, p, rows.subList(0, trainSize));
        Examples test = examples(operation, p, rows.subList(trainSize, rows.size()));
        return new TaskData(TaskSpec.of(operation, p, trainFraction, seed), p, table, train, test);
    }

    static int combine(Operation operation, int a, int b, int p) {
        return switch (operation) {
            case ADD -> Math.floorMod(a + b, p);
            case SUBTRACT -> Math.floorMod(a - b, p);
            case MULTIPLY -> Math.floorMod(a * b, p);
            default -> throw new IllegalArgumentException(operation + " is not built by this fixture");
        };
    }

    private static Examples examples(Operation operation, int p, List<Integer> rows) {
        int[] left = new int[rows.size()];
        int[] right = new int[rows.size()];
        int[] answer = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            left[i] = rows.get(i) / p;
            right[i] = rows.get(i) % p;
            answer[i] = combine(operation, left[i], right[i], p);
        }
        return new Examples(left, right, answer);
    }
}
