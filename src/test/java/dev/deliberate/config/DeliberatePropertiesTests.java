package dev.deliberate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.EndpointSettings;
import dev.deliberate.sandbox.SandboxSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

class DeliberatePropertiesTests {

    @Configuration
    @EnableConfigurationProperties(DeliberateProperties.class)
    static class Bound {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Bound.class);

    @Test
    void oneBaseUrlIsEnoughForAnEndpointAndEverythingElseHasDefaults() {
        runner.withPropertyValues("deliberate.endpoints.local.base-url=http://127.0.0.1:9000/v1")
                .run(context -> {
                    DeliberateProperties properties = context.getBean(DeliberateProperties.class);
                    EndpointSettings local = properties.endpoints().get("local");

                    assertThat(local.kind()).isEqualTo("openai");
                    assertThat(local.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:9000/v1"));
                    assertThat(local.maxConcurrency()).isEqualTo(64);
                    assertThat(local.timeouts().firstByte()).isEqualTo(Duration.ofSeconds(120));
                    assertThat(local.retry().maxAttempts()).isEqualTo(3);
                    assertThat(local.capabilities().complete()).isFalse();
                    assertThat(properties.limits().maxBody()).isEqualTo(DataSize.ofMegabytes(1));
                    assertThat(properties.runs().storeSize()).isEqualTo(1000);
                    assertThat(properties.security().apiKeys()).isEmpty();
                    assertThat(properties.probe().retryInterval()).isEqualTo(Duration.ofSeconds(30));
                });
    }

    @Test
    void bindsNestedSettingsAndMasksKeys() {
        runner.withPropertyValues(
                        "deliberate.endpoints.server.kind=langchain4j-anthropic",
                        "deliberate.endpoints.server.model=claude-x",
                        "deliberate.endpoints.server.api-key=sk-canary-secret",
                        "deliberate.endpoints.server.timeouts.idle=7s",
                        "deliberate.endpoints.server.capabilities.logprobs=false",
                        "deliberate.endpoints.server.breaker.minimum-calls=3",
                        "deliberate.limits.max-model-calls=12",
                        "deliberate.security.api-keys=k1,k2",
                        "deliberate.probe.retry-interval=250ms")
                .run(context -> {
                    DeliberateProperties properties = context.getBean(DeliberateProperties.class);
                    EndpointSettings server = properties.endpoints().get("server");

                    assertThat(server.kind()).isEqualTo("langchain4j-anthropic");
                    assertThat(server.apiKey().value()).isEqualTo("sk-canary-secret");
                    assertThat(server.toString()).doesNotContain("sk-canary-secret");
                    assertThat(server.timeouts().idle()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(server.capabilities().logprobs()).isFalse();
                    assertThat(server.breaker().minimumCalls()).isEqualTo(3);
                    assertThat(properties.limits().budgetCaps().maxModelCalls()).isEqualTo(12);
                    assertThat(properties.security().apiKeys()).hasSize(2);
                    assertThat(properties.probe().retryInterval()).isEqualTo(Duration.ofMillis(250));
                    assertThat(properties.toString()).doesNotContain("k1").doesNotContain("sk-canary");
                });
    }

    @Test
    void bindsTheModelDirectoryOfADjlEndpoint() {
        runner.withPropertyValues(
                        "deliberate.endpoints.local.kind=djl", "deliberate.endpoints.local.model-dir=/models/arith")
                .run(context -> {
                    EndpointSettings local = context.getBean(DeliberateProperties.class)
                            .endpoints()
                            .get("local");

                    assertThat(local.kind()).isEqualTo(EndpointSettings.DJL);
                    assertThat(local.modelDir()).isEqualTo(Path.of("/models/arith"));
                    assertThat(local.baseUrl()).isNull();
                });
    }

    @Test
    void bindsTheSandboxWithDefaults() {
        runner.withPropertyValues(
                        "deliberate.sandbox.max-concurrent=3",
                        "deliberate.sandbox.memory=256MB",
                        "deliberate.sandbox.cpu=4s",
                        "deliberate.sandbox.output-cap=32KB")
                .run(context -> {
                    SandboxSettings settings = context.getBean(DeliberateProperties.class)
                            .sandbox()
                            .settings();

                    assertThat(settings.enabled()).isTrue();
                    assertThat(settings.maxConcurrent()).isEqualTo(3);
                    assertThat(settings.memoryBytes()).isEqualTo(256L << 20);
                    assertThat(settings.cpu()).isEqualTo(Duration.ofSeconds(4));
                    assertThat(settings.outputCapBytes()).isEqualTo(32 << 10);
                    assertThat(settings.python()).isEqualTo(Path.of("/usr/bin/python3"));
                    assertThat(settings.uid()).isEqualTo(65534);
                    assertThat(settings.maxQueued()).isEqualTo(64);
                    assertThat(settings.tmpfsBytes()).isEqualTo(16L << 20);
                    assertThat(settings.maxWall()).isEqualTo(Duration.ofSeconds(60));
                });
    }

    @Test
    void refusesASandboxWithoutAnUnprivilegedUidPerBox() {
        runner.withPropertyValues("deliberate.sandbox.uid=1", "deliberate.sandbox.max-concurrent=2")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessage("deliberate.sandbox.uid 1 leaves no non-root uid for 2 boxes"));
    }
}
