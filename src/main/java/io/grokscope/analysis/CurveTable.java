package io.grokscope.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Curves sent from outside the service (a PyTorch or JAX run, or this service's own CSV export) before they become a
 * {@link MetricHistory}: named series of (step, value), checked point by point so that every refusal can name the
 * offending field. Plain Java; the HTTP layer turns a {@link Problem} into an RFC 9457 response.
 *
 * <p>Two CSV layouts are read:
 * <ul>
 * <li><b>long</b>, exactly what {@code GET /experiments/{id}/metrics} with {@code Accept: text/csv} emits:
 * {@code experiment_id,metric,step,value} (the {@code experiment_id} column may be left out), one row per point;</li>
 * <li><b>wide</b>, what {@code pandas.DataFrame.to_csv} writes from a training log: a {@code step} column and one
 * column per metric; an empty cell is a metric not evaluated at that step.</li>
 * </ul>
 * Steps must strictly increase within a series in the order given (a CSV row out of order is more likely a
 * concatenation of two runs than a shuffle worth repairing) and values must be finite: a lost evaluation is a missing
 * row, a diverged run stops where it diverged.
 */
public final class CurveTable {

    /** One named series as sent; the name is not yet checked against the metric vocabulary. */
    public record Curve(String name, long[] steps, double[] values) {
    }

    /** Bad input: the field (a JSON pointer, or {@code line N} / {@code line N, column C} for CSV) and why. */
    public record Problem(String field, String message) {
    }

    /** Thrown for bad input, carrying every problem found (at most {@value #MAX_PROBLEMS}). */
    public static final class InvalidCurvesException extends RuntimeException {
        private final List<Problem> problems;

        public InvalidCurvesException(List<Problem> problems) {
            super(problems.isEmpty() ? "invalid curves" : problems.get(0).field() + ": " + problems.get(0).message());
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /** How much input is accepted. */
    public record Limits(int maxSeries, int maxPoints) {
    }

    static final int MAX_PROBLEMS = 20;

    private CurveTable() {
    }

    /**
     * Checks series given as parallel arrays (the JSON body's {@code series}); problems are reported at
     * {@code /series/i/...}.
     */
    public static List<Curve> checked(List<Curve> curves, Limits limits) {
        List<Problem> problems = new ArrayList<>();
        if (curves.size() > limits.maxSeries()) {
            throw new InvalidCurvesException(List.of(new Problem("/series", "at most " + limits.maxSeries()
                    + " series (grokscope.limits.analysis-series), got " + curves.size())));
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < curves.size() && problems.size() < MAX_PROBLEMS; i++) {
            Curve curve = curves.get(i);
            String at = "/series/" + i;
            if (curve.name() == null || curve.name().isBlank()) {
                problems.add(new Problem(at + "/name", "is required"));
            } else if (seen.put(curve.name(), i) != null) {
                problems.add(new Problem(at + "/name", "'" + curve.name() + "' is already series "
                        + seen.get(curve.name()) + "; send each metric once"));
            }
            if (curve.steps() == null) {
                problems.add(new Problem(at + "/steps", "is required"));
                continue;
            }
            if (curve.values() == null) {
                problems.add(new Problem(at + "/values", "is required"));
                continue;
            }
            if (curve.steps().length != curve.values().length) {
                problems.add(new Problem(at + "/values", "has " + curve.values().length + " values for "
                        + curve.steps().length + " steps; steps and values must pair up"));
                continue;
            }
            if (curve.steps().length > limits.maxPoints()) {
                problems.add(new Problem(at + "/steps", "at most " + limits.maxPoints()
                        + " points per series (grokscope.limits.max-points), got " + curve.steps().length));
                continue;
            }
            checkPoints(curve.steps(), curve.values(), j -> at + "/steps/" + j, j -> at + "/values/" + j, problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidCurvesException(problems);
        }
        return curves;
    }

    private static void checkPoints(long[] steps, double[] values, java.util.function.IntFunction<String> stepAt,
            java.util.function.IntFunction<String> valueAt, List<Problem> problems) {
        for (int j = 0; j < steps.length && problems.size() < MAX_PROBLEMS; j++) {
            if (steps[j] < 0) {
                problems.add(new Problem(stepAt.apply(j), "must be >= 0, was " + steps[j]));
            } else if (j > 0 && steps[j] <= steps[j - 1]) {
                problems.add(new Problem(stepAt.apply(j), (steps[j] == steps[j - 1] ? "repeats step " : "step "
                        + steps[j] + " follows ") + steps[j - 1] + "; steps must strictly increase"));
            }
            if (!Double.isFinite(values[j])) {
                problems.add(new Problem(valueAt.apply(j), "must be a finite number, was " + values[j]
                        + "; leave out a lost evaluation, end a diverged series where it diverged"));
            }
        }
    }

    /** Parses either CSV layout (see the class comment); problems name the line (1-based, header = line 1). */
    public static List<Curve> parseCsv(String text, Limits limits) {
        String[] lines = text.split("\r?\n", -1);
        int headerLine = 0;
        while (headerLine < lines.length && lines[headerLine].isBlank()) {
            headerLine++;
        }
        if (headerLine == lines.length) {
            throw new InvalidCurvesException(List.of(new Problem("line 1", "the CSV is empty; expected the header "
                    + "experiment_id,metric,step,value (or step,<metric>,<metric>,...)")));
        }
        String[] header = split(stripBom(lines[headerLine]));
        for (int c = 0; c < header.length; c++) {
            header[c] = header[c].trim();
        }
        int metricColumn = indexOf(header, "metric");
        int stepColumn = indexOf(header, "step");
        if (stepColumn < 0) {
            throw new InvalidCurvesException(List.of(new Problem("line " + (headerLine + 1), "the header has no "
                    + "'step' column; expected experiment_id,metric,step,value (or step,<metric>,...)")));
        }
        Map<String, List<long[]>> stepsByName = new LinkedHashMap<>();
        Map<String, List<Double>> valuesByName = new LinkedHashMap<>();
        Map<String, Integer> lastLine = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        int valueColumn = indexOf(header, "value");
        if (metricColumn >= 0 && valueColumn < 0) {
            throw new InvalidCurvesException(List.of(new Problem("line " + (headerLine + 1),
                    "the header has a 'metric' column but no 'value' column")));
        }
        long points = 0;
        for (int l = headerLine + 1; l < lines.length && problems.size() < MAX_PROBLEMS; l++) {
            if (lines[l].isBlank()) {
                continue;
            }
            String at = "line " + (l + 1);
            String[] cells = split(lines[l]);
            if (cells.length != header.length) {
                problems.add(new Problem(at, "has " + cells.length + " fields, the header " + header.length));
                continue;
            }
            Long step = parseStep(cells[stepColumn].trim(), at + ", column step", problems);
            if (step == null) {
                continue;
            }
            if (metricColumn >= 0) {
                String name = cells[metricColumn].trim();
                if (name.isEmpty()) {
                    problems.add(new Problem(at + ", column metric", "is empty"));
                    continue;
                }
                Double value = parseValue(cells[valueColumn].trim(), at + ", column value", problems);
                if (value != null) {
                    points += add(name, step, value, at + ", column step", stepsByName, valuesByName, lastLine, l,
                            problems);
                }
            } else {
                for (int c = 0; c < header.length; c++) {
                    if (c == stepColumn || header[c].isEmpty() || header[c].equals("experiment_id")
                            || cells[c].isBlank()) {
                        continue;
                    }
                    Double value = parseValue(cells[c].trim(), at + ", column " + header[c], problems);
                    if (value != null) {
                        points += add(header[c], step, value, at + ", column step", stepsByName, valuesByName,
                                lastLine, l, problems);
                    }
                }
            }
            if (stepsByName.size() > limits.maxSeries()) {
                throw new InvalidCurvesException(List.of(new Problem(at, "more than " + limits.maxSeries()
                        + " series (grokscope.limits.analysis-series)")));
            }
            if (points > (long) limits.maxPoints() * limits.maxSeries()) {
                throw new InvalidCurvesException(List.of(new Problem(at, "more than " + limits.maxPoints()
                        + " points per series (grokscope.limits.max-points)")));
            }
        }
        for (Map.Entry<String, List<long[]>> e : stepsByName.entrySet()) {
            if (e.getValue().size() > limits.maxPoints()) {
                problems.add(new Problem("metric " + e.getKey(), "at most " + limits.maxPoints()
                        + " points per series (grokscope.limits.max-points), got " + e.getValue().size()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidCurvesException(problems);
        }
        List<Curve> curves = new ArrayList<>();
        for (Map.Entry<String, List<long[]>> e : stepsByName.entrySet()) {
            List<Double> v = valuesByName.get(e.getKey());
            long[] s = new long[v.size()];
            double[] d = new double[v.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = e.getValue().get(i)[0];
                d[i] = v.get(i);
            }
            curves.add(new Curve(e.getKey(), s, d));
        }
        return curves;
    }

    private static int add(String name, long step, double value, String at, Map<String, List<long[]>> steps,
            Map<String, List<Double>> values, Map<String, Integer> lastLine, int line, List<Problem> problems) {
        List<long[]> s = steps.computeIfAbsent(name, n -> new ArrayList<>());
        if (!s.isEmpty() && step <= s.get(s.size() - 1)[0]) {
            long previous = s.get(s.size() - 1)[0];
            problems.add(new Problem(at, String.format(Locale.ROOT, "%s: %s (line %d); a metric's steps must "
                    + "strictly increase", name, step == previous ? "repeats step " + step
                            : "step " + step + " follows step " + previous, lastLine.get(name) + 1)));
            return 0;
        }
        s.add(new long[] {step});
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        lastLine.put(name, line);
        return 1;
    }

    private static Long parseStep(String cell, String at, List<Problem> problems) {
        try {
            long step = Long.parseLong(cell);
            if (step < 0) {
                problems.add(new Problem(at, "must be >= 0, was " + step));
                return null;
            }
            return step;
        } catch (NumberFormatException e) {
            // a step written as a float by a logger (e.g. "1000.0") is still a step
            try {
                double d = Double.parseDouble(cell);
                if (d >= 0 && d == Math.rint(d) && d < 1e15) {
                    return (long) d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add(new Problem(at, "'" + abbreviate(cell) + "' is not a whole number of steps"));
            return null;
        }
    }

    private static Double parseValue(String cell, String at, List<Problem> problems) {
        double value;
        try {
            value = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            problems.add(new Problem(at, "'" + abbreviate(cell) + "' is not a number"));
            return null;
        }
        if (!Double.isFinite(value)) {
            problems.add(new Problem(at, "must be a finite number, was " + cell
                    + "; leave out a lost evaluation, end a diverged series where it diverged"));
            return null;
        }
        return value;
    }

    private static String abbreviate(String cell) {
        return cell.length() > 40 ? cell.substring(0, 40) + "…" : cell;
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].trim();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                cells[i] = c.substring(1, c.length() - 1);
            }
        }
        return cells;
    }

    private static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].trim().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The history of the curves whose names are metrics; the other names are returned in {@code ignored} so the
     * analysis can say it did not read them.
     */
    public static MetricHistory history(List<Curve> curves, List<String> ignored) {
        MetricHistory.Builder builder = MetricHistory.builder();
        for (Curve curve : curves) {
            Metric metric = null;
            for (Metric m : Metric.values()) {
                if (m.wireName().equals(curve.name())) {
                    metric = m;
                }
            }
            if (metric == null) {
                ignored.add(curve.name());
            } else {
                builder.add(metric, curve.steps(), curve.values());
            }
        }
        return builder.build();
    }
}
