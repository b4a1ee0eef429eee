package io.grokscope.experiment;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The rules of an {@link ExperimentSpec} that span fields; see {@link ExperimentSpecValidator}. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ExperimentSpecValidator.class)
@interface ConsistentExperimentSpec {

    String message() default "inconsistent experiment spec";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
