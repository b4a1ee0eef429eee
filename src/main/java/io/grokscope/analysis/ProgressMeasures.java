package io.grokscope.analysis;

import io.grokscope.model.Loss;
import io.grokscope.model.Model;
import io.grokscope.task.Operation;
import io.grokscope.task.TaskData;
import io.grokscope.task.TaskSpec;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Computes the Fourier progress measures of Nanda et al. (2023) for one task: the Gini coefficients of the norms of
 * W_E's and W_L's Fourier components, the key frequencies and key fraction, the restricted and excluded losses with the
 * current key set (provisional: the whole-run values use the final model's set, see {@link #lossesWith}), and the
 * excluded loss of every single frequency with their maximum, all in one call per measured step.
 *
 * <p>Built once per run ({@link #forTask}) so that what depends only on the task (the basis, the full-table pair
 * lists, the projection) is prepared once; {@link #measure(Model)} then costs two small basis products (O(p²·d) for
 * W_E and O(p²·k) for W_L) plus, when the operation is ADD or SUBTRACT, one forward pass over all p² pairs, an O(p³)
 * projection and O(n·p) per frequency for the single-frequency excluded losses. The forward pass dominates. See
 * {@code ProgressMeasuresBenchmark} for the measured cost at p = 113.
 *
 * <p>All arithmetic is in double, whatever the model's data type. Immutable and thread-safe (the model it is given is
 * not: measure it on the training thread, as {@code TrainingListener#onProgressMeasures} does).
 */
public final class ProgressMeasures {

    /** The measures computed here, in the order {@code docs/api-intent.md} documents them. */
    public static final Set<Metric> MEASURES = Collections.unmodifiableSet(EnumSet.of(Metric.FOURIER_GINI_EMBED,
            Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_KEY_FRACTION, Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS,
            Metric.EXCLUDED_LOSS_MAX));

    private static final Set<Metric> FOURIER_NORM_MEASURES = EnumSet.of(Metric.FOURIER_GINI_EMBED,
            Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_KEY_FRACTION);
    private static final Set<Metric> LOSS_MEASURES = EnumSet.of(Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS,
            Metric.EXCLUDED_LOSS_MAX);

    private final TaskData data;
    private final Loss loss;
    private final Map<Metric, String> unavailable;
    /** Null when the task is not over Z_p with odd p. */
    private final FourierBasis basis;
    /** Null when restricted and excluded loss are undefined for the operation. */
    private final FourierLogitProjection projection;
    private final int[] tableLeft;
    private final int[] tableRight;

    private ProgressMeasures(TaskData data, Loss loss) {
        this.data = data;
        this.loss = loss;
        this.unavailable = unavailable(data.spec());
        if (!unavailable.containsKey(Metric.FOURIER_GINI_EMBED) && data.elements() != data.spec().modulus()) {
            throw new IllegalArgumentException("a task over Z_" + data.spec().modulus() + " must have "
                    + data.spec().modulus() + " elements, has " + data.elements());
        }
        this.basis = unavailable.containsKey(Metric.FOURIER_GINI_EMBED) ? null : FourierBasis.of(data.elements());
        this.projection = unavailable.containsKey(Metric.RESTRICTED_LOSS) ? null
                : FourierLogitProjection.of(basis, data.spec().operation());
        int p = data.elements();
        this.tableLeft = new int[projection == null ? 0 : p * p];
        this.tableRight = new int[tableLeft.length];
        for (int i = 0; i < tableLeft.length; i++) {
            tableLeft[i] = i / p;
            tableRight[i] = i % p;
        }
    }

    /** The measures for cross-entropy runs on this task. */
    public static ProgressMeasures forTask(TaskData data) {
        return new ProgressMeasures(data, Loss.CROSS_ENTROPY);
    }

    /** The measures for runs on this task trained with {@code loss}: restricted and excluded loss use the same loss. */
    public static ProgressMeasures forTask(TaskData data, Loss loss) {
        return new ProgressMeasures(data, loss);
    }

    /**
     * The measures that a task can never have, each with the reason: for tasks not over Z_p (S5) or with even p, and
     * for MULTIPLY and DIVIDE (whose natural basis is the multiplicative group's characters, not Z_p's waves), all of
     * them; for the other operations besides ADD and SUBTRACT, restricted and excluded loss. A caller reading stored series
     * (rather than holding a {@link ProgressMeasurement}) uses this to explain absent series in the analysis.
     */
    public static Map<Metric, String> unavailable(TaskSpec spec) {
        Map<Metric, String> reasons = new EnumMap<>(Metric.class);
        Operation operation = spec.operation();
        String noBasis = null;
        if (!operation.isModular()) {
            noBasis = "the task " + operation + " acts on S5, which has no Fourier basis over Z_p";
        } else if (spec.modulus() < 3 || spec.modulus() % 2 == 0) {
            noBasis = "the Fourier measures are defined for odd p; the modulus is " + spec.modulus();
        } else if (operation == Operation.MULTIPLY || operation == Operation.DIVIDE) {
            noBasis = "the task " + operation + " is a product in the multiplicative group of Z_p; its circuit lives"
                    + " in that group's characters (waves in the discrete logarithm), which Grokscope does not measure"
                    + " yet, and Z_p's additive Fourier basis would give misleading values";
        }
        if (noBasis != null) {
            for (Metric metric : MEASURES) {
                reasons.put(metric, noBasis);
            }
            return reasons;
        }
        String noProjection = FourierLogitProjection.unsupportedReason(operation).orElse(null);
        if (noProjection != null) {
            for (Metric metric : LOSS_MEASURES) {
                reasons.put(metric, noProjection);
            }
        }
        return reasons;
    }

    /** Measures a live model: reads W_E and W_L, and the logits of all p² pairs when they are needed. */
    public ProgressMeasurement measure(Model model) {
        if (basis == null) {
            return measure(null, null, null);
        }
        return measureFrom(model.tokenEmbedding(), model.logitMap(),
                () -> model.logits(tableLeft, tableRight));
    }

    /**
     * Measures from the matrices themselves, for callers that already hold them (and for tests).
     *
     * @param tokenEmbedding W_E, [p (or more), d]; ignored (may be null) for tasks without a Fourier basis
     * @param logitMap       W_L, [p, k], rows indexed by answer token
     * @param tableLogits    logits of all pairs [p², p], row a·p + b; may be null when restricted and excluded loss
     *                       are not wanted (they are then absent with that reason)
     */
    public ProgressMeasurement measure(INDArray tokenEmbedding, INDArray logitMap, INDArray tableLogits) {
        if (basis == null) {
            return new ProgressMeasurement(Map.of(), unavailable, List.of(), null);
        }
        return measureFrom(tokenEmbedding, logitMap, () -> tableLogits);
    }

    private ProgressMeasurement measureFrom(INDArray tokenEmbedding, INDArray logitMap, Supplier<INDArray> tableLogits) {
        int p = basis.modulus();
        double[][] embedRows = toRows(tokenEmbedding, "token embedding");
        double[][] unembedRows = toRows(logitMap, "logit map W_L");
        double[] embedNorms = basis.frequencyNorms(embedRows);
        double[] unembedNorms = basis.frequencyNorms(unembedRows);
        KeyFrequencies keys = KeyFrequencies.select(unembedNorms);

        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        Map<Metric, String> absent = new EnumMap<>(unavailable);
        values.put(Metric.FOURIER_GINI_EMBED, GiniCoefficient.of(basis.componentNorms(embedRows)));
        values.put(Metric.FOURIER_GINI_UNEMBED, GiniCoefficient.of(basis.componentNorms(unembedRows)));
        values.put(Metric.FOURIER_KEY_FRACTION, keys.fraction());

        List<Double> single = List.of();
        if (projection != null) {
            INDArray logits = tableLogits.get();
            if (logits == null) {
                String reason = "the logits over the full table were not supplied";
                for (Metric metric : LOSS_MEASURES) {
                    absent.put(metric, reason);
                }
            } else {
                checkShape(logits, (long) p * p, p, "logits over the full table");
                double[] table = toRowMajorDoubles(logits);
                double[] perFrequency = projection.singleFrequencyExcludedLosses(table, data.train(), loss);
                single = java.util.Arrays.stream(perFrequency).boxed().toList();
                values.put(Metric.EXCLUDED_LOSS_MAX, java.util.Arrays.stream(perFrequency).max().orElseThrow());
                if (keys.isEmpty()) {
                    String reason = "no key frequencies: W_L has no Fourier energy";
                    absent.put(Metric.RESTRICTED_LOSS, reason);
                    absent.put(Metric.EXCLUDED_LOSS, reason);
                } else {
                    KeyFrequencyLosses losses = projection.losses(table, keys.frequencies(), data.train(), loss);
                    values.put(Metric.RESTRICTED_LOSS, losses.restricted());
                    values.put(Metric.EXCLUDED_LOSS, losses.excluded());
                }
            }
        }
        return new ProgressMeasurement(values, absent, keys.frequencies(), Spectrum.of(p, embedNorms, unembedNorms),
                single);
    }

    /**
     * The key frequencies of a model by {@link KeyFrequencies#select}: for the whole-run measures, the final model's.
     * Empty when the task has no Fourier basis or no restricted/excluded loss.
     */
    public List<Integer> keyFrequencies(Model model) {
        if (projection == null) {
            return List.of();
        }
        return KeyFrequencies.select(basis.frequencyNorms(toRows(model.logitMap(), "logit map W_L"))).frequencies();
    }

    /**
     * Restricted and excluded loss of a model with a given key set: what Nanda et al. compute at every checkpoint with
     * the final model's key frequencies.
     *
     * @throws IllegalStateException when the task has no restricted and excluded loss (see {@link #unavailable})
     */
    public KeyFrequencyLosses lossesWith(Model model, List<Integer> keyFrequencies) {
        if (projection == null) {
            throw new IllegalStateException(unavailable.get(Metric.RESTRICTED_LOSS));
        }
        int p = basis.modulus();
        INDArray logits = model.logits(tableLeft, tableRight);
        checkShape(logits, (long) p * p, p, "logits over the full table");
        return projection.losses(toRowMajorDoubles(logits), keyFrequencies, data.train(), loss);
    }

    private static double[][] toRows(INDArray matrix, String what) {
        if (matrix == null || matrix.rank() != 2) {
            throw new IllegalArgumentException(what + " must be a matrix, was "
                    + (matrix == null ? "null" : java.util.Arrays.toString(matrix.shape())));
        }
        return matrix.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static void checkShape(INDArray matrix, long rows, long columns, String what) {
        if (matrix.rank() != 2 || matrix.rows() != rows || matrix.columns() != columns) {
            throw new IllegalArgumentException(what + " must be [" + rows + ", " + columns + "], was "
                    + java.util.Arrays.toString(matrix.shape()));
        }
    }

    /** The values of a matrix in row-major order as doubles, whatever its data type, ordering or view offset. */
    static double[] toRowMajorDoubles(INDArray matrix) {
        return matrix.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
