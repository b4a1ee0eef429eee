package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CurveTableTest {

    private static final CurveTable.Limits LIMITS = new CurveTable.Limits(64, 20_000);

    @Test
    void readsTheServicesLongCsvExportAndAWideTable() {
        List<CurveTable.Curve> longForm = CurveTable.parseCsv("experiment_id,metric,step,value\n"
                + "7,train_acc,0,0.1\n7,train_acc,100,1.0\n7,test_loss,0,4.5\n7,test_loss,100,1e-3\n", LIMITS);
        assertThat(longForm).extracting(CurveTable.Curve::name).containsExactly("train_acc", "test_loss");
        assertThat(longForm.get(1).values()).containsExactly(4.5, 1e-3);

        List<CurveTable.Curve> wide = CurveTable.parseCsv("\uFEFFstep,train_acc,test_acc\n0,0.1,0.0\n100.0,1.0,\n"
                + "200,1.0,0.5\n", LIMITS);
        assertThat(wide.get(0).steps()).containsExactly(0, 100, 200);
        assertThat(wide.get(1).steps()).as("an empty cell is a metric not evaluated there").containsExactly(0, 200);
    }

    @Test
    void badRowsAreNamedByLineAndColumn() {
        assertThatThrownBy(() -> CurveTable.parseCsv("metric,step,value\ntrain_acc,0,0.1\ntrain_acc,0,0.2\n",
                LIMITS)).isInstanceOfSatisfying(CurveTable.InvalidCurvesException.class, e -> assertThat(
                        e.problems().get(0).field()).isEqualTo("line 3, column step"));
        assertThatThrownBy(() -> CurveTable.parseCsv("metric,step,value\ntrain_acc,0,NaN\n", LIMITS))
                .isInstanceOfSatisfying(CurveTable.InvalidCurvesException.class, e -> assertThat(
                        e.problems().get(0).field()).isEqualTo("line 2, column value"));
        assertThatThrownBy(() -> CurveTable.parseCsv("metric,step,value\ntrain_acc,-5,1\n", LIMITS))
                .isInstanceOf(CurveTable.InvalidCurvesException.class);
        assertThatThrownBy(() -> CurveTable.checked(List.of(new CurveTable.Curve("x", new long[] {0, 5, 3},
                new double[] {1, 2, 3})), LIMITS)).isInstanceOfSatisfying(CurveTable.InvalidCurvesException.class,
                        e -> assertThat(e.problems().get(0).field()).isEqualTo("/series/0/steps/2"));
    }

    @Test
    void tooManyPointsInOneSeriesAreRefused() {
        StringBuilder csv = new StringBuilder("step,train_acc\n");
        for (int i = 0; i <= 100; i++) {
            csv.append(i).append(",1\n");
        }
        assertThatThrownBy(() -> CurveTable.parseCsv(csv.toString(), new CurveTable.Limits(4, 100)))
                .isInstanceOfSatisfying(CurveTable.InvalidCurvesException.class,
                        e -> assertThat(e.problems().get(0).message()).contains("at most 100 points"));
    }

    /** Random garbage: every input either parses or is refused with named problems, never anything else. */
    @Test
    void hostileCsvIsParsedOrRefusedNeverThrowsAnythingElse() {
        Random random = new Random(21);
        String[] pieces = {",", "\n", "\r\n", "\"", "step", "metric", "value", "experiment_id", "train_acc", "1",
                "-1", "1e308", "1e400", "NaN", "-Infinity", "0.5", "9223372036854775807", "99999999999999999999",
                " ", "é", "\uFEFF", "", "test_loss", "1.5"};
        for (int round = 0; round < 3000; round++) {
            StringBuilder csv = new StringBuilder(random.nextBoolean() ? "experiment_id,metric,step,value\n"
                    : "step,train_acc,test_acc\n");
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                csv.append(pieces[random.nextInt(pieces.length)]);
            }
            try {
                List<CurveTable.Curve> curves = CurveTable.parseCsv(csv.toString(), LIMITS);
                MetricHistory history = CurveTable.history(curves, new ArrayList<>());
                PhaseAnalyzer.withDefaults().analyse(history, false);
            } catch (CurveTable.InvalidCurvesException e) {
                assertThat(e.problems()).isNotEmpty();
            }
        }
    }
}
