package io.grokscope;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMembers;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * The numerical core ({@code task}, {@code model}, {@code training}, {@code analysis}) is plain Java: testable in
 * milliseconds, usable from a script or a notebook, and free of the service's concerns. Spring lives at the edges.
 *
 * <p>Each table of a run has one owner (issue 16, V10): the {@code job} table is written only by
 * {@code jobs.JobRepository}, the {@code experiment} table only through {@code experiment.ExperimentRepository}. The
 * rules below hold what bytecode can show (who reaches the repositories, the entity and the fence's condition);
 * {@link TableOwnershipTest} holds what only the SQL text shows.
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

    @ArchTest
    static final ArchRule onlyTheJobPoolReachesTheJobTablesWriter = noClasses()
            .that().resideOutsideOfPackage("io.grokscope.jobs")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.grokscope.jobs.JobRepository")
            .because("JobRepository is the only writer of the job table; the rest of the service goes through"
                    + " JobQueue");

    @ArchTest
    static final ArchRule onlyTheJobPoolWritesUnderTheFenceCondition = noClasses()
            .that().resideOutsideOfPackage("io.grokscope.jobs")
            .and().doNotHaveFullyQualifiedName("io.grokscope.metrics.WriteFence")
            .should().accessField("io.grokscope.metrics.WriteFence", "OWNS_JOB")
            .because("OWNS_JOB is the condition of an UPDATE on the job table, which only JobRepository makes;"
                    + " other writers of an attempt take the fence with WriteFence.lock");

    @ArchTest
    static final ArchRule theExperimentRecordStaysInItsPackage = noClasses()
            .that().resideOutsideOfPackage("io.grokscope.experiment")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.grokscope.experiment.Experiment")
            .orShould().dependOnClassesThat()
            .haveFullyQualifiedName("io.grokscope.experiment.ExperimentRepository")
            .because("the experiment table is written only through ExperimentRepository, by its own package");

    @ArchTest
    static final ArchRule onlyTheServiceWritesExperiments = noClasses()
            .that().doNotHaveFullyQualifiedName("io.grokscope.experiment.ExperimentService")
            .should().callMethodWhere(writesThroughTheExperimentRepository())
            .because("ExperimentService is where an experiment's record and its job change together, in one"
                    + " transaction");

    @ArchTest
    static final ArchRule theExperimentRecordHasNoJobPoolState = noMembers()
            .that().areDeclaredIn("io.grokscope.experiment.Experiment")
            .should().haveNameMatching("(status|attempt|worker|lease.*|failures|suspect|exclusive|notBefore"
                    + "|cancelRequested|progressStep|stepsPerSecond|provenance|batchKey|priority|verdict"
                    + "|startedAt|finishedAt|error|stopReason|settledAt|stepsSaved)")
            .because("the job pool's state is the job row's (V10), not the researcher's record");

    private static DescribedPredicate<JavaMethodCall> writesThroughTheExperimentRepository() {
        Set<String> writes = Set.of("save", "saveAll", "delete", "deleteAll", "deleteById", "deleteAllById");
        return DescribedPredicate.describe("a write through ExperimentRepository",
                call -> call.getTargetOwner().getFullName().equals("io.grokscope.experiment.ExperimentRepository")
                        && writes.contains(call.getName()));
    }
}
