package dev.deliberate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package arrows of docs/architecture.md, enforced. */
class ArchitectureTests {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.deliberate");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.deliberate.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void leafPackagesDependOnNothingOfOurs() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.deliberate.model..", "dev.deliberate.prompt..", "dev.deliberate.answer..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.deliberate.run..",
                        "dev.deliberate.strategy..",
                        "dev.deliberate.profile..",
                        "dev.deliberate.api..",
                        "dev.deliberate.config..",
                        "dev.deliberate.sandbox..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.deliberate.prompt..", "dev.deliberate.answer..")
                .check(classes);
    }

    @Test
    void theEngineKnowsNoStrategyProfileOrApi() {
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.run..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.deliberate.strategy..",
                        "dev.deliberate.profile..",
                        "dev.deliberate.api..",
                        "dev.deliberate.config..",
                        "dev.deliberate.prompt..",
                        "dev.deliberate.sandbox..")
                .check(classes);
    }

    @Test
    void theSandboxStandsAloneButForTheEnginesErrors() {
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.sandbox..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.deliberate.strategy..",
                        "dev.deliberate.profile..",
                        "dev.deliberate.api..",
                        "dev.deliberate.config..",
                        "dev.deliberate.model..",
                        "dev.deliberate.prompt..",
                        "dev.deliberate.answer..")
                .check(classes);
    }

    @Test
    void strategiesSeeModelsOnlyThroughTheRun() {
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.strategy..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.deliberate.api..",
                        "dev.deliberate.profile..",
                        "dev.deliberate.config..",
                        "dev.deliberate.model.openai..",
                        "dev.deliberate.model.langchain4j..",
                        "dev.deliberate.model.resilience..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.strategy..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework.web..", "org.springframework.http..", "reactor.netty..", "tools.jackson..")
                .because("strategies never touch HTTP or wire formats")
                .check(classes);
    }

    @Test
    void theApiNeverKnowsStrategiesOrEndpointKinds() {
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.deliberate.strategy..",
                        "dev.deliberate.config..",
                        "dev.deliberate.model.openai..",
                        "dev.deliberate.model.langchain4j..",
                        "dev.deliberate.model.resilience..")
                .check(classes);
    }

    @Test
    void profilesDependOnlyOnTheEngineAndModels() {
        noClasses()
                .that()
                .resideInAPackage("dev.deliberate.profile..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.deliberate.api..", "dev.deliberate.strategy..", "dev.deliberate.config..")
                .check(classes);
    }

    @Test
    void caseConversionsNameTheirLocale() {
        noClasses()
                .should()
                .callMethod(String.class, "toLowerCase")
                .orShould()
                .callMethod(String.class, "toUpperCase")
                .because("the default locale turns 'I' into a dotless i in Turkish")
                .check(classes);
    }
}
