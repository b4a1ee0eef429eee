package io.grokscope.analysis;

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
 * Computes the Fourier progress measures of Nanda et al. (2023) for one task: the Gini coefficients of W_E's and W_L's
 * per-frequency norms, the key frequencies and key fraction, and the restricted and excluded losses, all in one call
 * per measured step.
 *
 * <p>Built once per run ({@link #forTask}) so that what depends only on the task (the basis, the full-table pair
 * lists, the projection) is prepared once; {@link #measure(Model)} then costs two small basis products (O(p²·d) for
 * W_E and O(p²·k) for W_L) plus, only when a key set exists and the operation is ADD or SUBTRACT, one forward pass over
 * all p² pairs and an O(p³) projection. The forward pass dominates; during memorization, when there is no key set, it
 * is skipped altogether. See {@code ProgressMeasuresTest} for the measured cost at p = 113.
 *
 * <p>All arithmetic is in double, whatever the model's data type. Immutable and thread-safe (the model it is given is
 * not: measure it on the training thread, as {@code TrainingListener#onProgressMeasures} does).
 */
public final class ProgressMeasures {

    /** The measures computed here, in the order they are documented in the API notes. */
    public static final Set<Metric> MEASURES = Collections.unmodifiableSet(EnumSet.of(Metric.FOURIER_GINI_EMBED,
            Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_KEY_FRACTION, Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS));

    private static final Set<Metric> FOURIER_NORM_MEASURES = EnumSet.of(Metric.FOURIER_GINI_EMBED,
            Metric.FOURIER_GINI_UNEMBED, Metric.FOURIER_KEY_FRACTION);
    private static final Set<Metric> LOSS_MEASURES = EnumSet.of(Metric.RESTRICTED_LOSS, Metric.EXCLUDED_LOSS);

    private final TaskData data;
    private final Map<Metric, String> unavailable;
    /** Null when the task is not over Z_p with odd p. */
    private final FourierBasis basis;
    /** Null when restricted and excluded loss are undefined for the operation. */
    private final FourierLogitProjection projection;
    private final int[] tableLeft;
    private final int[] tableRight;

    private ProgressMeasures(TaskData data) {
        this.data = data;
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

    /** The measures for runs on this task. */
    public static ProgressMeasures forTask(TaskData data) {
        return new ProgressMeasures(data);
    }

    /**
     * The measures that a task can never have, each with the reason: for tasks not over Z_p (S5) or with even p, all
     * of them; for operations other than ADD and SUBTRACT, restricted and excluded loss. A caller reading stored series
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
        double[] embedNorms = basis.frequencyNorms(toRows(tokenEmbedding, "token embedding"));
        double[] unembedNorms = basis.frequencyNorms(toRows(logitMap, "logit map W_L"));
        KeyFrequencies keys = KeyFrequencies.select(unembedNorms);

        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        Map<Metric, String> absent = new EnumMap<>(unavailable);
        values.put(Metric.FOURIER_GINI_EMBED, GiniCoefficient.of(embedNorms));
        values.put(Metric.FOURIER_GINI_UNEMBED, GiniCoefficient.of(unembedNorms));
        values.put(Metric.FOURIER_KEY_FRACTION, keys.fraction());

        if (projection != null) {
            if (keys.isEmpty()) {
                String reason = "no key frequencies yet: W_L's Fourier energy is not concentrated in "
                        + KeyFrequencies.MAX_KEY_FREQUENCIES + " or fewer frequencies";
                absent.put(Metric.RESTRICTED_LOSS, reason);
                absent.put(Metric.EXCLUDED_LOSS, reason);
            } else {
                INDArray logits = tableLogits.get();
                if (logits == null) {
                    String reason = "the logits over the full table were not supplied";
                    absent.put(Metric.RESTRICTED_LOSS, reason);
                    absent.put(Metric.EXCLUDED_LOSS, reason);
                } else {
                    checkShape(logits, (long) p * p, p, "logits over the full table");
                    KeyFrequencyLosses losses = projection.losses(toRowMajorDoubles(logits), keys.frequencies(),
                            data.train());
                    values.put(Metric.RESTRICTED_LOSS, losses.restricted());
                    values.put(Metric.EXCLUDED_LOSS, losses.excluded());
                }
            }
        }
        return new ProgressMeasurement(values, absent, keys.frequencies(), Spectrum.of(p, embedNorms, unembedNorms));
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
