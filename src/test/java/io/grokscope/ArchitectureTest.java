package io.grokscope;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The numerical core ({@code task}, {@code model}, {@code training}, {@code analysis}) is plain Java: testable in
 * milliseconds, usable from a script or a notebook, and free of the service's concerns. Spring lives at the edges.
 */
@AnalyzeClasses(packages = "io.grokscope", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] CORE = { "io.grokscope.task..", "io.grokscope.model..", "io.grokscope.training..",
            "io.grokscope.analysis.." };

    private static final String[] EDGE = { "io.grokscope.experiment..", "io.grokscope.jobs..",
            "io.grokscope.metrics..", "io.grokscope.sweep..", "io.grokscope.web..", "io.grokscope.database..",
            "io.grokscope.security..", "io.grokscope.history..", "io.grokscope.spec.." };

    @ArchTest
    static final ArchRule coreImportsNoFramework = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.persistence..",
                    "jakarta.servlet..", "jakarta.validation..", "org.hibernate..", "io.swagger..")
            .because("the numerical core must stay plain Java");

    @ArchTest
    static final ArchRule coreKnowsNothingOfTheService = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(EDGE)
            .because("the service depends on the core, never the reverse");

    @ArchTest
    static final ArchRule featuresFormNoCycles = slices().matching("io.grokscope.(*)..").should().beFreeOfCycles();
}
