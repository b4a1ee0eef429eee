package io.grokscope.sweep;

import io.grokscope.experiment.ExperimentSummary;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A sweep's runs placed on its grid, and the views over them: every cell, a phase diagram over two axes, a series
 * over one. The query parameters that choose the axes ({@code x}, {@code y}, {@code where}) are resolved here, and a
 * bad one is reported by name.
 */
final class SweepResults {

    /** One run at its place in the grid. */
    record PlacedRun(int cell, int[] indices, Long seed, ExperimentSummary summary) {
    }

    /** An axis fixed at one of its values. */
    private record Filter(int axis, int value) {
    }

    private final SweepGrid grid;
    private final List<PlacedRun> runs;

    SweepResults(SweepGrid grid, List<SweepRepository.Member> members, Map<Long, ExperimentSummary> summaries) {
        this.grid = grid;
        List<PlacedRun> placed = new ArrayList<>();
        for (SweepRepository.Member member : members) {
            ExperimentSummary summary = summaries.get(member.experimentId());
            if (summary != null && member.cell() < grid.cells()) { // deleted since it was listed: left out
                placed.add(new PlacedRun(member.cell(), grid.indices(member.cell()), member.seed(), summary));
            }
        }
        this.runs = List.copyOf(placed);
    }

    List<PlacedRun> runs() {
        return runs;
    }

    List<SweepCell> cells() {
        List<SweepCell> cells = new ArrayList<>();
        for (int cell = 0; cell < grid.cells(); cell++) {
            int index = cell;
            List<PlacedRun> inCell = runs.stream().filter(run -> run.cell() == index).toList();
            RunGroup group = new RunGroup(inCell.stream().map(PlacedRun::summary).toList());
            List<SweepRun> experiments = inCell.stream().map(run -> {
                ExperimentSummary s = run.summary();
                return new SweepRun(s.id(), run.seed(), s.status(), s.verdict(), s.generalizationStep(),
                        s.grokkingDelay(), s.step(), s.totalSteps());
            }).toList();
            cells.add(new SweepCell(cell, grid.values(cell), experiments, group.verdict(), group.verdictCounts(),
                    group.unanimous(), group.pending(), group.excluded(),
                    group.statistic(SweepValue.GENERALIZATION_STEP), group.statistic(SweepValue.GROKKING_DELAY)));
        }
        return cells;
    }

    PhaseDiagram diagram(long sweepId, String name, String x, String y, String value, List<String> where) {
        List<FieldError> errors = new ArrayList<>();
        int xAxis = axis("x", x, errors);
        int yAxis = axis("y", y, errors);
        if (xAxis >= 0 && xAxis == yAxis) {
            errors.add(FieldError.atParameter("y", "must be another axis than x"));
        }
        SweepValue shown = value(value, true, errors);
        List<Filter> filters = filters(where, List.of(xAxis, yAxis), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Predicate<PlacedRun> fixed = matching(filters);
        List<PhaseDiagram.Row> rows = new ArrayList<>();
        for (int j = 0; j < grid.axes().get(yAxis).values().size(); j++) {
            List<PhaseDiagram.Cell> cells = new ArrayList<>();
            for (int i = 0; i < grid.axes().get(xAxis).values().size(); i++) {
                int xi = i;
                int yj = j;
                List<PlacedRun> inCell = runs.stream().filter(fixed)
                        .filter(run -> run.indices()[xAxis] == xi && run.indices()[yAxis] == yj).toList();
                RunGroup group = new RunGroup(inCell.stream().map(PlacedRun::summary).toList());
                cells.add(new PhaseDiagram.Cell(grid.axes().get(xAxis).values().get(i), group.verdict(),
                        group.verdictCounts(), group.unanimous(), group.pending(), group.excluded(),
                        shown.isNumber() ? group.statistic(shown) : null,
                        inCell.stream().map(run -> run.summary().id()).toList()));
            }
            rows.add(new PhaseDiagram.Row(grid.axes().get(yAxis).values().get(j), cells));
        }
        return new PhaseDiagram(sweepId, name, shown.wireName(), grid.axes().get(xAxis), grid.axes().get(yAxis),
                describe(filters), pooled(filters, List.of(xAxis, yAxis)), rows);
    }

    SweepSeries series(long sweepId, String x, String value, List<String> where) {
        List<FieldError> errors = new ArrayList<>();
        int xAxis = axis("x", x, errors);
        SweepValue shown = value(value, false, errors);
        List<Filter> filters = filters(where, List.of(xAxis), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Predicate<PlacedRun> fixed = matching(filters);
        List<SweepSeries.Point> points = new ArrayList<>();
        SweepAxis axis = grid.axes().get(xAxis);
        for (int i = 0; i < axis.values().size(); i++) {
            int xi = i;
            RunGroup group = new RunGroup(runs.stream().filter(fixed).filter(run -> run.indices()[xAxis] == xi)
                    .map(PlacedRun::summary).toList());
            points.add(new SweepSeries.Point(axis.values().get(i), group.statistic(shown), group.verdictCounts(),
                    group.pending(), group.excluded()));
        }
        return new SweepSeries(sweepId, axis.path(), shown.wireName(), describe(filters),
                pooled(filters, List.of(xAxis)), points);
    }

    /** The runs of one band: a cell (or, with {@code x}, one value of x) and its experiments. */
    record BandGroup(Map<String, Object> values, List<Long> experimentIds) {
    }

    /** The groups whose runs a band averages, and how they were chosen. */
    record BandGroups(Map<String, Object> fixed, List<String> pooledAxes, List<BandGroup> groups) {
    }

    /**
     * Without {@code x}: one group per cell (its seeds) that {@code where} keeps. With {@code x}: one group per value
     * of that axis, pooling the seeds and every axis neither x nor fixed by {@code where}.
     */
    BandGroups bandGroups(String x, List<String> where) {
        List<FieldError> errors = new ArrayList<>();
        int xAxis = x == null ? -1 : axis("x", x, errors);
        List<Filter> filters = filters(where, xAxis < 0 ? List.of() : List.of(xAxis), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Predicate<PlacedRun> fixed = matching(filters);
        List<BandGroup> groups = new ArrayList<>();
        if (x == null) {
            for (int cell = 0; cell < grid.cells(); cell++) {
                int index = cell;
                List<PlacedRun> inCell = runs.stream().filter(run -> run.cell() == index).toList();
                boolean kept = filters.stream().allMatch(f -> grid.indices(index)[f.axis()] == f.value());
                if (kept) {
                    groups.add(new BandGroup(grid.values(cell), ids(inCell)));
                }
            }
            return new BandGroups(describe(filters), List.of(), groups);
        }
        SweepAxis axis = grid.axes().get(xAxis);
        for (int i = 0; i < axis.values().size(); i++) {
            int xi = i;
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(axis.path(), axis.values().get(i));
            groups.add(new BandGroup(values, ids(runs.stream().filter(fixed)
                    .filter(run -> run.indices()[xAxis] == xi).toList())));
        }
        return new BandGroups(describe(filters), pooled(filters, List.of(xAxis)), groups);
    }

    private static List<Long> ids(List<PlacedRun> placed) {
        return placed.stream().map(run -> run.summary().id()).toList();
    }

    private int axis(String parameter, String path, List<FieldError> errors) {
        int axis = path == null ? -1 : grid.axisIndex(path);
        if (axis < 0) {
            errors.add(FieldError.atParameter(parameter, grid.axes().isEmpty() ? "cannot be chosen: the sweep has no"
                    + " axes" : "must be one of the sweep's axes: " + axisNames()));
        }
        return axis;
    }

    private static SweepValue value(String name, boolean verdictAllowed, List<FieldError> errors) {
        SweepValue value = SweepValue.fromWireName(name);
        if (value == null || (!verdictAllowed && !value.isNumber())) {
            errors.add(FieldError.atParameter("value", "must be one of " + (verdictAllowed ? SweepValue.wireNames()
                    : "generalizationStep, grokkingDelay")));
            return SweepValue.VERDICT;
        }
        return value;
    }

    /** {@code path=value} items fixing other axes; each must name an axis not plotted and one of its values. */
    private List<Filter> filters(List<String> where, List<Integer> plotted, List<FieldError> errors) {
        List<Filter> filters = new ArrayList<>();
        if (where == null) {
            return filters;
        }
        for (String item : where) {
            int equals = item.indexOf('=');
            int axis = equals < 0 ? -1 : grid.axisIndex(item.substring(0, equals));
            if (axis < 0) {
                errors.add(FieldError.atParameter("where", "'" + abbreviate(item) + "' must be path=value for one of"
                        + " the sweep's axes: " + axisNames()));
                continue;
            }
            SweepAxis named = grid.axes().get(axis);
            if (plotted.contains(axis) || filters.stream().anyMatch(f -> f.axis() == axis)) {
                errors.add(FieldError.atParameter("where", "'" + named.path() + "' is plotted or fixed already"));
                continue;
            }
            String text = item.substring(equals + 1);
            int value = -1;
            for (int i = 0; i < named.values().size() && value < 0; i++) {
                if (AxisValues.matchesText(named.values().get(i), text)) {
                    value = i;
                }
            }
            if (value < 0) {
                errors.add(FieldError.atParameter("where", "'" + abbreviate(text) + "' is not a value of "
                        + named.path() + "; its values: " + named.values().stream().map(AxisValues::display).toList()));
                continue;
            }
            filters.add(new Filter(axis, value));
        }
        return filters;
    }

    private static Predicate<PlacedRun> matching(List<Filter> filters) {
        return run -> filters.stream().allMatch(f -> run.indices()[f.axis()] == f.value());
    }

    private Map<String, Object> describe(List<Filter> filters) {
        Map<String, Object> fixed = new LinkedHashMap<>();
        filters.forEach(f -> fixed.put(grid.axes().get(f.axis()).path(),
                grid.axes().get(f.axis()).values().get(f.value())));
        return fixed;
    }

    private List<String> pooled(List<Filter> filters, List<Integer> plotted) {
        List<String> pooled = new ArrayList<>();
        for (int a = 0; a < grid.axes().size(); a++) {
            int axis = a;
            if (!plotted.contains(a) && filters.stream().noneMatch(f -> f.axis() == axis)
                    && grid.axes().get(a).values().size() > 1) {
                pooled.add(grid.axes().get(a).path());
            }
        }
        return pooled;
    }

    private String axisNames() {
        return String.join(", ", grid.axes().stream().map(SweepAxis::path).toList());
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
