package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.testkit.JsonRequests;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The service as a new user starts it: no endpoint configured (application.yaml's {@code local} has no base-url), so
 * the shipped profiles answer from the embedded model. Only the test-wide switch that keeps the model out of other
 * tests' contexts is turned back on.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "deliberate.embedded.enabled=true")
@AutoConfigureWebTestClient(timeout = "30s")
class EmbeddedDefaultIntegrationTests {

    @Autowired
    WebTestClient client;

    @Autowired
    EndpointRegistry endpoints;

    @Test
    void localIsTheEmbeddedModelWhenNoServerIsConfigured() {
        assertThat(endpoints.find("embedded").orElseThrow().model()).isEqualTo("deliberate-arithmetic");
        assertThat(endpoints.find("local").orElseThrow().kind()).isEqualTo("djl");
        assertThat(endpoints.find("local").orElseThrow().model()).isEqualTo("deliberate-arithmetic");
    }

    @Test
    void theDirectProfileAnswersGreedilyFromTheEmbeddedModel() {
        JsonNode response = chat("direct", Map.of("temperature", 0));

        // Greedy, as the model card shows it (docs/embedded-model.md).
        assertThat(response.path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asString())
                .isEqualTo(" 25 times 3 is 75.\n17 plus 75 is 92.\nThe answer is 92.");
        assertThat(response.path("choices").path(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(response.path("deliberate").path("model_calls").asInt()).isEqualTo(1);
    }

    @Test
    void selfConsistencyVotesOverSamplesOfTheEmbeddedModel() {
        JsonNode response = chat("self-consistency", Map.of());

        JsonNode info = response.path("deliberate");
        assertThat(info.path("strategy").asString()).isEqualTo("self-consistency");
        // The five samples come from one call with n=5, decoded as one batch.
        assertThat(info.path("model_calls").asInt()).isEqualTo(1);
        assertThat(info.path("answer").asString()).matches("\\d+");
        assertThat(response.path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asString())
                .endsWith("The answer is " + info.path("answer").asString() + ".");
        assertThat(response.path("usage").path("completion_tokens").asInt()).isGreaterThan(5 * 10);
    }

    private JsonNode chat(String profile, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("model", profile);
        body.put("messages", List.of(Map.of("role", "user", "content", "What is 17 plus 25 times 3?")));
        return new JsonRequests(client).post("/v1/chat/completions", body);
    }
}
