package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.time.Duration;
import java.util.ArrayList;
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
 * The shipped {@code adaptive} and {@code prune} profiles end to end. The fake backend answers the one-token
 * self-evaluation with "No" (s = 0) for a response that starts with "Right" and "Yes" (s = 1) otherwise: its top
 * alternatives list the token itself first and made-up tokens after it, so only one of Yes and No is ever present.
 *
 * <p>Its own application and backend rather than {@link ApiIntegrationTest}'s: eight concurrent streams leave the
 * service's connection pool holding idle connections to the backend for seconds, which tests that count the shared
 * backend's open connections would see.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "20s")
class SelfEvaluationIntegrationTests {

    private static final FakeOpenAiServer BACKEND = FakeOpenAiServer.start();

    @Autowired
    WebTestClient client;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", BACKEND::baseUrl);
        registry.add("deliberate.endpoints.local.model", () -> "fake-model");
        registry.add("deliberate.endpoints.local.timeouts.total", () -> "5s");
        registry.add("deliberate.endpoints.local.retry.initial-backoff", () -> "10ms");
    }

    @BeforeEach
    void resetBackend() {
        BACKEND.reset();
    }

    @AfterAll
    static void stopBackend() {
        BACKEND.close();
    }

    private static final String RIGHT = "Right: 3 times 4 is 12. The answer is 12.";
    private static final String WRONG = "Hmm, 3 times 4 is 13. The answer is 13.";

    private JsonNode post(String uri, Object body) {
        return new JsonRequests(client).post(uri, body);
    }

    private static Map<String, Object> chat(String model) {
        return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "What is 3 times 4?")));
    }

    private static Map<String, Object> reason(String profile) {
        return Map.of("profile", profile, "problem", Map.of("text", "What is 3 times 4?", "kind", "math"), "seed", 7);
    }

    private static boolean isScore(JsonNode request) {
        return request.path("max_tokens").asInt() == 1;
    }

    /** Scores a response by its first word: "Right" says No (s = 0), anything else Yes (s = 1). */
    private static void scoreByFirstWord() {
        BACKEND.reply(SelfEvaluationIntegrationTests::isScore, Reply.text((request, choice, call) -> {
            JsonNode messages = request.path("messages");
            String response = messages.get(messages.size() - 2).path("content").asString();
            return response.startsWith("Right") ? "No" : "Yes";
        }));
    }

    private static String padded(String head, int words, String tail) {
        StringBuilder text = new StringBuilder(head);
        for (int i = 0; i < words; i++) {
            text.append(" step").append(i);
        }
        return text.append(' ').append(tail).toString();
    }

    private static List<JsonNode> steps(JsonNode run, String kind) {
        List<JsonNode> found = new ArrayList<>();
        run.path("trace").path("steps").forEach(step -> {
            if (step.path("kind").asString().equals(kind)) {
                found.add(step);
            }
        });
        return found;
    }

    @Test
    void adaptiveSamplesUntilTheSelfEvaluationSaysStopThroughChatCompletions() {
        scoreByFirstWord();
        BACKEND.defaultReply(Reply.texts(WRONG, RIGHT));

        JsonNode reply = post("/v1/chat/completions", chat("adaptive"));

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo(RIGHT);
        assertThat(reply.path("deliberate").path("answer").asString()).isEqualTo("12");
        assertThat(reply.path("deliberate").path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(reply.path("deliberate").path("model_calls").asInt()).isEqualTo(4);
        List<JsonNode> samples =
                BACKEND.requests().stream().filter(r -> !isScore(r)).toList();
        List<JsonNode> scores = BACKEND.requests().stream()
                .filter(SelfEvaluationIntegrationTests::isScore)
                .toList();
        assertThat(samples).extracting(r -> r.path("temperature").asDouble()).containsExactly(0.0, 0.3);
        assertThat(scores).hasSize(2).allSatisfy(score -> {
            assertThat(score.path("temperature").asDouble()).isEqualTo(0.0);
            assertThat(score.path("logprobs").asBoolean()).isTrue();
            assertThat(score.path("top_logprobs").asInt()).isEqualTo(5); // the probed maximum
            JsonNode messages = score.path("messages");
            assertThat(messages.get(messages.size() - 2).path("role").asString())
                    .isEqualTo("assistant");
            assertThat(messages.get(messages.size() - 1).path("content").asString())
                    .contains("Yes or No");
        });
    }

    @Test
    void adaptiveRecordsEverySampleAndScoreThroughReason() {
        scoreByFirstWord();
        BACKEND.defaultReply(Reply.texts(WRONG, RIGHT));

        JsonNode run = post("/v1/reason", reason("adaptive"));

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("12");
        assertThat(run.path("notes").path("samples").asInt()).isEqualTo(2);
        assertThat(run.path("notes").path("stop").asString()).isEqualTo("threshold");
        List<JsonNode> evaluations = steps(run, "evaluate");
        assertThat(evaluations)
                .extracting(step -> step.path("notes").path("score").asDouble())
                .containsExactly(1.0, 0.0);
        assertThat(steps(run, "generate"))
                .extracting(step -> step.path("name").asString())
                .containsExactly("solver", "evaluator", "solver", "evaluator");
        assertThat(steps(run, "generate").get(1).path("parent_id").asString())
                .isEqualTo(evaluations.get(0).path("id").asString());
    }

    /** Streams 2 and 6 of 8 open "Right" and end soon after the checkpoint; the others are long and "Wrong". */
    private static void eightStreams() {
        scoreByFirstWord();
        String right = padded("Right:", 75, "The answer is 12.");
        String wrong = padded("Wrong:", 300, "The answer is 13.");
        BACKEND.defaultReply(Reply.text((request, choice, call) -> call % 4 == 1 ? right : wrong)
                .drip(Duration.ofMillis(5)));
    }

    @Test
    void pruneCancelsTheWeakStreamsAndAnswersFromTheSurvivorsThroughReason() {
        eightStreams();

        JsonNode run = post("/v1/reason", reason("prune"));

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("12");
        assertThat(run.path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(run.path("notes").path("samples").asInt()).isEqualTo(8);
        assertThat(run.path("notes").path("pruned").asInt()).isEqualTo(6);
        // 8 streams, 8 checkpoint scores, 2 final scores
        assertThat(run.path("usage").path("model_calls").asInt()).isEqualTo(18);
        List<JsonNode> samples = steps(run, "group");
        assertThat(samples).hasSize(8);
        assertThat(samples.stream().filter(s -> s.path("notes").path("pruned").asBoolean()))
                .hasSize(6)
                .allMatch(s -> s.path("status").asString().equals("cancelled"));
        assertThat(steps(run, "stream"))
                .extracting(s -> s.path("status").asString())
                .containsOnly("ok", "cancelled")
                .filteredOn(status -> status.equals("cancelled"))
                .hasSize(6);
        assertThat(steps(run, "evaluate")).hasSize(10);
        assertThat(BACKEND.requests().stream().filter(r -> r.path("stream").asBoolean()))
                .hasSize(8);
    }

    @Test
    void pruneAnswersThroughChatCompletions() {
        eightStreams();

        JsonNode reply = post("/v1/chat/completions", chat("prune"));

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .startsWith("Right:")
                .endsWith("The answer is 12.");
        assertThat(reply.path("deliberate").path("strategy").asString()).isEqualTo("prune");
        assertThat(reply.path("deliberate").path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(reply.path("deliberate").path("model_calls").asInt()).isEqualTo(18);
    }
}
