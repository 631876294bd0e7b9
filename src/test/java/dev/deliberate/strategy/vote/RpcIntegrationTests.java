package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.api.ApiIntegrationTest;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The shipped {@code rpc} profile through both APIs, against the fake backend with per-choice logprobs. */
class RpcIntegrationTests extends ApiIntegrationTest {

    /** Eight paths and their probabilities: "5" is the majority, but three of its paths are unlikely. */
    private static final Map<String, Double> PATHS = Map.of(
            "2+2 is 4. The answer is 4.", 0.91,
            "Two and two make 4. The answer is 4.", 0.93,
            "Adding gives 4. The answer is 4.", 0.92,
            "I get 5. The answer is 5.", 0.94,
            "Maybe 5. The answer is 5.", 0.90,
            "Hmm, 5? The answer is 5.", 0.35,
            "Guessing 5. The answer is 5.", 0.40,
            "Perhaps 5 then. The answer is 5.", 0.30);

    private static final List<String> ORDER = List.of(
            "2+2 is 4. The answer is 4.",
            "Two and two make 4. The answer is 4.",
            "Adding gives 4. The answer is 4.",
            "I get 5. The answer is 5.",
            "Maybe 5. The answer is 5.",
            "Hmm, 5? The answer is 5.",
            "Guessing 5. The answer is 5.",
            "Perhaps 5 then. The answer is 5.");

    /** Every token of a path has logprob ln p, so the path's exp(mean logprob) is p. */
    private static Reply paths() {
        return Reply.texts(ORDER.toArray(String[]::new)).logprob((text, token) -> Math.log(PATHS.get(text)));
    }

    private JsonNode post(String uri, Object body, int status) {
        return new JsonRequests(client).post(uri, body, status);
    }

    @Test
    void chatCompletionsSamplesOnceWithLogprobsAndReturnsTheLikelyAnswer() {
        BACKEND.defaultReply(paths());

        JsonNode reply = post(
                "/v1/chat/completions",
                Map.of("model", "rpc", "messages", List.of(Map.of("role", "user", "content", "What is 2+2?"))),
                200);

        JsonNode deliberate = reply.path("deliberate");
        assertThat(deliberate.path("strategy").asString()).isEqualTo("rpc");
        assertThat(deliberate.path("answer").asString()).isEqualTo("4");
        assertThat(deliberate.path("confidence").asDouble()).isCloseTo(2.76 / 4.60, within(1e-9));
        assertThat(deliberate.path("model_calls").asInt()).isEqualTo(1);
        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("Two and two make 4. The answer is 4.");
        assertThat(BACKEND.calls()).isEqualTo(1);
        JsonNode sent = BACKEND.lastRequest().body();
        assertThat(sent.path("n").asInt()).isEqualTo(8);
        assertThat(sent.path("logprobs").asBoolean()).isTrue();
        assertThat(sent.path("temperature").asDouble()).isEqualTo(1.0);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(1.0);
    }

    @Test
    void reasonReturnsTheTraceWithEachSampleTheFitAndTheScores() {
        BACKEND.defaultReply(paths());

        JsonNode run = post(
                "/v1/reason",
                Map.of("profile", "rpc", "problem", Map.of("text", "What is 2+2?", "kind", "math"), "seed", 7),
                200);

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("4");
        assertThat(run.path("notes").path("pruned").asInt()).isEqualTo(3);
        assertThat(run.path("notes").path("samples").asInt()).isEqualTo(8);
        JsonNode steps = run.path("trace").path("steps");
        // run, the one n=8 call, a step per sample with its p, the vote
        assertThat(steps).hasSize(11);
        assertThat(steps.get(1).path("kind").asString()).isEqualTo("generate");
        for (int i = 0; i < 8; i++) {
            JsonNode sample = steps.get(2 + i).path("notes");
            assertThat(sample.path("index").asInt()).isEqualTo(i);
            assertThat(sample.path("p").asDouble())
                    .isCloseTo(PATHS.get(ORDER.get(i)), org.assertj.core.data.Offset.offset(1e-9));
        }
        JsonNode vote = steps.get(10);
        assertThat(vote.path("kind").asString()).isEqualTo("vote");
        assertThat(vote.path("name").asString()).isEqualTo("perplexity");
        JsonNode notes = vote.path("notes");
        assertThat(notes.path("winner").asString()).isEqualTo("4");
        assertThat(notes.path("samples")).hasSize(8);
        assertThat(notes.path("samples").get(0).path("p").asDouble()).isCloseTo(0.91, within(1e-9));
        assertThat(notes.path("samples").get(0).path("answer").asString()).isEqualTo("4");
        assertThat(notes.path("samples").findValuesAsString("pruned"))
                .containsExactly("false", "false", "false", "false", "false", "true", "true", "true");
        assertThat(notes.path("fit").path("w").isNumber()).isTrue();
        assertThat(notes.path("fit").path("high_mean").asDouble())
                .isGreaterThan(notes.path("fit").path("low_mean").asDouble());
        assertThat(notes.path("scores").path("4").asDouble()).isCloseTo(2.76, within(1e-9));
        assertThat(notes.path("scores").path("5").asDouble()).isCloseTo(1.84, within(1e-9));
    }

    @Test
    void aBackendThatLeavesOutLogprobsFailsTheRunNamingTheEndpoint() {
        BACKEND.defaultReply(paths());
        BACKEND.logprobs(false);

        JsonNode error = post(
                        "/v1/reason",
                        Map.of("profile", "rpc", "problem", Map.of("text", "What is 2+2?", "kind", "math")),
                        502)
                .path("error");

        assertThat(error.path("code").asString()).isEqualTo("backend_bad_reply");
        assertThat(error.path("message").asString()).startsWith("local: returned no token logprobs for any of 8");
        assertThat(BACKEND.calls()).isEqualTo(1);
    }
}
