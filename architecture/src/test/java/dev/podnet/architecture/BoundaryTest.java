package dev.podnet.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules of podnet's public boundary, checked over the compiled classes of every module (tests
 * excluded). What an embedder may use is everything outside {@code ..internal..} packages in the
 * library modules (netlink-codec, dataplane, reactive-api); the command line, the harnesses and
 * the benchmarks are podnet's own tools and may use internals, but nothing public in the library
 * may hand an internal type out.
 */
class BoundaryTest {
    /** Every module's main classes, imported once. */
    private static final JavaClasses PODNET = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(
                    location -> !location.contains("/generated-sources/") && !location.contains("jmh_generated"))
            .importPackages("dev.podnet");

    private static final String INTERNAL = "..internal..";
    private static final String[] LIBRARY = {"dev.podnet.netlink..", "dev.podnet.dataplane..", "dev.podnet.api.."};

    /** Lower modules never see higher ones: codec, dataplane, API, daemon, then the tools (which drive the daemon too). */
    static final ArchRule modulesAreLayered = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("codec")
            .definedBy("dev.podnet.netlink..")
            .layer("dataplane")
            .definedBy("dev.podnet.dataplane..")
            .layer("api")
            .definedBy("dev.podnet.api..")
            .layer("daemon")
            .definedBy("dev.podnet.daemon..")
            .layer("harnesses")
            .definedBy("dev.podnet.stress..")
            .layer("cli")
            .definedBy("dev.podnet.cli..")
            .layer("benchmarks")
            .definedBy("dev.podnet.bench..")
            .layer("examples")
            .definedBy("dev.podnet.examples..")
            .whereLayer("cli")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("benchmarks")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("examples")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("daemon")
            .mayOnlyBeAccessedByLayers("harnesses", "cli")
            .whereLayer("harnesses")
            .mayOnlyBeAccessedByLayers("cli", "benchmarks")
            .whereLayer("api")
            .mayOnlyBeAccessedByLayers("daemon", "harnesses", "cli", "benchmarks", "examples")
            .whereLayer("dataplane")
            .mayOnlyBeAccessedByLayers("api", "daemon", "harnesses", "cli", "benchmarks", "examples")
            .as("modules depend only downwards: codec <- dataplane <- api <- daemon <- harnesses <- cli");

    /** The examples stand for an embedder: the public API only. */
    static final ArchRule examplesUseTheApiOnly = noClasses()
            .that()
            .resideInAPackage("dev.podnet.examples..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(INTERNAL)
            .as("the examples (an embedder's code) use no internal package");

    /** The daemon is built on the API as any runtime embedding podnet would be: no internal package. */
    static final ArchRule daemonUsesTheApiOnly = noClasses()
            .that()
            .resideInAPackage("dev.podnet.daemon..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(INTERNAL)
            .as("the daemon uses no internal package");

    /** Nothing public in the library hands out, takes or exposes an internal type. */
    static final ArchRule noInternalTypeInAPublicSignature = members()
            .that()
            .areDeclaredInClassesThat(publicApiClass())
            .and()
            .arePublic()
            .should(notMentionInternalTypes())
            .as("public members of the library's API packages mention no internal type");

    /** The library's API classes do not extend or implement internal types either. */
    static final ArchRule apiClassesDoNotExtendInternals = classes()
            .that(publicApiClass())
            .should(new ArchCondition<>("not extend or implement an internal type") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    c.getRawSuperclass()
                            .filter(BoundaryTest::isInternal)
                            .ifPresent(s -> events.add(SimpleConditionEvent.violated(
                                    c, c.getName() + " extends internal " + s.getName())));
                    c.getRawInterfaces().stream()
                            .filter(BoundaryTest::isInternal)
                            .forEach(i -> events.add(SimpleConditionEvent.violated(
                                    c, c.getName() + " implements internal " + i.getName())));
                }
            });

    /** One root for podnet's exceptions, so a caller can catch podnet's failures apart from everyone else's. */
    static final ArchRule everyExceptionHasOneRoot = classes()
            .that()
            .resideInAnyPackage(LIBRARY)
            .and()
            .areAssignableTo(RuntimeException.class)
            .should()
            .beAssignableTo(dev.podnet.netlink.PodnetException.class)
            .as("every exception of the library extends PodnetException");

    private static DescribedPredicate<JavaClass> publicApiClass() {
        return DescribedPredicate.describe(
                "public classes of the library outside internal packages",
                c -> c.getModifiers().contains(JavaModifier.PUBLIC)
                        && !isInternal(c)
                        && (c.getPackageName().startsWith("dev.podnet.netlink")
                                || c.getPackageName().startsWith("dev.podnet.dataplane")
                                || c.getPackageName().startsWith("dev.podnet.api"))
                        && (c.getEnclosingClass().isEmpty()
                                || c.getEnclosingClass().get().getModifiers().contains(JavaModifier.PUBLIC)));
    }

    static boolean isInternal(JavaClass c) {
        return c.getPackageName().contains(".internal");
    }

    private static ArchCondition<JavaMember> notMentionInternalTypes() {
        return new ArchCondition<>("not mention an internal type") {
            @Override
            public void check(JavaMember m, ConditionEvents events) {
                Set<String> found = new TreeSet<>();
                if (m instanceof JavaField f) {
                    f.getType().getAllInvolvedRawTypes().stream()
                            .filter(BoundaryTest::isInternal)
                            .forEach(t -> found.add(t.getName()));
                } else if (m instanceof JavaCodeUnit u) {
                    u.getReturnType().getAllInvolvedRawTypes().stream()
                            .filter(BoundaryTest::isInternal)
                            .forEach(t -> found.add(t.getName()));
                    u.getParameterTypes()
                            .forEach(p -> p.getAllInvolvedRawTypes().stream()
                                    .filter(BoundaryTest::isInternal)
                                    .forEach(t -> found.add(t.getName())));
                }
                if (!found.isEmpty()) {
                    events.add(SimpleConditionEvent.violated(m, m.getFullName() + " mentions " + found));
                }
            }
        };
    }

    @Test
    void modulesAreLayered() {
        modulesAreLayered.check(PODNET);
    }

    @Test
    void examplesUseTheApiOnly() {
        examplesUseTheApiOnly.check(PODNET);
    }

    @Test
    void noInternalTypeInAPublicSignature() {
        noInternalTypeInAPublicSignature.check(PODNET);
    }

    @Test
    void apiClassesDoNotExtendInternals() {
        apiClassesDoNotExtendInternals.check(PODNET);
    }

    @Test
    void everyExceptionHasOneRoot() {
        everyExceptionHasOneRoot.check(PODNET);
    }

    @Test
    void daemonUsesTheApiOnly() {
        daemonUsesTheApiOnly.check(PODNET);
    }
}
