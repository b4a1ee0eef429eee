package io.grokscope.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled corpus of real curves under {@code src/test/resources/corpus}: runs trained by this service through its
 * API (the reproductions of docs/reproductions and the small MLP runs of scripts/corpus.py), each exported with the
 * CSV export, with the verdict a reader should expect and where that expectation comes from. The labels were set from
 * the papers and from reading the raw accuracy curves, never from the detector's output.
 */
final class AnalysisCorpus {

    /**
     * One labelled run.
     *
     * @param name     file name under /corpus (without .csv)
     * @param expected the verdict a reader should expect
     * @param source   why: the paper's result for the setup, or what the raw curves show
     * @param thresholds the thresholds of the run's spec
     */
    record Run(String name, Verdict expected, String source, PhaseThresholds thresholds) {

        Run(String name, Verdict expected, String source) {
            this(name, expected, source, name.startsWith("grokfast") ? GROKFAST : PhaseThresholds.DEFAULTS);
        }

        MetricHistory history() {
            return CurveTable.history(CurveTable.parseCsv(csv(), new CurveTable.Limits(64, 100_000)),
                    new ArrayList<>());
        }

        String csv() {
            try (InputStream in = AnalysisCorpus.class.getResourceAsStream("/corpus/" + name + ".csv")) {
                if (in == null) {
                    throw new IllegalStateException("corpus file /corpus/" + name + ".csv is missing");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The Grokfast runs' specs judge generalization at the paper's 95 % validation accuracy. */
    static final PhaseThresholds GROKFAST = new PhaseThresholds(0.99, 0.95, PhaseThresholds.DEFAULTS.grokkingMinDelay());

    static final List<Run> RUNS = List.of(
            new Run("nanda", Verdict.GROKKING, "Nanda et al. 2023 mainline setup (wd 1): groks ~10k after memorizing"
                    + " at ~1.4k; raw curves: train acc 1.0 from 200, test acc 0.99 from 9k"),
            new Run("nanda-seed1", Verdict.GROKKING, "Nanda et al. 2023, another seed; raw curves: test acc 0.99"
                    + " from 13.7k, train from 200"),
            new Run("no-generalization", Verdict.MEMORIZATION, "Nanda et al.: no grokking without weight decay and"
                    + " none at 10-20 % data; raw curves: test acc <= 0.011 throughout"),
            new Run("grokfast-baseline", Verdict.MEMORIZATION, "Lee et al. 2024: the unfiltered baseline needs"
                    + " ~39.9k steps, past this run's 26.5k; raw curves: test acc stalls at 0.14"),
            new Run("grokfast-ema", Verdict.COMPREHENSION, "Lee et al. 2024: the EMA filter removes the delay"
                    + " (910 iterations); raw curves: test acc follows train acc within ~20 % of the run"),
            new Run("grokfast-ma", Verdict.COMPREHENSION, "Lee et al. 2024: MA filter, 790 iterations; raw curves:"
                    + " train 0.99 at 1170, test at 1200"),
            new Run("grokfast-ablation-pre-normalised-stream-nanda", Verdict.COMPREHENSION, "raw curves: train and"
                    + " test accuracy rise together (0.99 at 1000 and 1200)"),
            new Run("grokfast-ablation-pre-torch-default", Verdict.COMPREHENSION, "raw curves: train and test"
                    + " accuracy rise together (0.99 at 1100 and 1350)"),
            new Run("grokfast-ema-pre-ln-nanda-init", Verdict.CONFUSION, "raw curves: train accuracy ends at 0.79,"
                    + " never near 0.99"),
            new Run("mlp-p47-f05-wd1", Verdict.GROKKING, "Power et al.: at 50 % data generalization comes long"
                    + " after fitting; raw curves: train acc 1.0 from ~110, test acc at chance until ~900, 0.99 at"
                    + " ~3000"),
            new Run("mlp-p47-f07-wd1", Verdict.GROKKING, "raw curves: train acc 1.0 from ~150, test acc at chance"
                    + " until ~360 (a plateau longer than the time to fit), then 0.06 -> 0.997 within ~360 steps"),
            new Run("mlp-p47-f09-wd1", Verdict.COMPREHENSION, "Nanda et al.: at >= 60 % data generalization is"
                    + " immediate; raw curves: test acc starts rising as train acc reaches 1.0 (~160)"),
            new Run("mlp-p47-f03-wd1", Verdict.MEMORIZATION, "Power et al.: less data, later generalization; the"
                    + " reproduction's 3 000-step budget; raw curves: test acc 0.0 throughout"),
            new Run("mlp-p47-f05-wd0", Verdict.MEMORIZATION, "Nanda et al.: no grokking without weight decay;"
                    + " raw curves: test acc 0.0 throughout"),
            new Run("mlp-p31-f05-wd1", Verdict.MEMORIZATION, "raw curves: test acc creeps to 0.21 by the end of"
                    + " the 4 000-step budget, never near 0.99"),
            new Run("mlp-p47-f05-lr1e-5", Verdict.CONFUSION, "learning rate 1e-5 for 1 000 steps; raw curves:"
                    + " train acc ends at 0.045"));

    private AnalysisCorpus() {
    }
}
