package dev.deliberate.strategy.agot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.api.ApiIntegrationTest;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The shipped {@code agot} and {@code agot-rpc} profiles through both APIs, against the fake backend. */
class AgotIntegrationTests extends ApiIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One initial task that is simple, then a final task over it. */
    private static Reply graph() {
        return Reply.text((request, choice, call) -> {
            JsonNode messages = request.path("messages");
            String prompt = messages.get(messages.size() - 1).path("content").asString();
            return switch (AgotModel.role(prompt)) {
                case INITIAL -> AgotModel.tasks("Multiply");
                case COMPLEXITY -> AgotModel.verdict(false);
                case EXECUTE -> AgotModel.result("6 times 7 is 42");
                case NEW_TASKS -> AgotModel.finalTask("0");
                case FINAL -> "Node 0 found it. The answer is 42.";
                default -> "The answer is 42.";
            };
        });
    }

    private JsonNode post(String uri, Object body, int status) {
        return new JsonRequests(client).post(uri, body, status);
    }

    @Test
    void chatCompletionsAnswersThroughTheGraph() {
        BACKEND.defaultReply(graph());

        JsonNode reply = post(
                "/v1/chat/completions",
                Map.of("model", "agot", "messages", List.of(Map.of("role", "user", "content", "What is 6 times 7?"))),
                200);

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("Node 0 found it. The answer is 42.");
        assertThat(reply.path("deliberate").path("strategy").asString()).isEqualTo("agot");
        // init, check, execute, plan, final
        assertThat(BACKEND.calls()).isEqualTo(5);
        assertThat(reply.path("deliberate").path("model_calls").asInt()).isEqualTo(5);
    }

    @Test
    void reasonReturnsATraceThatReconstructsTheGraph() {
        BACKEND.defaultReply(graph());

        JsonNode run = post(
                "/v1/reason",
                Map.of("profile", "agot", "problem", Map.of("text", "What is 6 times 7?", "kind", "math")),
                200);

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("42");
        List<String> shape = new ArrayList<>();
        for (JsonNode step : run.path("trace").path("steps")) {
            shape.add(step.path("kind").asString() + ":" + step.path("name").asString());
        }
        assertThat(shape)
                .containsExactly(
                        "run:agot",
                        "decompose:initial-tasks",
                        "generate:solver",
                        "group:node",
                        "generate:solver",
                        "evaluate:execute",
                        "generate:solver",
                        "decompose:new-tasks",
                        "generate:solver",
                        "synthesize:final-task",
                        "synthesize:final",
                        "generate:solver");
        JsonNode node = run.path("trace").path("steps").get(3).path("notes");
        assertThat(node.path("id").asString()).isEqualTo("0");
        assertThat(node.path("layer").asInt()).isZero();
        assertThat(node.path("complex").asBoolean()).isFalse();
        assertThat(node.path("answer").asString()).isEqualTo("6 times 7 is 42");
    }

    @Test
    void agotRpcSolvesLeavesWithNestedRpcRuns() {
        BACKEND.defaultReply(graph());

        JsonNode run = post(
                "/v1/reason",
                Map.of("profile", "agot-rpc", "problem", Map.of("text", "What is 6 times 7?", "kind", "math")),
                200);

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("42");
        int nested = 0;
        for (JsonNode step : run.path("trace").path("steps")) {
            if (step.path("kind").asString().equals("run")
                    && step.path("name").asString().equals("rpc")) {
                nested++;
            }
        }
        assertThat(nested).isEqualTo(1);
        // init, check, one rpc request of 8 samples, plan, final
        assertThat(BACKEND.calls()).isEqualTo(5);
        assertThat(BACKEND.requests().stream().filter(r -> r.path("n").asInt(1) == 8))
                .hasSize(1);
    }

    @Test
    void reasonStreamsEachNodeWithItsPlaceInTheGraphAsItStarts() {
        BACKEND.defaultReply(graph());

        List<ServerSentEvent<String>> events = client.post()
                .uri("/v1/reason")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("profile", "agot", "problem", Map.of("text", "What is 6 times 7?", "kind", "math")))
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10));

        List<JsonNode> steps = events.stream()
                .filter(event -> "step".equals(event.event()))
                .map(event -> JSON.readTree(event.data()))
                .toList();
        JsonNode nodeStarted = steps.stream()
                .filter(step -> step.path("name").asString().equals("node")
                        && step.path("status").asString().equals("running"))
                .findFirst()
                .orElseThrow();
        assertThat(nodeStarted.path("notes").path("id").asString()).isEqualTo("0");
        assertThat(nodeStarted.path("notes").path("layer").asInt()).isZero();
        assertThat(nodeStarted.path("notes").path("depth").asInt()).isZero();
        assertThat(nodeStarted.path("notes").path("parents")).isEmpty();
        assertThat(nodeStarted.path("notes").path("answer").isMissingNode()).isTrue();
        assertThat(events.get(events.size() - 1).event()).isEqualTo("solution");
    }
}
