package dev.deliberate.strategy.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.JsonRequests;
import dev.deliberate.testkit.synthetic.SyntheticModel;
import dev.deliberate.testkit.synthetic.SyntheticProblem;
import dev.deliberate.testkit.synthetic.SyntheticSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The shipped {@code cascade} profile as shipped ({@code adaptive} locally, {@code server} remotely) over HTTP, with
 * the synthetic model behind the local fake and its stronger twin behind the server fake: each answer is escalated
 * exactly when the local self-evaluation says so, and comes from the model the notes name.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "20s")
class CascadeSyntheticIntegrationTests {

    private static final SyntheticModel LOCAL_MODEL = SyntheticModel.of(
            "local", SyntheticSettings.builder().problems(12).seed(3).build());
    private static final SyntheticModel SERVER_MODEL = LOCAL_MODEL.stronger("server", 3.0);
    private static final FakeOpenAiServer LOCAL = FakeOpenAiServer.start().defaultReply(LOCAL_MODEL.reply());
    private static final FakeOpenAiServer SERVER = FakeOpenAiServer.start().defaultReply(SERVER_MODEL.reply());

    @Autowired
    WebTestClient client;

    @BeforeEach
    void freshConnections() {
        client = JsonRequests.freshConnections(client);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        for (var endpoint : Map.of("local", LOCAL, "server", SERVER).entrySet()) {
            String prefix = "deliberate.endpoints." + endpoint.getKey();
            registry.add(prefix + ".kind", () -> "openai");
            registry.add(prefix + ".base-url", endpoint.getValue()::baseUrl);
            registry.add(prefix + ".model", () -> endpoint.getKey() + "-model");
            // The synthetic model answers only its own problems, so a probe would fail: say what it can do.
            registry.add(prefix + ".capabilities.multiple-choices", () -> "true");
            registry.add(prefix + ".capabilities.logprobs", () -> "true");
            registry.add(prefix + ".capabilities.max-top-logprobs", () -> "20");
        }
    }

    @AfterAll
    static void stop() {
        LOCAL.close();
        SERVER.close();
    }

    @Test
    void escalatesExactlyTheLocalAnswersItsSelfEvaluationDoubts() {
        int escalated = 0;
        for (SyntheticProblem problem : LOCAL_MODEL.problems()) {
            JsonNode info = chat(problem.question()).path("deliberate");
            JsonNode notes = info.path("notes");
            double localConfidence = notes.path("local_confidence").asDouble();

            assertThat(notes.path("escalated").asBoolean())
                    .as("problem %d, local confidence %s", problem.id(), localConfidence)
                    .isEqualTo(localConfidence < 0.6);
            if (notes.path("escalated").asBoolean()) {
                escalated++;
                assertThat(notes.path("escalation_reason").asString()).isEqualTo("low_confidence");
                assertThat(notes.path("answered_by").asString()).isEqualTo("server");
            } else {
                assertThat(info.path("answer").asString())
                        .isEqualTo(notes.path("local_answer").asString());
                assertThat(info.path("confidence").asDouble()).isEqualTo(localConfidence);
            }
        }

        assertThat(escalated).isBetween(1, LOCAL_MODEL.problems().size() - 1);
        assertThat(SERVER.calls()).isEqualTo(escalated);
        assertThat(LOCAL_MODEL.selfEvaluations())
                .isGreaterThanOrEqualTo(LOCAL_MODEL.problems().size());
    }

    @Test
    void theNativeApiShowsTheLocalRunAndTheEscalationInTheTrace() {
        SyntheticProblem problem = LOCAL_MODEL.problems().get(0);

        JsonNode reply = post(
                "/v1/reason",
                Map.of("profile", "cascade", "problem", Map.of("text", problem.question(), "kind", "math")));

        List<String> kinds = reply.path("trace")
                .path("steps")
                .valueStream()
                .map(step -> step.path("kind").asString())
                .toList();
        assertThat(kinds).contains("run", "generate", "evaluate");
        boolean escalated = reply.path("notes").path("escalated").asBoolean();
        assertThat(kinds.contains("escalate")).isEqualTo(escalated);
    }

    private JsonNode chat(String content) {
        return post(
                "/v1/chat/completions",
                Map.of("model", "cascade", "messages", List.of(Map.of("role", "user", "content", content))));
    }

    private JsonNode post(String uri, Object body) {
        return new JsonRequests(client).post(uri, body);
    }
}
