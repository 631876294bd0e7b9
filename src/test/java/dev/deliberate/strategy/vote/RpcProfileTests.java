package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.profile.Profile;
import dev.deliberate.profile.ProfileException;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.profile.YamlProfileLoader;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.strategy.ShippedKinds;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import reactor.core.publisher.Mono;

/** The shipped {@code rpc} profile and the startup checks of {@code strategy: rpc}. */
class RpcProfileTests {

    private static final BudgetLimits DEFAULTS = new BudgetLimits(256, 400_000, Duration.ofMinutes(10), 4, 64, 256);

    @TempDir
    Path dir;

    private ProfileRegistry registry() {
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of()));
        var endpoints = new EndpointRegistry(List.of(
                ScriptedEndpoint.cycling("local", "x"),
                ScriptedEndpoint.cycling("server", "x"),
                new ScriptedEndpoint(
                        "plain",
                        new Capabilities(true, false, 0, Capabilities.Source.CONFIGURED),
                        (r, c) -> Mono.never())));
        var validator = new LocalValidatorFactoryBean();
        validator.afterPropertiesSet();
        return new ProfileRegistry(
                YamlProfileLoader.load(dir),
                ConfigurationPropertySources.get(environment),
                ShippedKinds.all(),
                endpoints,
                DEFAULTS,
                validator);
    }

    @Test
    void theShippedProfileSamplesEightPathsAtTemperatureOneWithPruning() {
        Profile rpc = registry().profile("rpc").orElseThrow();

        assertThat(rpc.strategy()).isEqualTo("rpc");
        assertThat(rpc.parameters()).isEqualTo(new RpcParameters(8, 1.0, 1.0, 1024, AnswerKind.MATH, true));
        assertThat(rpc.roles()).containsEntry("solver", "local");
        assertThat(rpc.budget().maxModelCalls()).isEqualTo(8);
        assertThat(rpc.budget().deadline()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void unsetParametersTakeTheDefaults() {
        assertThat(new RpcParameters(null, null, null, null, null, null))
                .isEqualTo(new RpcParameters(8, 1.0, 1.0, 1024, AnswerKind.MATH, true));
    }

    @Test
    void anEndpointWithoutLogprobsStopsStartupNamingTheRole() throws IOException {
        Files.writeString(dir.resolve("rpc-plain.yaml"), "strategy: rpc\nroles:\n  solver: plain\n");

        assertThatThrownBy(this::registry)
                .isInstanceOf(ProfileException.class)
                .hasMessageContaining("rpc-plain.yaml")
                .hasMessageContaining("roles.solver: endpoint 'plain' lacks logprobs");
    }

    @Test
    void moreThanTheLargestConfigurableBreadthIsRefused() throws IOException {
        Files.writeString(dir.resolve("wide.yaml"), "strategy: rpc\nroles:\n  solver: local\nparams:\n  n: 1025\n");

        assertThatThrownBy(this::registry).hasMessageContaining("wide.yaml").hasMessageContaining("params.n");
    }

    @Test
    void pruningCanBeTurnedOff() throws IOException {
        Files.writeString(
                dir.resolve("pc.yaml"), "strategy: rpc\nroles:\n  solver: local\nparams:\n  pruning: false\n");

        assertThat(((RpcParameters) registry().profile("pc").orElseThrow().parameters()).pruning())
                .isFalse();
    }
}
