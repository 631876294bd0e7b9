package dev.deliberate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Capabilities.Source;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.testkit.Eventually;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The endpoints' wiring: a backend down at startup is probed again in the background, and health shows the change. */
class EndpointConfigurationTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Configuration
    @EnableConfigurationProperties(DeliberateProperties.class)
    @Import(EndpointConfiguration.class)
    static class Endpoints {}

    private final FakeOpenAiServer server = FakeOpenAiServer.start();

    private ApplicationContextRunner runner(String... properties) {
        return new ApplicationContextRunner()
                .withUserConfiguration(Endpoints.class)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("deliberate.endpoints.local.base-url=" + server.baseUrl())
                .withPropertyValues("deliberate.embedded.enabled=false")
                .withPropertyValues(properties);
    }

    private static ApplicationContextRunner withoutLocalServer(String... properties) {
        return new ApplicationContextRunner()
                .withUserConfiguration(Endpoints.class)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("deliberate.endpoints.local.kind=openai")
                .withPropertyValues(properties);
    }

    @Test
    void localWithoutBaseUrlIsTheEmbeddedModelAndAConfiguredServerReplacesIt() {
        withoutLocalServer().run(context -> {
            EndpointRegistry endpoints = context.getBean(EndpointRegistry.class);

            assertThat(endpoints.all()).extracting(Endpoint::name).containsExactlyInAnyOrder("embedded", "local");
            assertThat(endpoints.find("local").orElseThrow().kind()).isEqualTo("djl");
            assertThat(endpoints.find("local").orElseThrow().model()).isEqualTo("deliberate-arithmetic");
        });

        runner("deliberate.embedded.enabled=true", "deliberate.probe.enabled=false")
                .run(context -> {
                    EndpointRegistry endpoints = context.getBean(EndpointRegistry.class);

                    assertThat(endpoints.find("embedded").orElseThrow().kind()).isEqualTo("djl");
                    assertThat(endpoints.find("local").orElseThrow().kind()).isEqualTo("openai");
                });
    }

    @Test
    void localWithoutBaseUrlFailsStartupWhenTheEmbeddedModelIsOff() {
        withoutLocalServer("deliberate.embedded.enabled=false").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessage("deliberate.endpoints.local.base-url: required for kind openai"
                            + " (or deliberate.embedded.enabled=true for the embedded model)");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void backendDownAtStartupIsProbedAgainAndHealthShowsIt() {
        AtomicBoolean down = new AtomicBoolean(true);
        server.reply(body -> down.get(), Reply.failing(Fault.HTTP_ERROR).status(503));

        runner("deliberate.probe.retry-interval=100ms").run(context -> {
            Endpoint local =
                    context.getBean(EndpointRegistry.class).find("local").orElseThrow();
            EndpointsHealthIndicator health = new EndpointsHealthIndicator(context.getBean(EndpointRegistry.class));
            assertThat(local.capabilities()).isEqualTo(Capabilities.assumedMinimal());
            assertThat(capabilitiesInHealth(health)).containsEntry("source", "assumed");

            down.set(false);
            Eventually.await(() -> local.capabilities().source() == Source.PROBED, WAIT, "capabilities to be probed");

            assertThat(local.capabilities()).isEqualTo(new Capabilities(true, true, 5, Source.PROBED));
            assertThat(capabilitiesInHealth(health))
                    .containsEntry("source", "probed")
                    .containsEntry("multiple_choices", true);
        });
    }

    @Test
    void zeroRetryIntervalLeavesAssumedCapabilitiesAlone() {
        server.defaultReply(Reply.failing(Fault.HTTP_ERROR).status(503));

        runner("deliberate.probe.retry-interval=0s").run(context -> {
            Endpoint local =
                    context.getBean(EndpointRegistry.class).find("local").orElseThrow();
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());

            assertThat(server.calls()).isEqualTo(1);
            assertThat(local.capabilities()).isEqualTo(Capabilities.assumedMinimal());
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> capabilitiesInHealth(EndpointsHealthIndicator health) {
        Map<String, Object> local =
                (Map<String, Object>) health.health().getDetails().get("local");
        return (Map<String, Object>) local.get("capabilities");
    }
}
