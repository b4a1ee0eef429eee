package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainTestSplitTest {

    @Test
    void nandaSplitForP113AtThirtyPercent() {
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 113, 0.3, 0));
        assertThat(data.table().size()).isEqualTo(12769);
        assertThat(data.train().size()).isEqualTo(3830);
        assertThat(data.test().size()).isEqualTo(8939);
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"ADD", "DIVIDE", "S5_CONJUGATE"})
    void trainAndTestAreDisjointAndCoverTheTable(Operation operation) {
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(operation, 13, 0.4, 7));
        List<Equation> train = Equation.listOf(data.train());
        List<Equation> test = Equation.listOf(data.test());
        Set<Equation> union = new HashSet<>(train);
        union.addAll(test);
        assertThat(union).hasSize(train.size() + test.size());
        assertThat(union).containsExactlyInAnyOrderElementsOf(Equation.listOf(data.table()));
    }

    @Test
    void sameSeedGivesTheSameSplit() {
        TaskData first = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 123));
        TaskData second = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 123));
        assertThat(Equation.listOf(second.train())).containsExactlyElementsOf(Equation.listOf(first.train()));
        assertThat(Equation.listOf(second.test())).containsExactlyElementsOf(Equation.listOf(first.test()));
    }

    @Test
    void differentSeedsGiveDifferentSplits() {
        Set<Equation> seed1 = new HashSet<>(Equation.listOf(
                AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 1)).train()));
        Set<Equation> seed2 = new HashSet<>(Equation.listOf(
                AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 31, 0.3, 2)).train()));
        assertThat(seed1).hasSameSizeAs(seed2).isNotEqualTo(seed2);
    }

    @Test
    void splitIsPinnedToSplitMix64AndFisherYates() {
        // Computed by an independent Python implementation of SplitMix64 and the same Fisher-Yates loop; a
        // change here silently changes every experiment's training set.
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.ADD, 5, 0.4, 42));
        int[] trainIndices = {6, 21, 20, 10, 24, 17, 13, 3, 18, 1};
        int[] testIndices = {9, 7, 19, 12, 23, 8, 4, 0, 16, 14, 22, 5, 15, 11, 2};
        assertThat(data.train().left()).containsExactly(Arrays.stream(trainIndices).map(i -> i / 5).toArray());
        assertThat(data.train().right()).containsExactly(Arrays.stream(trainIndices).map(i -> i % 5).toArray());
        assertThat(data.test().left()).containsExactly(Arrays.stream(testIndices).map(i -> i / 5).toArray());
        assertThat(data.test().right()).containsExactly(Arrays.stream(testIndices).map(i -> i % 5).toArray());
    }

    @Test
    void trainSizeIsTheFloorClampedToLeaveBothSetsNonEmpty() {
        assertThat(AlgorithmicTask.trainSize(12769, 0.3)).isEqualTo(3830);
        assertThat(AlgorithmicTask.trainSize(10, 0.99)).isEqualTo(9);
        assertThat(AlgorithmicTask.trainSize(10, 0.01)).isEqualTo(1);
        assertThat(AlgorithmicTask.trainSize(2, 0.5)).isEqualTo(1);
        assertThatThrownBy(() -> AlgorithmicTask.trainSize(1, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void smallestTableSplitsOneAndOne() {
        TaskData data = AlgorithmicTask.generate(TaskSpec.of(Operation.DIVIDE, 2, 0.9, 0));
        assertThat(data.train().size()).isEqualTo(1);
        assertThat(data.test().size()).isEqualTo(1);
    }
}
