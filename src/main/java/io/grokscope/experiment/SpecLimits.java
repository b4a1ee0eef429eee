package io.grokscope.experiment;

import io.grokscope.jobs.JobProperties;
import io.grokscope.jobs.WorkerMemory;
import io.grokscope.task.Expression;
import io.grokscope.web.ServiceLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The limits a spec is checked against (by {@link ExperimentSpecValidator}): the configured ones of
 * {@code grokscope.limits}, with the memory budget of this instance's workers resolved.
 */
public record SpecLimits(ServiceLimits limits, Expression.Limits expression, WorkerMemory memory) {

    public static SpecLimits of(ServiceLimits limits, WorkerMemory memory) {
        return new SpecLimits(limits, new Expression.Limits(limits.expressionLength(), limits.expressionDepth()),
                memory);
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        SpecLimits specLimits(ServiceLimits limits, JobProperties jobs) {
            return of(limits, WorkerMemory.of(limits, jobs));
        }
    }
}
