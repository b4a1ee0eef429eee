package io.grokscope.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grokscope.experiment.ExperimentSpec;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.JsonMappingErrors;
import io.grokscope.web.JsonPointers;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a sweep request into its experiments: the cartesian product of the axes (first axis outermost) times the
 * seeds (innermost). Each expanded spec is checked exactly as a single submission is (Jackson's strict mapping, then
 * Bean Validation with the spec's cross-field rules), and every error is reported where its cause lies: an axis value
 * ({@code /axes/optimizer.weightDecay/2}), a seed ({@code /seeds/1}), the sweep's name, or the base
 * ({@code /base/model/heads}). Nothing is expanded until the grid is known to be within its limit.
 */
final class SweepExpansion {

    /** One experiment of the sweep: its cell, its seed (null without seeds) and its spec, validated. */
    record PlannedExperiment(int cell, Long seed, ExperimentSpec spec) {
    }

    record Plan(SweepGrid grid, List<Long> seeds, List<PlannedExperiment> experiments) {
    }

    /** The most experiments a sweep may have, and what sets that bound (for the message). */
    record SizeLimit(int experiments, String source) {
    }

    private static final SpecPaths PATHS = SpecPaths.of();

    private final ObjectMapper json;
    private final Validator validator;

    SweepExpansion(ObjectMapper json, Validator validator) {
        this.json = json;
        this.validator = validator;
    }

    Plan expand(SweepRequest request, SizeLimit limit) {
        List<FieldError> errors = new ArrayList<>();
        SweepGrid grid = checkAxes(request, errors);
        List<Long> seeds = checkSeeds(request.seeds(), errors);
        if (request.base() == null) {
            errors.add(FieldError.atPointer("/base", "must not be null"));
        }
        throwIfAny(errors);
        checkSize(grid, seeds, limit);

        ObjectNode base = baseTree(request.base());
        int total = grid.cells() * Math.max(1, seeds.size());
        Problems problems = new Problems(grid, seeds, total, base);
        List<PlannedExperiment> experiments = new ArrayList<>(total);
        for (int cell = 0; cell < grid.cells(); cell++) {
            int[] indices = grid.indices(cell);
            for (int s = 0; s < Math.max(1, seeds.size()); s++) {
                Long seed = seeds.isEmpty() ? null : seeds.get(s);
                ObjectNode tree = base.deepCopy();
                tree.put("name", request.name() + "/" + cell + (seed == null ? "" : "/s" + seed));
                assign(tree, grid, indices, seed);
                ExperimentSpec spec = check(tree, problems.at(cell, indices, seed == null ? -1 : s));
                if (spec != null) {
                    experiments.add(new PlannedExperiment(cell, seed, spec));
                }
            }
        }
        throwIfAny(problems.errors());
        return new Plan(grid, seeds, experiments);
    }

    private static SweepGrid checkAxes(SweepRequest request, List<FieldError> errors) {
        List<SweepAxis> axes = new ArrayList<>();
        Map<String, List<Object>> given = request.axes() == null ? Map.of() : request.axes();
        boolean seeded = request.seeds() != null;
        for (Map.Entry<String, List<Object>> entry : given.entrySet()) {
            String path = entry.getKey();
            if (path.length() > SweepLimits.MAX_PATH_LENGTH) {
                errors.add(FieldError.atPointer("/axes", "has a path longer than " + SweepLimits.MAX_PATH_LENGTH
                        + " characters ('" + path.substring(0, 40) + "...')"));
                continue;
            }
            String at = "/axes/" + JsonPointers.escape(path);
            if (PATHS.isComposite(path)) {
                errors.add(FieldError.atPointer(at, "is not a scalar field (an axis varies one number, string or"
                        + " enum value)"));
                continue;
            }
            if (!PATHS.isScalar(path)) {
                errors.add(FieldError.atPointer(at, "is not a field of an experiment spec that a sweep can vary;"
                        + " these are: " + String.join(", ", PATHS.scalars())));
                continue;
            }
            if (seeded && (path.equals("task.seed") || path.equals("training.seed"))) {
                errors.add(FieldError.atPointer(at, "is set by seeds; give either seeds or this axis"));
                continue;
            }
            List<Object> values = entry.getValue();
            if (values == null || values.isEmpty()) {
                errors.add(FieldError.atPointer(at, "must list at least one value"));
                continue;
            }
            if (values.size() > SweepLimits.MAX_VALUES_PER_AXIS) {
                errors.add(FieldError.atPointer(at, "lists " + values.size() + " values, more than the limit of "
                        + SweepLimits.MAX_VALUES_PER_AXIS));
                continue;
            }
            int before = errors.size();
            for (int i = 0; i < values.size(); i++) {
                checkValue(values, i, at + "/" + i, errors);
            }
            if (errors.size() == before) {
                axes.add(new SweepAxis(path, values));
            }
        }
        return new SweepGrid(axes);
    }

    private static void checkValue(List<Object> values, int i, String at, List<FieldError> errors) {
        Object value = values.get(i);
        if (!AxisValues.isScalar(value)) {
            errors.add(FieldError.atPointer(at, "must be a number, a string or null"));
        } else if (!AxisValues.isFinite(value)) {
            errors.add(FieldError.atPointer(at, "must be a finite number"));
        } else if (value instanceof String text && text.length() > SweepLimits.MAX_STRING_VALUE_LENGTH) {
            errors.add(FieldError.atPointer(at, "is longer than " + SweepLimits.MAX_STRING_VALUE_LENGTH
                    + " characters"));
        } else {
            for (int j = 0; j < i; j++) {
                if (AxisValues.same(values.get(j), value)) {
                    errors.add(FieldError.atPointer(at, "repeats the value at index " + j
                            + " (two cells would be the same)"));
                    break;
                }
            }
        }
    }

    private static List<Long> checkSeeds(List<Long> seeds, List<FieldError> errors) {
        if (seeds == null) {
            return List.of();
        }
        for (int i = 0; i < seeds.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (seeds.get(i) != null && seeds.get(i).equals(seeds.get(j))) {
                    errors.add(FieldError.atPointer("/seeds/" + i, "repeats the seed at index " + j));
                    break;
                }
            }
        }
        return seeds;
    }

    /** Refuses a grid over the limit before a single spec is built: the product is computed in long. */
    private static void checkSize(SweepGrid grid, List<Long> seeds, SizeLimit limit) {
        long cells = 1;
        StringBuilder product = new StringBuilder();
        for (SweepAxis axis : grid.axes()) {
            cells *= axis.values().size();
            product.append(product.isEmpty() ? "" : " × ").append(axis.values().size());
        }
        long total = cells * Math.max(1, seeds.size());
        if (total > limit.experiments()) {
            String grid0 = grid.axes().isEmpty() ? "1 cell" : product + " = " + cells + " cells";
            String seedText = seeds.isEmpty() ? "" : " × " + seeds.size() + " seeds";
            throw new InvalidInputException(List.of(FieldError.atPointer(grid.axes().isEmpty() ? "/seeds" : "/axes",
                    "expands into " + grid0 + seedText + " = " + total + " experiments, more than the limit of "
                            + limit.experiments() + " (" + limit.source() + ")")));
        }
    }

    /** The base as the client wrote it: no null fields (so switching a subtype does not drag the old one's fields). */
    private ObjectNode baseTree(ExperimentSpec base) {
        ObjectNode tree = json.valueToTree(base);
        removeNulls(tree);
        tree.remove("name");
        // A sweep maps where runs grok: once a run's analysis can no longer change, the rest of its budget buys
        // nothing for the map, so its runs stop when settled unless the base says otherwise.
        ObjectNode analysis = tree.has("analysis") && tree.get("analysis").isObject()
                ? (ObjectNode) tree.get("analysis") : tree.putObject("analysis");
        if (!analysis.has("stopWhenSettled")) {
            analysis.put("stopWhenSettled", true);
        }
        return tree;
    }

    private static void removeNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                JsonNode value = fields.next().getValue();
                if (value.isNull()) {
                    fields.remove();
                } else {
                    removeNulls(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(SweepExpansion::removeNulls);
        }
    }

    /**
     * Sets the cell's axis values and the seed. Values first, then the nulls, so that leaving out a subtype's
     * {@code type} (e.g. {@code optimizer.gradientFilter.type: null}, no filter) also drops fields another axis set
     * inside it.
     */
    private void assign(ObjectNode tree, SweepGrid grid, int[] indices, Long seed) {
        List<String> leftOut = new ArrayList<>();
        for (int a = 0; a < grid.axes().size(); a++) {
            SweepAxis axis = grid.axes().get(a);
            Object value = axis.values().get(indices[a]);
            if (value == null) {
                leftOut.add(axis.path());
            } else {
                set(tree, axis.path(), json.valueToTree(value));
            }
        }
        if (seed != null) {
            set(tree, "task.seed", json.valueToTree(seed));
            set(tree, "training.seed", json.valueToTree(seed));
        }
        leftOut.forEach(path -> leaveOut(tree, path));
    }

    private static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode object ? object : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    private static void leaveOut(ObjectNode root, String path) {
        String[] parts = path.split("\\.");
        boolean wholePart = PATHS.isDiscriminator(path);
        int last = wholePart ? parts.length - 2 : parts.length - 1;
        ObjectNode node = root;
        for (int i = 0; i < last; i++) {
            if (!(node.get(parts[i]) instanceof ObjectNode child)) {
                return; // already absent
            }
            node = child;
        }
        node.remove(parts[last]);
    }

    /** The spec, or null after recording why it is invalid. */
    private ExperimentSpec check(ObjectNode tree, Problems.Site site) {
        ExperimentSpec spec;
        try {
            spec = json.treeToValue(tree, ExperimentSpec.class);
        } catch (JsonMappingException e) {
            site.add(JsonMappingErrors.describe(e));
            return null;
        } catch (JsonProcessingException e) {
            site.add(FieldError.atPointer("", "could not be read: " + e.getOriginalMessage()));
            return null;
        }
        boolean valid = true;
        for (ConstraintViolation<ExperimentSpec> violation : validator.validate(spec)) {
            site.add(FieldError.atPointer(JsonPointers.fromPropertyPath(violation.getPropertyPath().toString()),
                    violation.getMessage()));
            valid = false;
        }
        return valid ? spec : null;
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    /**
     * The errors of all expanded specs, each moved to its cause in the request and reported once. An error that only
     * some of the experiments it could concern have says in how many, with the first such cell.
     */
    private static final class Problems {
        private final SweepGrid grid;
        private final List<Long> seeds;
        private final int total;
        private final ObjectNode base;
        private final Map<FieldError, Occurrence> seen = new LinkedHashMap<>();

        Problems(SweepGrid grid, List<Long> seeds, int total, ObjectNode base) {
            this.grid = grid;
            this.seeds = seeds;
            this.total = total;
            this.base = base;
        }

        /**
         * The axis that created the object holding a field the base never had, e.g. an axis over
         * {@code optimizer.gradientFilter.alpha} on a base without a filter (whose {@code type} is then missing).
         */
        private int creatorAxis(String pointer) {
            int cut = pointer.lastIndexOf('/');
            if (cut <= 0 || !base.at(pointer.substring(0, cut)).isMissingNode()) {
                return -1;
            }
            String parent = pointer.substring(1, cut).replace('/', '.') + ".";
            for (int a = 0; a < grid.axes().size(); a++) {
                if (grid.axes().get(a).path().startsWith(parent)) {
                    return a;
                }
            }
            return -1;
        }

        private record Occurrence(int count, int possible, String example) {
        }

        /** Where one expanded spec's errors are recorded. */
        final class Site {
            private final int cell;
            private final int[] indices;
            private final int seedIndex;

            Site(int cell, int[] indices, int seedIndex) {
                this.cell = cell;
                this.indices = indices;
                this.seedIndex = seedIndex;
            }

            void add(FieldError specError) {
                String pointer = specError.pointer() == null ? "" : specError.pointer();
                String dotted = pointer.startsWith("/") ? pointer.substring(1).replace('/', '.') : pointer;
                String source;
                String detail = specError.detail();
                int possible;
                int axis = grid.axisIndex(dotted);
                int creator = axis < 0 ? creatorAxis(pointer) : -1;
                if (axis >= 0) {
                    source = "/axes/" + JsonPointers.escape(dotted) + "/" + indices[axis];
                    possible = total / grid.axes().get(axis).values().size();
                } else if (seedIndex >= 0 && (dotted.equals("task.seed") || dotted.equals("training.seed"))) {
                    source = "/seeds/" + seedIndex;
                    possible = total / seeds.size();
                } else if (creator >= 0) {
                    SweepAxis created = grid.axes().get(creator);
                    source = "/axes/" + JsonPointers.escape(created.path()) + "/" + indices[creator];
                    possible = total / created.values().size();
                    detail = "sets a field of an object the base lacks, whose " + dotted + " " + detail;
                } else if (dotted.equals("name")) {
                    source = "/name";
                    possible = total;
                } else {
                    source = "/base" + pointer;
                    possible = total;
                }
                String example = grid.describe(cell) + (seedIndex >= 0 ? (grid.axes().isEmpty() ? "" : ", ")
                        + "seed " + seeds.get(seedIndex) : "");
                seen.merge(FieldError.atPointer(source, detail), new Occurrence(1, possible, example),
                        (old, one) -> new Occurrence(old.count() + 1, old.possible(), old.example()));
            }
        }

        Site at(int cell, int[] indices, int seedIndex) {
            return new Site(cell, indices, seedIndex);
        }

        List<FieldError> errors() {
            List<FieldError> errors = new ArrayList<>();
            for (Map.Entry<FieldError, Occurrence> entry : seen.entrySet()) {
                if (errors.size() == SweepLimits.MAX_ERRORS - 1 && seen.size() > SweepLimits.MAX_ERRORS) {
                    errors.add(FieldError.atPointer("", "and " + (seen.size() - errors.size())
                            + " more errors like these"));
                    break;
                }
                FieldError error = entry.getKey();
                Occurrence occurrence = entry.getValue();
                // Not a count: an experiment that fails to map is not validated further, so counts would mislead.
                String where = occurrence.count() < occurrence.possible() && !occurrence.example().isEmpty()
                        ? " (not in every experiment it could concern; e.g. in " + occurrence.example() + ")"
                        : "";
                errors.add(FieldError.atPointer(error.pointer(), error.detail() + where));
            }
            return errors;
        }
    }
}
