package dev.deliberate.api;

import dev.deliberate.testkit.FakeOpenAiServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With API keys configured, {@code /v1/**} needs one; health stays open for probes. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ApiKeyIntegrationTests {

    private static final FakeOpenAiServer BACKEND = FakeOpenAiServer.start();

    @Autowired
    WebTestClient client;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", BACKEND::baseUrl);
        registry.add("deliberate.security.api-keys", () -> "key-one,key-two");
    }

    @AfterAll
    static void stop() {
        BACKEND.close();
    }

    @Test
    void requestsWithoutAValidKeyGet401InTheOpenAiShape() {
        client.get()
                .uri("/v1/models")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("authentication_error")
                .jsonPath("$.error.code")
                .isEqualTo("invalid_api_key");
        client.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer key-three")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "direct", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void aValidKeyIsAcceptedAndHealthNeedsNone() {
        client.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer key-two")
                .exchange()
                .expectStatus()
                .isOk();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }
}
