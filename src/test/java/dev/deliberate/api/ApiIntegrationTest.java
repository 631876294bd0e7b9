package dev.deliberate.api;

import dev.deliberate.testkit.FakeOpenAiServer;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

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

    /**
     * A new connection for every request. Twice in full-suite runs (never in isolation, 600 tries) a GET got no
     * response for 20 s. The test clients of every cached context share Reactor Netty's global connection pool, and
     * the likeliest cause is that pool running dry on connections that earlier streaming tests left held; whatever
     * the cause, no test here now depends on a connection another test used.
     */
    @BeforeEach
    void freshConnections() {
        client = client.mutate()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.newConnection()))
                .build();
    }
}
