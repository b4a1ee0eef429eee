package io.grokscope.experiment;

import io.grokscope.model.Activation;
import io.grokscope.task.Expression;
import io.grokscope.task.ExpressionSyntaxException;
import io.grokscope.task.Operation;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.math.BigInteger;

/**
 * Cross-field rules of an {@link ExperimentSpec}, checked on the spec with defaults applied. Each violation names the
 * field it is about (e.g. {@code model.heads}), so the client sees a JSON pointer to it. Field-level rules (ranges,
 * required fields) are annotations on the records; this class only holds what no single field can say.
 */
final class ExperimentSpecValidator implements ConstraintValidator<ConsistentExperimentSpec, ExperimentSpec> {

    /** Largest model accepted: ~200 MB of FP32 values, gradients and Adam moments. */
    static final long MAX_PARAMETERS = 50_000_000;
    private static final int S5_ELEMENTS = 120;

    @Override
    public boolean isValid(ExperimentSpec spec, ConstraintValidatorContext context) {
        if (spec == null || spec.task() == null || spec.model() == null || spec.task().operation() == null) {
            return true; // @NotNull on the fields reports these
        }
        ExperimentSpec s = spec.withDefaults();
        Violations violations = new Violations(context);
        checkTask(s.task(), violations);
        checkModel(s, violations);
        checkTraining(s.training(), violations);
        return violations.none();
    }

    private static void checkTask(TaskSettings task, Violations violations) {
        boolean isExpression = task.operation() == Operation.EXPRESSION;
        if (isExpression && task.expression() == null) {
            violations.add("must be given when operation is EXPRESSION", "task", "expression");
        }
        if (!isExpression && task.expression() != null) {
            violations.add("is only allowed when operation is EXPRESSION", "task", "expression");
        }
        boolean divides = task.operation() == Operation.DIVIDE
                || task.operation() == Operation.DIVIDE_IF_ODD_ELSE_SUBTRACT;
        if (isExpression && task.expression() != null) {
            try {
                divides = Expression.parse(task.expression()).divides();
            } catch (ExpressionSyntaxException e) {
                violations.add(e.getMessage(), "task", "expression");
            }
        }
        if (divides && !BigInteger.valueOf(task.modulus()).isProbablePrime(30)) {
            violations.add("must be prime for division (the modular inverse needs it)", "task", "modulus");
        }
    }

    private static void checkModel(ExperimentSpec s, Violations violations) {
        if (s.model() instanceof TransformerSettings t) {
            if (t.dModel() % t.heads() != 0) {
                violations.add("must divide dModel (" + t.dModel() + ")", "model", "heads");
            }
            if (t.activation() == Activation.QUADRATIC) {
                violations.add("must be RELU or GELU for a transformer", "model", "activation");
            }
        } else if (s.model() instanceof MlpSettings m && m.activation() == Activation.GELU) {
            violations.add("must be RELU or QUADRATIC for an MLP", "model", "activation");
        }
        int elements = s.task().operation().isPermutationGroup() ? S5_ELEMENTS : s.task().modulus();
        long parameters = s.model().parameterCount(elements);
        if (parameters > MAX_PARAMETERS) {
            violations.add("has " + parameters + " parameters, more than the limit of " + MAX_PARAMETERS, "model");
        }
    }

    private static void checkTraining(TrainingSettings training, Violations violations) {
        long evaluations = training.steps() / training.evalEvery();
        if (evaluations > ExperimentLimits.MAX_EVALUATIONS) {
            violations.add("gives " + evaluations + " evaluations over " + training.steps() + " steps, more than "
                    + ExperimentLimits.MAX_EVALUATIONS + "; evaluate less often", "training", "evalEvery");
        }
    }

    /** Collects violations, each attached to a property path. */
    private static final class Violations {
        private final ConstraintValidatorContext context;
        private boolean any;

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
            any = true;
        }

        boolean none() {
            return !any;
        }

        /** Messages are literal text, never interpolated (they may quote user input). */
        private static String escape(String message) {
            return message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
        }
    }
}
