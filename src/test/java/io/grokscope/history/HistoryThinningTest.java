package io.grokscope.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class HistoryThinningTest {

    /** Replays a run: a snapshot at every measured step, then everything the rule no longer keeps is dropped. */
    private static TreeSet<Long> replay(HistoryThinning thinning, long cadence, long steps) {
        TreeSet<Long> kept = new TreeSet<>();
        List<Long> measured = new ArrayList<>();
        for (long step = 0; step < steps; step += cadence) {
            measured.add(step);
        }
        measured.add(steps);
        for (long step : measured) {
            kept.add(step);
            kept.removeIf(s -> !thinning.keeps(s, step));
            assertThat((long) kept.size()).as("snapshots at step %d", step).isLessThanOrEqualTo(thinning.capacity());
        }
        return kept;
    }

    @Test
    void nandasFortyThousandStepRunStaysWithinOneHundredMegabytes() {
        long snapshotBytes = 907_291; // measured: the 1-layer p = 113 transformer's parameters, FP32, with manifest
        HistoryThinning thinning = HistoryThinning.forBudget(104_857_600, snapshotBytes, 100);
        assertThat(thinning.capacity()).isEqualTo(115);
        TreeSet<Long> kept = replay(thinning, 100, 40_000);
        assertThat(kept.size() * snapshotBytes).isLessThanOrEqualTo(104_857_600);
        // the dense head: every measurement up to 2 800 (memorisation ends near 1 400)
        for (long step = 0; step < 2_800; step += 100) {
            assertThat(kept).contains(step);
        }
        assertThat(kept).contains(40_000L);
        // the tail is evenly spaced: one stride everywhere after the head
        long stride = thinning.stride(40_000);
        assertThat(stride).isEqualTo(800);
        assertThat(kept.tailSet(2_800L).headSet(40_000L)).allMatch(s -> s % stride == 0)
                .hasSize((int) ((40_000 - 2_800) / stride));
        // and uses at least half of the capacity
        assertThat(kept.size()).isGreaterThan((int) thinning.capacity() / 2);
    }

    @Test
    void aDroppedSnapshotIsNeverWantedAgain() {
        HistoryThinning thinning = new HistoryThinning(20, 10);
        for (long latest = 0; latest <= 5_000; latest += 10) {
            for (long later = latest; later <= 5_000; later += 10) {
                for (long step = 0; step < latest; step += 10) {
                    if (!thinning.keeps(step, latest)) {
                        assertThat(thinning.keeps(step, later)).as("step %d at %d, dropped at %d", step, later,
                                latest).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void aResumedAttemptThinsAsTheFirstWould() {
        // the rule depends only on (step, latest): replaying from any prefix gives the same set
        HistoryThinning thinning = new HistoryThinning(12, 50);
        TreeSet<Long> whole = replay(thinning, 50, 3_000);
        TreeSet<Long> resumed = replay(thinning, 50, 1_500);
        for (long step = 1_550; step <= 3_000; step += 50) {
            resumed.add(step);
            long latest = step;
            resumed.removeIf(s -> !thinning.keeps(s, latest));
        }
        assertThat(resumed).isEqualTo(whole);
    }

    @Test
    void aBudgetBelowOneSnapshotKeepsNoHistoryAndTinyBudgetsKeepTheLatest() {
        assertThat(HistoryThinning.forBudget(999, 1_000, 100)).isNull();
        HistoryThinning one = HistoryThinning.forBudget(1_000, 1_000, 100);
        assertThat(replay(one, 100, 1_000)).containsExactly(1_000L);
        HistoryThinning two = HistoryThinning.forBudget(2_000, 1_000, 100);
        assertThat(replay(two, 100, 1_000)).containsExactly(0L, 1_000L);
        assertThatThrownBy(() -> new HistoryThinning(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
