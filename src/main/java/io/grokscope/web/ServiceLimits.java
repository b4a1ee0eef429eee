package io.grokscope.web;

import io.grokscope.task.AlgorithmicTask;
import io.grokscope.task.Expression;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.lang.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Every size a client controls, in one place ({@code grokscope.limits.*}, listed in the README's "Limits" table). Each
 * is enforced where its input is read, and a refusal is a problem+json response that names the field or parameter,
 * the limit and the property that sets it. The defaults suit one 2-core, 24 GiB machine training Nanda et al.'s
 * 226k-parameter transformer at ~15 steps/s: ample room for real research, no room for a request that would exhaust
 * the machine.
 *
 * @param bodySize           largest request body (413 beyond); a spec is about 1 kB, a sweep a few kB
 * @param pageSize           largest {@code size} of a list page (experiments, sweeps)
 * @param maxPoints          largest {@code maxPoints} of a curve request (points per series)
 * @param compareExperiments experiments in one comparison request ({@code /api/v1/metrics?experiments=})
 * @param sweepExperiments   experiments one sweep may expand into (cells × seeds); a sweep is also refused when the
 *                           queue could never hold it ({@code grokscope.jobs.max-queued})
 * @param modulus            largest {@code task.modulus} (at most 10 000, the most the task generator supports)
 * @param steps              largest {@code training.steps}
 * @param parameters         trainable parameters of one model
 * @param metricRows         metric rows one run may write: evaluations × 8 metrics, plus progress measurements ×
 *                           (up to 5 measures and 1 spectrum)
 * @param expressionLength   characters of an {@code EXPRESSION} task's expression (at most 10 000)
 * @param expressionDepth    nesting of that expression, each '(' and unary '-' one level (at most 256)
 * @param workerMemory       off-heap memory (ND4J arrays) one training may use; unset = JavaCPP's
 *                           {@code maxbytes} (-Dorg.bytedeco.javacpp.maxbytes, default the heap's -Xmx) divided by
 *                           the workers of this instance
 * @param workerHeap         Java heap one training may use (checkpoints, the task's table, progress-measure logits);
 *                           unset = half of -Xmx divided by the workers of this instance
 */
@ConfigurationProperties("grokscope.limits")
public record ServiceLimits(
        @DefaultValue("256KB") DataSize bodySize,
        @DefaultValue("200") int pageSize,
        @DefaultValue("20000") int maxPoints,
        @DefaultValue("50") int compareExperiments,
        @DefaultValue("200") int sweepExperiments,
        @DefaultValue("1000") int modulus,
        @DefaultValue("1000000") int steps,
        @DefaultValue("50000000") long parameters,
        @DefaultValue("1000000") long metricRows,
        @DefaultValue("200") int expressionLength,
        @DefaultValue("32") int expressionDepth,
        @Nullable DataSize workerMemory,
        @Nullable DataSize workerHeap) {

    public ServiceLimits {
        Expression.Limits parser = Expression.Limits.MAXIMUM;
        if (bodySize.toBytes() < 1 || pageSize < 1 || maxPoints < 2 || compareExperiments < 1 || sweepExperiments < 1
                || modulus < 2 || modulus > AlgorithmicTask.MAX_MODULUS || steps < 1 || parameters < 1
                || metricRows < 1 || expressionLength < 1 || expressionLength > parser.maxLength()
                || expressionDepth < 1 || expressionDepth > parser.maxDepth()
                || (workerMemory != null && workerMemory.toBytes() < 1)
                || (workerHeap != null && workerHeap.toBytes() < 1)) {
            throw new IllegalArgumentException("grokscope.limits: every limit must be positive, max-points >= 2,"
                    + " 2 <= modulus <= " + AlgorithmicTask.MAX_MODULUS + ", expression-length <= "
                    + parser.maxLength() + ", expression-depth <= " + parser.maxDepth());
        }
    }

    /** Refuses a list page larger than {@link #pageSize()}, naming the parameter. */
    public void checkPageSize(int size) {
        if (size > pageSize) {
            throw new InvalidInputException(List.of(FieldError.atParameter("size",
                    "must be at most " + pageSize + " (grokscope.limits.page-size)")));
        }
    }

    /** The message for a value over a limit: {@code "is 1200, more than the limit of 1000 (grokscope.limits.X)"}. */
    public static String over(Object value, Object limit, String property) {
        return "is " + value + ", more than the limit of " + limit + " (grokscope.limits." + property + ")";
    }
}
