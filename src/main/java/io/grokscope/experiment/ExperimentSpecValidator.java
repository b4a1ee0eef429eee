package io.grokscope.experiment;

import io.grokscope.analysis.Metric;
import io.grokscope.analysis.ProgressMeasures;
import io.grokscope.jobs.WorkerMemory;
import io.grokscope.model.Activation;
import io.grokscope.task.Expression;
import io.grokscope.task.ExpressionSyntaxException;
import io.grokscope.task.Operation;
import io.grokscope.training.MemoryEstimate;
import io.grokscope.training.RunConfig;
import io.grokscope.web.ServiceLimits;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.math.BigInteger;
import java.util.Map;

/**
 * Cross-field rules of an {@link ExperimentSpec}, and its configurable limits ({@link SpecLimits}), checked on the spec
 * with defaults applied. Each violation names the field it is about (e.g. {@code model.heads}), so the client sees a
 * JSON pointer to it, and a limit's message names the limit and the property that sets it. Fixed field-level rules
 * (ranges, required fields) are annotations on the records; this class holds what no single field can say and what
 * depends on configuration.
 */
final class ExperimentSpecValidator implements ConstraintValidator<ConsistentExperimentSpec, ExperimentSpec> {

    /** PostgreSQL stores one value of at most 1 GB, and a checkpoint is one value. */
    static final long MAX_CHECKPOINT_BYTES = 1L << 30;
    /** Metrics written at every evaluation: train/test loss and accuracy, weight, embedding and gradient norms, lr. */
    static final int EVALUATION_METRICS = 8;

    private final SpecLimits limits;

    ExperimentSpecValidator(SpecLimits limits) {
        this.limits = limits;
    }

    @Override
    public boolean isValid(ExperimentSpec spec, ConstraintValidatorContext context) {
        if (spec == null || spec.task() == null || spec.model() == null || spec.task().operation() == null) {
            return true; // @NotNull on the fields reports these
        }
        ExperimentSpec s = spec.withDefaults();
        Violations violations = new Violations(context);
        boolean taskOk = checkTask(s.task(), violations);
        boolean modelOk = checkModel(s, violations);
        boolean trainingOk = checkTraining(s.training(), violations);
        if (taskOk && modelOk && trainingOk) {
            checkCost(s, violations);
        }
        return violations.none();
    }

    private boolean checkTask(TaskSettings task, Violations violations) {
        int before = violations.count();
        boolean isExpression = task.operation() == Operation.EXPRESSION;
        if (isExpression && task.expression() == null) {
            violations.add("must be given when operation is EXPRESSION", "task", "expression");
        }
        if (!isExpression && task.expression() != null) {
            violations.add("is only allowed when operation is EXPRESSION", "task", "expression");
        }
        if (task.modulus() != null && task.modulus() > limits.limits().modulus() && task.operation().isModular()) {
            violations.add(ServiceLimits.over(task.modulus(), limits.limits().modulus(), "modulus"), "task", "modulus");
        }
        boolean divides = task.operation() == Operation.DIVIDE
                || task.operation() == Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT;
        if (isExpression && task.expression() != null) {
            if (task.expression().length() > limits.expression().maxLength()) {
                violations.add("is " + task.expression().length() + " characters long, more than the limit of "
                        + limits.expression().maxLength() + " (grokscope.limits.expression-length)", "task",
                        "expression");
            } else {
                try {
                    divides = Expression.parse(task.expression(), limits.expression()).divides();
                } catch (ExpressionSyntaxException e) {
                    violations.add(e.getMessage(), "task", "expression");
                }
            }
        }
        if (divides && task.modulus() != null && !BigInteger.valueOf(task.modulus()).isProbablePrime(30)) {
            violations.add("must be prime for division (the modular inverse needs it)", "task", "modulus");
        }
        return violations.count() == before;
    }

    private boolean checkModel(ExperimentSpec s, Violations violations) {
        int before = violations.count();
        if (s.model() instanceof TransformerSettings t) {
            if (t.heads() > 0 && t.dModel() % t.heads() != 0) {
                violations.add("must divide dModel (" + t.dModel() + ")", "model", "heads");
            }
            if (t.activation() == Activation.QUADRATIC) {
                violations.add("must be RELU or GELU for a transformer", "model", "activation");
            }
        } else if (s.model() instanceof MlpSettings m && m.activation() == Activation.GELU) {
            violations.add("must be RELU or QUADRATIC for an MLP", "model", "activation");
        }
        return violations.count() == before;
    }

    private boolean checkTraining(TrainingSettings training, Violations violations) {
        if (training.steps() > limits.limits().steps()) {
            violations.add(ServiceLimits.over(training.steps(), limits.limits().steps(), "steps"), "training", "steps");
            return false;
        }
        return true;
    }

    /**
     * What the run would cost: parameters, memory ({@link MemoryEstimate}) and metric rows. Only for a spec that
     * passed the checks above; a spec whose fields break their own constraints may not even form a run config, and
     * those constraints already name the cause.
     */
    private void checkCost(ExperimentSpec s, Violations violations) {
        RunConfig config;
        try {
            config = s.toRunConfig();
        } catch (IllegalArgumentException e) {
            return; // a field outside its own range: its constraint reports it
        }
        Map<Metric, String> unavailable = ProgressMeasures.unavailable(config.task());
        checkMetricRows(config, ProgressMeasures.MEASURES.size() - unavailable.size(), violations);

        ServiceLimits configured = limits.limits();
        MemoryEstimate estimate = MemoryEstimate.of(config, !unavailable.containsKey(Metric.RESTRICTED_LOSS));
        if (estimate.parameters() > configured.parameters()) {
            violations.add("has " + estimate.parameters() + " parameters, more than the limit of "
                    + configured.parameters() + " (grokscope.limits.parameters)", "model");
            return;
        }
        WorkerMemory budget = limits.memory();
        if (estimate.offHeapBytes() > budget.offHeapBytes()) {
            violations.add("needs an estimated " + MemoryEstimate.bytes(estimate.offHeapBytes())
                    + " of off-heap memory (" + estimate.describeOffHeap() + "), more than the "
                    + MemoryEstimate.bytes(budget.offHeapBytes())
                    + " a worker may use (grokscope.limits.worker-memory)", "model");
        }
        if (estimate.heapBytes() > budget.heapBytes()) {
            violations.add("needs an estimated " + MemoryEstimate.bytes(estimate.heapBytes()) + " of Java heap"
                    + " (checkpoints, the task's table and the progress measures' table logits), more than the "
                    + MemoryEstimate.bytes(budget.heapBytes()) + " a worker may use (grokscope.limits.worker-heap)",
                    "model");
        }
        if (estimate.checkpointBytes() > MAX_CHECKPOINT_BYTES) {
            violations.add("would have checkpoints of " + MemoryEstimate.bytes(estimate.checkpointBytes())
                    + " (parameters, optimizer and gradient filter state), more than the "
                    + MemoryEstimate.bytes(MAX_CHECKPOINT_BYTES) + " PostgreSQL stores in one value", "model");
        }
    }

    /**
     * Rows the run writes: {@value #EVALUATION_METRICS} per evaluation (step 0, every evalEvery steps and the last
     * step), and per progress measurement one row per available measure and one spectrum. Reported at the cadence
     * that writes more of them.
     */
    private void checkMetricRows(RunConfig config, int measures, Violations violations) {
        long steps = config.training().steps();
        long evaluationRows = EVALUATION_METRICS * occasions(steps, config.training().evalEvery());
        long measurementRows = config.progressMeasuresEvery() == 0 || measures == 0 ? 0
                : (measures + 1L) * occasions(steps, config.progressMeasuresEvery());
        long rows = evaluationRows + measurementRows;
        long limit = limits.limits().metricRows();
        if (rows > limit) {
            String message = "makes the run write " + rows + " metric rows (" + evaluationRows + " for evaluations, "
                    + measurementRows + " for progress measures), more than the limit of " + limit
                    + " (grokscope.limits.metric-rows); measure less often";
            if (evaluationRows >= measurementRows) {
                violations.add(message, "training", "evalEvery");
            } else {
                violations.add(message, "analysis", "progressMeasuresEvery");
            }
        }
    }

    /** Steps 0, every {@code every}, and the last one. */
    private static long occasions(long steps, long every) {
        return 1 + steps / every + (steps % every == 0 ? 0 : 1);
    }

    /** Collects violations, each attached to a property path. */
    private static final class Violations {
        private final ConstraintValidatorContext context;
        private int count;

        Violations(ConstraintValidatorContext context) {
            this.context = context;
            context.disableDefaultConstraintViolation();
        }

        void add(String message, String... path) {
            var builder = context.buildConstraintViolationWithTemplate(escape(message));
            var node = builder.addPropertyNode(path[0]);
            for (int i = 1; i < path.length; i++) {
                node = node.addPropertyNode(path[i]);
            }
            node.addConstraintViolation();
            count++;
        }

        boolean none() {
            return count == 0;
        }

        int count() {
            return count;
        }

        /** Messages are literal text, never interpolated (they may quote user input). */
        private static String escape(String message) {
            return message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
        }
    }
}
