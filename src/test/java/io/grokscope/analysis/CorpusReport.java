package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The corpus table and the perturbation table of docs/analysis-validation.md, computed with the analyzer as it is.
 * A perturbed run is stable when its verdict is the unperturbed one and every phase boundary of the unperturbed run
 * is present and within {@value #TOLERANCE} × the generalization step of it (the steps scaled back for the step-axis
 * perturbations; without a generalization step, × the run's last step). A subsampled run left with fewer than
 * {@value #MIN_POINTS} test-accuracy points is not judged (n/a): no detector can place a phase on it.
 */
final class CorpusReport {

    static final double TOLERANCE = 0.15;
    static final int MIN_POINTS = 20;

    /** The outcome of one perturbation of one run. */
    record Outcome(String run, String perturbation, boolean judged, boolean verdictKept, boolean boundariesKept,
            String detail) {
    }

    static PhaseAnalysis analyse(AnalysisCorpus.Run run, MetricHistory history) {
        return new PhaseAnalyzer(run.thresholds()).analyse(history, false);
    }

    static String corpusTable() {
        StringBuilder out = new StringBuilder("| run | expected verdict (source) | service verdict | memorization /"
                + " generalization step | phases |\n|---|---|---|---|---|\n");
        int right = 0;
        for (AnalysisCorpus.Run run : AnalysisCorpus.RUNS) {
            PhaseAnalysis a = analyse(run, run.history());
            if (a.verdict() == run.expected()) {
                right++;
            }
            out.append(String.format(Locale.ROOT, "| %s | %s (%s) | %s%s | %s / %s | %s |\n", run.name(),
                    run.expected(), run.source(), a.verdict(), a.verdict() == run.expected() ? "" : " ✗",
                    a.memorizationStep(), a.generalizationStep(), phases(a)));
        }
        out.append(String.format(Locale.ROOT, "\nVerdict accuracy: %d / %d\n", right, AnalysisCorpus.RUNS.size()));
        return out.toString();
    }

    static String phases(PhaseAnalysis a) {
        return a.phases().isEmpty() ? "none" : a.phases().stream().map(p -> p.name().name().toLowerCase(Locale.ROOT)
                .replace('_', ' ') + " " + p.startStep() + "–" + (p.endStep() == null ? "…" : p.endStep()))
                .collect(Collectors.joining(", "));
    }

    static List<Outcome> outcomes() {
        List<Outcome> outcomes = new ArrayList<>();
        for (AnalysisCorpus.Run run : AnalysisCorpus.RUNS) {
            MetricHistory history = run.history();
            PhaseAnalysis base = analyse(run, history);
            long lastStep = history.series().values().stream().mapToLong(s -> s.step(s.size() - 1)).max().orElse(1);
            double scaleOfTolerance = base.generalizationStep() != null && base.generalizationStep() > 0
                    ? base.generalizationStep() : lastStep;
            for (Perturbation p : Perturbation.all()) {
                MetricHistory perturbed = p.apply().apply(history);
                int points = perturbed.series(Metric.TEST_ACC).map(MetricSeries::size).orElse(0);
                if (points < MIN_POINTS) {
                    outcomes.add(new Outcome(run.name(), p.name(), false, true, true, points + " points"));
                    continue;
                }
                PhaseAnalysis a = analyse(run, perturbed);
                boolean verdictKept = a.verdict() == base.verdict();
                List<String> moved = new ArrayList<>();
                for (Phase phase : base.phases()) {
                    Phase other = a.phase(phase.name()).orElse(null);
                    if (other == null) {
                        moved.add(phase.name() + " lost");
                        continue;
                    }
                    compare(phase.name() + " start", phase.startStep(), other.startStep(), p.stepScale(),
                            scaleOfTolerance, moved);
                    compare(phase.name() + " end", phase.endStep(), other.endStep(), p.stepScale(),
                            scaleOfTolerance, moved);
                }
                for (Phase phase : a.phases()) {
                    if (base.phase(phase.name()).isEmpty()) {
                        moved.add(phase.name() + " added");
                    }
                }
                String detail = (verdictKept ? "" : a.verdict() + "; ") + String.join("; ", moved);
                outcomes.add(new Outcome(run.name(), p.name(), true, verdictKept, moved.isEmpty(), detail));
            }
        }
        return outcomes;
    }

    private static void compare(String what, Long base, Long perturbed, double stepScale, double scale,
            List<String> moved) {
        if (base == null && perturbed == null) {
            return;
        }
        if (base == null || perturbed == null) {
            moved.add(what + " " + base + "→" + (perturbed == null ? null : Math.round(perturbed / stepScale)));
            return;
        }
        double back = perturbed / stepScale;
        if (Math.abs(back - base) > TOLERANCE * scale) {
            moved.add(String.format(Locale.ROOT, "%s %d→%d", what, base, Math.round(back)));
        }
    }

    static String perturbationTable(List<Outcome> outcomes) {
        List<String> names = Perturbation.all().stream().map(Perturbation::name).toList();
        StringBuilder out = new StringBuilder("| perturbation | verdict kept | boundaries within 15 % | failures |\n"
                + "|---|---|---|---|\n");
        int judged = 0;
        int verdicts = 0;
        int bounds = 0;
        for (String name : names) {
            List<Outcome> these = outcomes.stream().filter(o -> o.perturbation().equals(name) && o.judged()).toList();
            long v = these.stream().filter(Outcome::verdictKept).count();
            long b = these.stream().filter(Outcome::boundariesKept).count();
            judged += these.size();
            verdicts += v;
            bounds += b;
            String failures = these.stream().filter(o -> !o.verdictKept() || !o.boundariesKept())
                    .map(o -> o.run() + ": " + o.detail()).collect(Collectors.joining("<br>"));
            out.append(String.format(Locale.ROOT, "| %s | %d/%d | %d/%d | %s |\n", name, v, these.size(), b,
                    these.size(), failures.isEmpty() ? "" : failures));
        }
        out.append(String.format(Locale.ROOT, "| **all** | **%d/%d** | **%d/%d** | |\n", verdicts, judged, bounds,
                judged));
        List<String> skipped = outcomes.stream().filter(o -> !o.judged())
                .map(o -> o.run() + " (" + o.perturbation() + ", " + o.detail() + ")").toList();
        if (!skipped.isEmpty()) {
            out.append("\nNot judged (fewer than " + MIN_POINTS + " test-accuracy points left): "
                    + String.join(", ", skipped) + "\n");
        }
        return out.toString();
    }

    static String report() {
        return "## Corpus\n\n" + corpusTable() + "\n## Perturbations\n\n" + perturbationTable(outcomes());
    }

    static boolean allStable(List<Outcome> outcomes) {
        return outcomes.stream().allMatch(o -> o.verdictKept() && o.boundariesKept());
    }

    private CorpusReport() {
    }
}
