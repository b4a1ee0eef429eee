package io.grokscope.analysis;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The progress measures of one model at one step, as {@link ProgressMeasures#measure} computes them.
 *
 * <p>Every measure in {@link ProgressMeasures#MEASURES} is either in {@code values} or in {@code absent} with the
 * reason it has no value (an S5 task has no Fourier basis; restricted and excluded loss need ADD or SUBTRACT and a
 * key set). The caller stores the values as metric rows at its step and passes the reasons on to the analysis.
 *
 * @param values         the measures that have a value
 * @param absent         the measures that have none, each with why
 * @param keyFrequencies the current key frequencies, ascending; empty when none yet or not defined
 * @param spectrum       the per-frequency norms of W_E and W_L, or null for tasks not over Z_p (odd p)
 * @param singleFrequencyExcludedLosses element k − 1 is the excluded loss with only frequency k removed; empty when
 *                       not defined (see {@link Metric#EXCLUDED_LOSS_MAX}'s absence reason)
 */
public record ProgressMeasurement(Map<Metric, Double> values, Map<Metric, String> absent, List<Integer> keyFrequencies,
        Spectrum spectrum, List<Double> singleFrequencyExcludedLosses) {

    /** A measurement without per-frequency excluded losses. */
    public ProgressMeasurement(Map<Metric, Double> values, Map<Metric, String> absent, List<Integer> keyFrequencies,
            Spectrum spectrum) {
        this(values, absent, keyFrequencies, spectrum, List.of());
    }

    public ProgressMeasurement {
        values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(values));
        absent = Collections.unmodifiableMap(absent.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(absent));
        keyFrequencies = List.copyOf(keyFrequencies);
        singleFrequencyExcludedLosses = List.copyOf(singleFrequencyExcludedLosses);
        for (Metric metric : values.keySet()) {
            if (absent.containsKey(metric)) {
                throw new IllegalArgumentException(metric + " cannot have both a value and an absence reason");
            }
        }
    }

    /** The measure's value, if it has one. */
    public OptionalDouble value(Metric metric) {
        Double value = values.get(metric);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** Why the measure has no value, if it has none. */
    public Optional<String> absenceReason(Metric metric) {
        return Optional.ofNullable(absent.get(metric));
    }
}
