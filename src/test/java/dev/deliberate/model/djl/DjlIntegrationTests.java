package dev.deliberate.model.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service with its {@code local} endpoint of kind {@code djl} on the tiny model: the shipped {@code direct}
 * profile answers through {@code /v1/chat/completions}, with BlockHound watching the whole path.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "20s")
class DjlIntegrationTests {

    @Autowired
    WebTestClient client;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.kind", () -> "djl");
        registry.add(
                "deliberate.endpoints.local.model-dir",
                () -> TinyModel.directory().toString());
        registry.add("deliberate.endpoints.local.model", () -> "tiny");
    }

    @Test
    void theDirectProfileAnswersFromTheInProcessModel() {
        Map<String, Object> body = Map.of(
                "model",
                "direct",
                "max_tokens",
                6,
                "temperature",
                0,
                "messages",
                List.of(Map.of("role", "user", "content", "one plus two")));

        client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.choices[0].finish_reason")
                .isEqualTo("length")
                .jsonPath("$.choices[0].message.content")
                .value(content -> assertThat(((String) content).split(" ")).hasSize(6))
                .jsonPath("$.usage.prompt_tokens")
                .isEqualTo(5)
                .jsonPath("$.usage.completion_tokens")
                .isEqualTo(6)
                .jsonPath("$.deliberate.strategy")
                .isEqualTo("direct")
                .jsonPath("$.deliberate.model_calls")
                .isEqualTo(1);
    }

    @Test
    void aStreamedAnswerArrivesAsChunksEndingInDone() {
        Map<String, Object> body = Map.of(
                "model",
                "direct",
                "max_tokens",
                4,
                "stream",
                true,
                "messages",
                List.of(Map.of("role", "user", "content", "three")));

        List<String> events = client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(events).anySatisfy(event -> assertThat(event).contains("\"finish_reason\":\"length\""));
    }
}
