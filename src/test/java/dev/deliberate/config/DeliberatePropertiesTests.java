package dev.deliberate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.EndpointSettings;
import java.net.URI;
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
}
