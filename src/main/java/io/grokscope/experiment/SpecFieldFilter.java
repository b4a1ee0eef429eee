package io.grokscope.experiment;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grokscope.web.FieldError;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A filter on one field of the stored spec, written {@code path=value} (e.g. {@code optimizer.weightDecay=1},
 * {@code model.type=MLP}, {@code optimizer.gradientFilter.type=null}). The path must be a scalar field of
 * {@link ExperimentSpec} (found by walking its records, so new fields are filterable without touching this class)
 * and the value must fit the field's type: numbers compare by value (1 matches 1.0), enum fields and the {@code type}
 * of a polymorphic part take one of their names, {@code null} matches a field that is absent or null. The filter
 * becomes JSON for PostgreSQL's {@code @>} containment (a bound parameter, never SQL text), or a path array for the
 * null case.
 *
 * @param path  the field's names from the root, e.g. [optimizer, weightDecay]
 * @param value the typed value; null for {@code null}
 */
record SpecFieldFilter(List<String> path, JsonNode value) {

    static final int MAX_LENGTH = 200;

    private enum Kind { INTEGER, DECIMAL, BOOLEAN, STRING, NAMES }

    private record Leaf(Kind kind, List<String> names) {
    }

    private static final Map<String, Leaf> LEAVES = walk();

    /** Parses {@code path=value}; errors name the parameter and the filter's position. */
    static SpecFieldFilter parse(String text, String parameter) {
        int equals = text.indexOf('=');
        if (text.indexOf('\0') >= 0) {
            throw error(parameter, "must not contain NUL (U+0000)");
        }
        if (equals <= 0) {
            throw error(parameter, "must be path=value (e.g. optimizer.weightDecay=1), was '" + abbreviate(text) + "'");
        }
        String path = text.substring(0, equals).trim();
        String raw = text.substring(equals + 1).trim();
        Leaf leaf = LEAVES.get(path);
        if (leaf == null) {
            throw error(parameter, "'" + abbreviate(path) + "' is not a scalar field of the spec; one of "
                    + String.join(", ", LEAVES.keySet()));
        }
        List<String> names = List.of(path.split("\\."));
        if (raw.equals("null")) {
            return new SpecFieldFilter(names, null);
        }
        JsonNodeFactory json = JsonNodeFactory.instance;
        JsonNode value = switch (leaf.kind()) {
            case INTEGER -> {
                try {
                    yield json.numberNode(new BigDecimal(raw).toBigIntegerExact());
                } catch (ArithmeticException | NumberFormatException e) {
                    throw error(parameter, path + " is an integer field, was '" + abbreviate(raw) + "'");
                }
            }
            case DECIMAL -> {
                try {
                    yield json.numberNode(new BigDecimal(raw));
                } catch (NumberFormatException e) {
                    throw error(parameter, path + " is a number field, was '" + abbreviate(raw) + "'");
                }
            }
            case BOOLEAN -> {
                if (!raw.equals("true") && !raw.equals("false")) {
                    throw error(parameter, path + " is true or false, was '" + abbreviate(raw) + "'");
                }
                yield json.booleanNode(Boolean.parseBoolean(raw));
            }
            case NAMES -> {
                if (!leaf.names().contains(raw)) {
                    throw error(parameter, path + " is one of " + leaf.names() + " or null, was '" + abbreviate(raw)
                            + "'");
                }
                yield json.textNode(raw);
            }
            case STRING -> json.textNode(raw);
        };
        return new SpecFieldFilter(names, value);
    }

    /** The JSON document that a matching spec contains, e.g. {"optimizer": {"weightDecay": 1}}; empty for null. */
    Optional<String> containment() {
        if (value == null) {
            return Optional.empty();
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            node = node.putObject(path.get(i));
        }
        node.set(path.get(path.size() - 1), value);
        return Optional.of(root.toString());
    }

    /** The scalar paths that can be filtered on, sorted. */
    static Collection<String> paths() {
        return LEAVES.keySet();
    }

    private static RuntimeException error(String parameter, String detail) {
        return new io.grokscope.web.InvalidInputException(List.of(FieldError.atParameter(parameter, detail)));
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static Map<String, Leaf> walk() {
        Map<String, Leaf> leaves = new TreeMap<>();
        walk(ExperimentSpec.class, "", leaves);
        return leaves;
    }

    private static void walk(Class<?> type, String prefix, Map<String, Leaf> leaves) {
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                visit(component.getType(), prefix + component.getName(), leaves);
            }
        } else if (type.isSealed() || type.isInterface()) {
            JsonTypeInfo typeInfo = type.getAnnotation(JsonTypeInfo.class);
            JsonSubTypes subTypes = type.getAnnotation(JsonSubTypes.class);
            if (typeInfo != null && subTypes != null) {
                leaves.put(prefix + typeInfo.property(), new Leaf(Kind.NAMES,
                        Arrays.stream(subTypes.value()).map(JsonSubTypes.Type::name).sorted().toList()));
                for (JsonSubTypes.Type subtype : subTypes.value()) {
                    walk(subtype.value(), prefix, leaves);
                }
            }
        }
    }

    private static void visit(Class<?> type, String path, Map<String, Leaf> leaves) {
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
            leaves.put(path, new Leaf(Kind.INTEGER, List.of()));
        } else if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
            leaves.put(path, new Leaf(Kind.DECIMAL, List.of()));
        } else if (type == boolean.class || type == Boolean.class) {
            leaves.put(path, new Leaf(Kind.BOOLEAN, List.of()));
        } else if (type == String.class) {
            leaves.put(path, new Leaf(Kind.STRING, List.of()));
        } else if (type.isEnum()) {
            leaves.put(path, new Leaf(Kind.NAMES,
                    Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList()));
        } else if (!Collection.class.isAssignableFrom(type) && !type.isArray() && !type.isPrimitive()) {
            walk(type, path + ".", leaves);
        }
    }
}
