package dev.deliberate.api;

import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.JsonRequests;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The real service on a random port against one loopback fake backend. Every subclass shares this configuration, so
 * Spring starts the application once for all of them; the fake is reset before each test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "20s")
public abstract class ApiIntegrationTest {

    protected static final FakeOpenAiServer BACKEND = FakeOpenAiServer.start();

    @Autowired
    protected WebTestClient client;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", BACKEND::baseUrl);
        registry.add("deliberate.endpoints.local.model", () -> "fake-model");
        registry.add("deliberate.endpoints.local.api-key", () -> "sk-canary-0123456789");
        registry.add("deliberate.endpoints.local.timeouts.total", () -> "3s");
        registry.add("deliberate.endpoints.local.timeouts.first-byte", () -> "3s");
        registry.add("deliberate.endpoints.local.timeouts.idle", () -> "2s");
        registry.add("deliberate.endpoints.local.retry.initial-backoff", () -> "10ms");
        registry.add("deliberate.endpoints.local.retry.max-retry-after", () -> "2s");
        registry.add("deliberate.endpoints.local.breaker.window-size", () -> "1000");
        registry.add("deliberate.endpoints.local.breaker.minimum-calls", () -> "1000");
        registry.add("deliberate.limits.max-body", () -> "64KB");
        registry.add("deliberate.limits.max-messages", () -> "8");
        registry.add("deliberate.limits.stream-hold", () -> "1s");
    }

    @BeforeEach
    void resetBackend() {
        BACKEND.reset();
    }

    @BeforeEach
    void freshConnections() {
        client = JsonRequests.freshConnections(client);
    }
}
