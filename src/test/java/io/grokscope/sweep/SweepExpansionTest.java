package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.experiment.EmaFilterSettings;
import io.grokscope.experiment.ExperimentSpec;
import io.grokscope.experiment.SpecLimits;
import io.grokscope.jobs.WorkerMemory;
import io.grokscope.web.FieldError;
import io.grokscope.web.InvalidInputException;
import io.grokscope.web.ServiceLimits;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorFactory;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Expansion of a sweep into validated specs, and where its errors are reported, without Spring. */
class SweepExpansionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValidatorFactory VALIDATION = Validation.byDefaultProvider().configure()
            .constraintValidatorFactory(new ReflectiveValidators()).buildValidatorFactory();
    private static final SweepExpansion.SizeLimit LIMIT = new SweepExpansion.SizeLimit(200, "test limit");

    private final SweepExpansion expansion = new SweepExpansion(JSON, VALIDATION.getValidator());

    /** The configured limits' defaults, with a memory budget no test spec comes near. */
    private static final SpecLimits LIMITS = SpecLimits.of(
            new Binder(new MapConfigurationPropertySource()).bindOrCreate("grokscope.limits", ServiceLimits.class),
            new WorkerMemory(Long.MAX_VALUE, Long.MAX_VALUE));

    /**
     * Creates the spec's package-private cross-field validator as Spring's factory does in the service (the default
     * factory only calls public constructors), with {@link #LIMITS} for a constructor that takes them.
     */
    private static final class ReflectiveValidators implements ConstraintValidatorFactory {
        @Override
        public <T extends ConstraintValidator<?, ?>> T getInstance(Class<T> type) {
            try {
                var constructor = type.getDeclaredConstructors()[0];
                constructor.setAccessible(true);
                return type.cast(constructor.getParameterCount() == 0 ? constructor.newInstance()
                        : constructor.newInstance(LIMITS));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void releaseInstance(ConstraintValidator<?, ?> instance) {
        }
    }

    @AfterAll
    static void close() {
        VALIDATION.close();
    }

    private static ExperimentSpec base(String json) throws Exception {
        return JSON.readValue(json, ExperimentSpec.class);
    }

    private static ExperimentSpec smallMlp() throws Exception {
        return base("""
                {"name": "ignored", "task": {"operation": "ADD", "modulus": 11},
                 "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [32]},
                 "optimizer": {"weightDecay": 0.5}, "training": {"steps": 100}}""");
    }

    /** Axes in the order given (the map's order is the grid's order). */
    private static Map<String, List<Object>> axes(Object... pathsAndValues) {
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            axes.put((String) pathsAndValues[i], new ArrayList<>(Arrays.asList((Object[]) pathsAndValues[i + 1])));
        }
        return axes;
    }

    private static Object[] values(Object... values) {
        return values;
    }

    private List<FieldError> errorsOf(SweepRequest request, SweepExpansion.SizeLimit limit) {
        try {
            expansion.expand(request, limit);
        } catch (InvalidInputException e) {
            return e.errors();
        }
        throw new AssertionError("expected the sweep to be refused");
    }

    @Test
    void expandsTheCartesianProductFirstAxisOutermostTimesTheSeedsInnermost() throws Exception {
        var request = new SweepRequest("grid", smallMlp(), axes("optimizer.weightDecay", values(0, 0.1, 1),
                "task.trainFraction", values(0.3, 0.5)), List.of(7L, 8L));

        SweepExpansion.Plan plan = expansion.expand(request, LIMIT);

        assertThat(plan.grid().cells()).isEqualTo(6);
        assertThat(plan.experiments()).hasSize(12);
        List<String> seen = plan.experiments().stream().map(e -> e.spec().optimizer().weightDecay() + "/"
                + e.spec().task().trainFraction() + "/" + e.seed()).toList();
        assertThat(seen).containsExactly("0.0/0.3/7", "0.0/0.3/8", "0.0/0.5/7", "0.0/0.5/8", "0.1/0.3/7",
                "0.1/0.3/8", "0.1/0.5/7", "0.1/0.5/8", "1.0/0.3/7", "1.0/0.3/8", "1.0/0.5/7", "1.0/0.5/8");
        for (SweepExpansion.PlannedExperiment planned : plan.experiments()) {
            ExperimentSpec spec = planned.spec();
            assertThat(spec.task().seed()).isEqualTo(planned.seed());
            assertThat(spec.training().seed()).isEqualTo(planned.seed());
            assertThat(spec.name()).isEqualTo("grid/" + planned.cell() + "/s" + planned.seed());
            // everything the axes do not touch comes from the base
            assertThat(spec.task().modulus()).isEqualTo(11);
            assertThat(spec.training().steps()).isEqualTo(100);
        }
        assertThat(plan.grid().values(3)).containsExactly(Map.entry("optimizer.weightDecay", 0.1),
                Map.entry("task.trainFraction", 0.5));
    }

    @Test
    void withoutSeedsEachCellRunsOnceWithTheBasesSeeds() throws Exception {
        ExperimentSpec base = base("""
                {"task": {"operation": "ADD", "modulus": 11, "seed": 5}, "model": {"type": "MLP"},
                 "training": {"seed": 9}}""");
        var plan = expansion.expand(new SweepRequest("once", base, axes("optimizer.learningRate",
                values(0.001, 0.01)), null), LIMIT);

        assertThat(plan.experiments()).extracting(SweepExpansion.PlannedExperiment::seed).containsExactly(null, null);
        assertThat(plan.experiments()).allSatisfy(e -> {
            assertThat(e.spec().task().seed()).isEqualTo(5);
            assertThat(e.spec().training().seed()).isEqualTo(9);
        });
        assertThat(plan.experiments().get(1).spec().name()).isEqualTo("once/1");
    }

    @Test
    void aNullValueLeavesTheFieldOutAndANullTypeLeavesOutThePartItChooses() throws Exception {
        var request = new SweepRequest("nulls", smallMlp(), axes("optimizer.gradientFilter.type",
                values(null, "EMA"), "optimizer.gradientFilter.alpha", values(0.9), "optimizer.weightDecay",
                values(null, 2)), null);

        List<ExperimentSpec> specs = expansion.expand(request, LIMIT).experiments().stream()
                .map(SweepExpansion.PlannedExperiment::spec).toList();

        assertThat(specs).hasSize(4);
        // no filter at all, although another axis set a field inside it
        assertThat(specs.get(0).optimizer().gradientFilter()).isNull();
        // the base's weight decay left out: the default applies once the spec is completed
        assertThat(specs.get(0).optimizer().weightDecay()).isNull();
        assertThat(specs.get(0).withDefaults().optimizer().weightDecay()).isEqualTo(1.0);
        assertThat(specs.get(1).optimizer().weightDecay()).isEqualTo(2.0);
        assertThat(specs.get(2).optimizer().gradientFilter()).isEqualTo(new EmaFilterSettings(0.9, null));
    }

    @Test
    void anUnknownOrCompositePathIsRefusedByName() throws Exception {
        var request = new SweepRequest("paths", smallMlp(), axes("optimizer.wieghtDecay", values(1),
                "model.hiddenDims", values(16), "name", values("x")), null);

        List<FieldError> errors = errorsOf(request, LIMIT);

        assertThat(errors).extracting(FieldError::pointer).containsExactly("/axes/optimizer.wieghtDecay",
                "/axes/model.hiddenDims", "/axes/name");
        assertThat(errors.get(0).detail()).contains("optimizer.weightDecay", "task.trainFraction",
                "optimizer.gradientFilter.type");
        assertThat(errors.get(1).detail()).contains("not a scalar");
    }

    @Test
    void valuesMustBeDistinctFiniteScalars() throws Exception {
        var request = new SweepRequest("values", smallMlp(), axes("optimizer.weightDecay",
                values(0, 1, 1.0, List.of(2), Map.of("a", 1), Double.POSITIVE_INFINITY)), null);

        assertThat(errorsOf(request, LIMIT)).extracting(FieldError::pointer).containsExactly(
                "/axes/optimizer.weightDecay/2", "/axes/optimizer.weightDecay/3", "/axes/optimizer.weightDecay/4",
                "/axes/optimizer.weightDecay/5");
    }

    @Test
    void seedsAndSeedAxesExcludeEachOtherAndSeedsMustDiffer() throws Exception {
        var request = new SweepRequest("seeds", smallMlp(), axes("training.seed", values(1, 2)), List.of(0L, 3L, 0L));

        assertThat(errorsOf(request, LIMIT)).extracting(FieldError::pointer)
                .containsExactly("/axes/training.seed", "/seeds/2");
    }

    @Test
    void eachExpandedSpecIsValidatedAndErrorsPointAtTheirCause() throws Exception {
        ExperimentSpec base = base("""
                {"task": {"operation": "DIVIDE", "modulus": 11},
                 "model": {"type": "TRANSFORMER", "dModel": 16, "heads": 4, "dMlp": 32},
                 "training": {"steps": 0}}""");
        var request = new SweepRequest("checks", base, axes("optimizer.weightDecay", values(0.1, -1),
                "model.heads", values(4, 3), "task.modulus", values(11, 12)), null);

        List<FieldError> errors = errorsOf(request, LIMIT);

        assertThat(errors).extracting(FieldError::pointer).containsExactlyInAnyOrder(
                "/axes/optimizer.weightDecay/1", "/axes/model.heads/1", "/axes/task.modulus/1",
                "/base/training/steps");
        assertThat(errors).filteredOn(e -> e.pointer().equals("/axes/model.heads/1")).singleElement()
                .extracting(FieldError::detail).asString().contains("must divide dModel (16)");
        assertThat(errors).filteredOn(e -> e.pointer().equals("/axes/task.modulus/1")).singleElement()
                .extracting(FieldError::detail).asString().contains("prime");
    }

    @Test
    void anErrorOnlySomeCellsHaveNamesOneOfThem() throws Exception {
        var request = new SweepRequest("switch", smallMlp(), axes("model.type", values("MLP", "TRANSFORMER")), null);

        List<FieldError> errors = errorsOf(request, LIMIT);

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.pointer()).isEqualTo("/base/model/embedDim");
            assertThat(error.detail()).contains("is not a known field", "model.type=TRANSFORMER");
        });
    }

    @Test
    void aFieldInsideAnObjectOnlyAnAxisCreatesIsBlamedOnThatAxis() throws Exception {
        var request = new SweepRequest("filter", smallMlp(), axes("optimizer.gradientFilter.alpha",
                values(0.9, 0.98)), null);

        assertThat(errorsOf(request, LIMIT)).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/axes/optimizer.gradientFilter.alpha/0",
                        "/axes/optimizer.gradientFilter.alpha/1");
    }

    @Test
    void aBadSweepNameIsReportedOnceAtName() throws Exception {
        var request = new SweepRequest("no#hash", smallMlp(), axes("optimizer.weightDecay", values(0, 1)), null);

        assertThat(errorsOf(request, LIMIT)).extracting(FieldError::pointer).containsExactly("/name");
    }

    @Test
    void aGridOverTheLimitIsRefusedNamingItsSizeBeforeAnythingIsBuilt() throws Exception {
        Object[] hundred = new Object[100];
        for (int i = 0; i < hundred.length; i++) {
            hundred[i] = i * 0.01;
        }
        // 100^4 × 10 seeds = 10^9 specs would never fit in memory: the product is checked first
        var request = new SweepRequest("huge", smallMlp(), axes("optimizer.weightDecay", hundred,
                "optimizer.learningRate", hundred, "optimizer.beta1", hundred, "optimizer.beta2", hundred),
                List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L));

        List<FieldError> errors = errorsOf(request, new SweepExpansion.SizeLimit(20, "the limit's name"));

        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.pointer()).isEqualTo("/axes");
            assertThat(error.detail()).contains("100 × 100 × 100 × 100 = 100000000 cells × 10 seeds",
                    "1000000000 experiments", "limit of 20", "the limit's name");
        });
    }

    @Test
    void aGridAtTheLimitIsAccepted() throws Exception {
        var request = new SweepRequest("edge", smallMlp(), axes("optimizer.weightDecay", values(0, 1)),
                List.of(0L, 1L));

        assertThat(expansion.expand(request, new SweepExpansion.SizeLimit(4, "four")).experiments()).hasSize(4);
        assertThat(errorsOf(request, new SweepExpansion.SizeLimit(3, "three"))).singleElement()
                .extracting(FieldError::detail).asString().contains("= 4 experiments");
    }
}
