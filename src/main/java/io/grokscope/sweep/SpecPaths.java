package io.grokscope.sweep;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.grokscope.experiment.ExperimentSpec;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The dotted paths of an {@link ExperimentSpec} that a sweep axis may vary: every scalar field (number, string,
 * enum), found by walking the spec's records, with the {@code type} discriminator of each polymorphic part
 * ({@code model.type}, {@code optimizer.gradientFilter.type}) and the fields of all its subtypes. Derived from the
 * records themselves so that a field added to the spec is sweepable without touching this package.
 */
final class SpecPaths {

    /** Set by the sweep itself: each experiment is named after its sweep and cell. */
    private static final Set<String> RESERVED = Set.of("name");

    private static final SpecPaths INSTANCE = new SpecPaths();

    /** Path → whether it is a scalar (false: a list or an object, which an axis cannot take). */
    private final Map<String, Boolean> paths = new TreeMap<>();
    /** The {@code type} fields that choose a subtype: leaving one out leaves out the part it chooses. */
    private final Set<String> discriminators = new TreeSet<>();

    private SpecPaths() {
        walk(ExperimentSpec.class, "");
        RESERVED.forEach(paths::remove);
    }

    static SpecPaths of() {
        return INSTANCE;
    }

    boolean isScalar(String path) {
        return Boolean.TRUE.equals(paths.get(path));
    }

    /** A known path that names a list or an object rather than a scalar. */
    boolean isComposite(String path) {
        return Boolean.FALSE.equals(paths.get(path));
    }

    boolean isDiscriminator(String path) {
        return discriminators.contains(path);
    }

    Set<String> scalars() {
        Set<String> scalars = new TreeSet<>();
        paths.forEach((path, scalar) -> {
            if (scalar) {
                scalars.add(path);
            }
        });
        return scalars;
    }

    private void walk(Class<?> type, String prefix) {
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                visit(component.getType(), prefix + component.getName());
            }
        } else if (type.isSealed()) {
            JsonTypeInfo typeInfo = type.getAnnotation(JsonTypeInfo.class);
            if (typeInfo != null) {
                paths.put(prefix + typeInfo.property(), true);
                discriminators.add(prefix + typeInfo.property());
            }
            for (Class<?> subtype : type.getPermittedSubclasses()) {
                walk(subtype, prefix);
            }
        }
    }

    private void visit(Class<?> type, String path) {
        if (isScalarType(type)) {
            paths.put(path, true);
        } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            paths.put(path, false); // a list's elements are not addressable by a dotted path
        } else {
            paths.put(path, false);
            walk(type, path + ".");
        }
    }

    private static boolean isScalarType(Class<?> type) {
        return type.isPrimitive() || type.isEnum() || Number.class.isAssignableFrom(type) || type == String.class
                || type == Boolean.class;
    }
}
