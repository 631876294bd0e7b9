package dev.deliberate.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Requirement;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.ShippedKinds;
import dev.deliberate.strategy.cascade.CascadeParameters;
import dev.deliberate.strategy.selfeval.AdaptiveParameters;
import dev.deliberate.strategy.selfeval.PruneParameters;
import dev.deliberate.strategy.vote.SelfConsistencyParameters;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import reactor.core.publisher.Mono;

class ProfileRegistryTests {

    private static final BudgetLimits DEFAULTS = new BudgetLimits(256, 400_000, Duration.ofMinutes(10), 4, 64, 256);

    @TempDir
    Path dir;

    /** A kind that needs logprobs from its solver. */
    record NeedsLogprobs(Integer k) {}

    private static final StrategyKind<NeedsLogprobs> LOGPROB_KIND = new StrategyKind<>() {
        @Override
        public String name() {
            return "needs-logprobs";
        }

        @Override
        public Class<NeedsLogprobs> parametersType() {
            return NeedsLogprobs.class;
        }

        @Override
        public Set<String> roles(NeedsLogprobs params) {
            return Set.of("solver");
        }

        @Override
        public Map<String, Set<Requirement>> requirements(NeedsLogprobs params) {
            return Map.of("solver", Set.of(Requirement.LOGPROBS));
        }

        @Override
        public Strategy create(NeedsLogprobs params) {
            return (problem, run) -> Mono.just(Solution.of("x", "x", 1.0));
        }
    };

    /** A kind that runs another profile, named by its {@code to} parameter. */
    record Delegate(String to) {}

    private static final StrategyKind<Delegate> DELEGATE_KIND = new StrategyKind<>() {
        @Override
        public String name() {
            return "delegate";
        }

        @Override
        public Class<Delegate> parametersType() {
            return Delegate.class;
        }

        @Override
        public Set<String> roles(Delegate params) {
            return Set.of();
        }

        @Override
        public Map<String, String> subProfiles(Delegate params) {
            return Map.of("params.to", params.to());
        }

        @Override
        public Strategy create(Delegate params) {
            return (problem, run) -> run.solveWith(params.to(), problem);
        }
    };

    private ProfileRegistry registry(Map<String, Object> properties, Map<String, Object> environmentVariables) {
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        // Spring maps DELIBERATE_PROFILES_X_PARAMS_N to property names only for the source of this name.
        environment
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environmentVariables));
        Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.get(environment);
        var endpoints = new EndpointRegistry(List.of(
                ScriptedEndpoint.cycling("local", "x"),
                ScriptedEndpoint.cycling("server", "x"),
                new ScriptedEndpoint(
                        "plain", new Capabilities(false, false, 0, Capabilities.Source.PROBED), (r, c) -> Mono.never()),
                new ScriptedEndpoint("unprobed", Capabilities.assumedMinimal(), (r, c) -> Mono.never())));
        var validator = new LocalValidatorFactoryBean();
        validator.afterPropertiesSet();
        return new ProfileRegistry(
                YamlProfileLoader.load(dir),
                sources,
                java.util.stream.Stream.concat(
                                ShippedKinds.all().stream(), java.util.stream.Stream.of(LOGPROB_KIND, DELEGATE_KIND))
                        .toList(),
                endpoints,
                DEFAULTS,
                validator);
    }

    private ProfileRegistry registry() {
        return registry(Map.of(), Map.of());
    }

    private void write(String name, String yaml) throws IOException {
        Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    @Test
    void loadsTheShippedProfilesWithTheirParametersAndBudgets() {
        ProfileRegistry registry = registry();

        assertThat(registry.all())
                .extracting(Profile::name)
                .containsExactly(
                        "adaptive",
                        "agot",
                        "agot-rpc",
                        "cascade",
                        "direct",
                        "funcoder",
                        "prune",
                        "rpc",
                        "self-consistency",
                        "server",
                        "spar",
                        "spar-dfs");
        Profile sc = registry.profile("self-consistency").orElseThrow();
        assertThat(sc.parameters())
                .isEqualTo(new SelfConsistencyParameters(5, 0.7, null, 1024, dev.deliberate.answer.AnswerKind.MATH));
        assertThat(sc.roles()).containsEntry("solver", "local");
        assertThat(sc.budget().maxModelCalls()).isEqualTo(5);
        assertThat(sc.budget().deadline()).isEqualTo(Duration.ofSeconds(180));
        assertThat(sc.budget().maxTokens()).isEqualTo(400_000);
        assertThat(registry.find("self-consistency"))
                .get()
                .extracting(p -> p.roles().get("solver").name())
                .isEqualTo("local");
        Profile cascade = registry.profile("cascade").orElseThrow();
        assertThat(cascade.parameters())
                .isEqualTo(new CascadeParameters(
                        "adaptive", "server", 0.6, true, false, dev.deliberate.answer.AnswerKind.MATH));
        assertThat(cascade.subProfiles())
                .containsExactlyInAnyOrderEntriesOf(Map.of("params.local", "adaptive", "params.server", "server"));
        assertThat(registry.find("server"))
                .get()
                .extracting(p -> p.roles().get("solver").name())
                .isEqualTo("server");
    }

    @Test
    void bindsTheShippedSelfEvaluationProfilesWithTheirSchedules() {
        ProfileRegistry registry = registry();

        Profile adaptive = registry.profile("adaptive").orElseThrow();
        Profile prune = registry.profile("prune").orElseThrow();

        assertThat(adaptive.parameters()).isEqualTo(AdaptiveParameters.of());
        assertThat(((AdaptiveParameters) adaptive.parameters()).temperatures()).containsExactly(0.0, 0.3, 0.7, 1.0);
        assertThat(adaptive.roles()).containsEntry("solver", "local").containsEntry("evaluator", "local");
        assertThat(adaptive.budget().maxModelCalls()).isEqualTo(32);
        assertThat(prune.parameters()).isEqualTo(PruneParameters.of());
        assertThat(prune.roles()).containsEntry("solver", "local").containsEntry("evaluator", "local");
        assertThat(prune.budget().maxModelCalls()).isEqualTo(18);
    }

    @Test
    void refusesASelfEvaluationProfileWhoseEvaluatorLacksTopLogprobs() throws IOException {
        write("judged", "strategy: adaptive\nroles:\n  solver: local\n  evaluator: plain\n");

        assertThatThrownBy(this::registry)
                .hasMessageContaining("judged")
                .hasMessageContaining("roles.evaluator")
                .hasMessageContaining("top_logprobs");
    }

    @Test
    void overridesTheTemperatureScheduleByProperty() {
        ProfileRegistry registry = registry(
                Map.of(
                        "deliberate.profiles.adaptive.params.temperatures[0]", "0.1",
                        "deliberate.profiles.adaptive.params.temperatures[1]", "0.9"),
                Map.of());

        assertThat(((AdaptiveParameters)
                                registry.profile("adaptive").orElseThrow().parameters())
                        .temperatures())
                .containsExactly(0.1, 0.9);
    }

    @Test
    void springPropertiesAndEnvironmentVariablesOverrideTheFile() {
        ProfileRegistry byProperty = registry(Map.of("deliberate.profiles.self-consistency.params.n", "7"), Map.of());
        ProfileRegistry byEnvironment = registry(
                Map.of(),
                Map.of(
                        "DELIBERATE_PROFILES_SELFCONSISTENCY_PARAMS_N",
                        "9",
                        "DELIBERATE_PROFILES_SELFCONSISTENCY_BUDGET_MAXMODELCALLS",
                        "9"));

        assertThat(((SelfConsistencyParameters) byProperty
                                .profile("self-consistency")
                                .orElseThrow()
                                .parameters())
                        .n())
                .isEqualTo(7);
        Profile overridden = byEnvironment.profile("self-consistency").orElseThrow();
        assertThat(((SelfConsistencyParameters) overridden.parameters()).n()).isEqualTo(9);
        assertThat(overridden.budget().maxModelCalls()).isEqualTo(9);
    }

    @Test
    void aDirectoryProfileAddsToTheShippedOnes() throws IOException {
        write("greedy", "strategy: direct\nroles:\n  solver: local\nparams:\n  temperature: 0\n");

        ProfileRegistry registry = registry();

        assertThat(registry.all())
                .extracting(Profile::name)
                .containsExactly(
                        "adaptive",
                        "agot",
                        "agot-rpc",
                        "cascade",
                        "direct",
                        "funcoder",
                        "greedy",
                        "prune",
                        "rpc",
                        "self-consistency",
                        "server",
                        "spar",
                        "spar-dfs");
        assertThat(registry.profile("greedy").orElseThrow().source()).endsWith("greedy.yaml");
    }

    @Test
    void unknownStrategyNamesFileAndField() throws IOException {
        write("bad", "strategy: tree-of-doom\nroles:\n  solver: local\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("strategy: unknown strategy 'tree-of-doom'")
                .hasMessageContaining("self-consistency");
    }

    @Test
    void unknownEndpointRoleAndParameterAreRefused() throws IOException {
        write("bad", "strategy: direct\nroles:\n  solver: gpu9\n");
        assertThatThrownBy(this::registry)
                .hasMessageContaining("roles.solver: unknown endpoint 'gpu9'")
                .hasMessageContaining("local, plain, server, unprobed");

        write("bad", "strategy: direct\nroles:\n  solver: local\n  judge: local\n");
        assertThatThrownBy(this::registry).hasMessageContaining("roles.judge: strategy direct has no role 'judge'");

        write("bad", "strategy: direct\nroles:\n  solver: local\nparams:\n  temprature: 0.5\n");
        assertThatThrownBy(this::registry)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("params.temprature")
                .hasMessageContaining("unknown field");

        write("bad", "strategy: direct\nrols:\n  solver: local\n");
        assertThatThrownBy(this::registry).hasMessageContaining("rols");
    }

    @Test
    void missingRoleAndInvalidValuesAreRefused() throws IOException {
        write("bad", "strategy: direct\n");
        assertThatThrownBy(this::registry).hasMessageContaining("roles.solver: missing");

        write("bad", "strategy: self-consistency\nroles:\n  solver: local\nparams:\n  n: 0\n");
        assertThatThrownBy(this::registry).hasMessageContaining("bad.yaml").hasMessageContaining("params.n");

        write("bad", "strategy: self-consistency\nroles:\n  solver: local\nparams:\n  n: many\n");
        assertThatThrownBy(this::registry).hasMessageContaining("params.n");
    }

    @Test
    void aStrategyNeedingLogprobsOnAnEndpointWithoutThemStopsStartup() throws IOException {
        write("rpc", "strategy: needs-logprobs\nroles:\n  solver: plain\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("rpc.yaml")
                .hasMessageContaining("roles.solver: endpoint 'plain' lacks logprobs");

        write("rpc", "strategy: needs-logprobs\nroles:\n  solver: local\n");
        assertThat(registry().profile("rpc")).isPresent();
    }

    @Test
    void capabilitiesOnlyAssumedAfterAFailedProbeDoNotStopStartup() throws IOException {
        write("rpc", "strategy: needs-logprobs\nroles:\n  solver: unprobed\n");

        Profile profile = registry().profile("rpc").orElseThrow();

        assertThat(profile.plan().requirements()).containsEntry("solver", Set.of(Requirement.LOGPROBS));
    }

    @Test
    void aSubProfileMustExist() throws IOException {
        write("outer", "strategy: delegate\nparams:\n  to: missing\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("profile 'outer'")
                .hasMessageContaining("outer.yaml")
                .hasMessageContaining("params.to: unknown profile 'missing'; known profiles: ")
                .hasMessageContaining("direct, funcoder, outer");

        write("outer", "strategy: delegate\nparams:\n  to: direct\n");
        assertThat(registry().profile("outer").orElseThrow().subProfiles()).containsEntry("params.to", "direct");
    }

    @Test
    void subProfilesMustNotFormACycle() throws IOException {
        write("a", "strategy: delegate\nparams:\n  to: b\n");
        write("b", "strategy: delegate\nparams:\n  to: c\n");
        write("c", "strategy: delegate\nparams:\n  to: a\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("profile 'a'")
                .hasMessageContaining("runs itself through a -> b -> c -> a");
    }

    @Test
    void aProfileRunningItselfIsACycle() throws IOException {
        write("self", "strategy: delegate\nparams:\n  to: self\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("runs itself through self -> self");
    }

    @Test
    void aShippedProfileOnAnEndpointWithoutWhatItNeedsDoesNotStopStartup() {
        // The user's backend lacks logprobs: rpc stays listed (its runs fail with 503), direct still serves.
        ProfileRegistry registry = registry(Map.of("deliberate.profiles.rpc.roles.solver", "plain"), Map.of());

        Profile rpc = registry.profile("rpc").orElseThrow();

        assertThat(rpc.roles()).containsEntry("solver", "plain");
        assertThat(rpc.plan().requirements()).containsEntry("solver", Set.of(Requirement.LOGPROBS));
        assertThat(registry.profile("direct")).isPresent();
    }
}
