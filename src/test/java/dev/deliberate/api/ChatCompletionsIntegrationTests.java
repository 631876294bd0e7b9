package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ChatCompletionsIntegrationTests extends ApiIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Map<String, Object> chat(String model, String content) {
        return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", content)));
    }

    private JsonNode post(Object body, int status) {
        return new JsonRequests(client).post("/v1/chat/completions", body, status);
    }

    private List<String> stream(Object body) {
        return client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(String.class)
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(15));
    }

    @Test
    void listsTheShippedProfilesAsModels() {
        JsonNode models = JSON.readTree(client.get()
                .uri("/v1/models")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());

        assertThat(models.path("object").asString()).isEqualTo("list");
        assertThat(models.path("data").findValuesAsString("id")).contains("direct", "self-consistency");
        assertThat(models.path("data").get(0).path("object").asString()).isEqualTo("model");
    }

    @Test
    void directPassesTheConversationToTheBackendAndReportsUsage() {
        BACKEND.defaultReply(Reply.texts("Paris is the capital."));

        JsonNode reply = post(
                Map.of(
                        "model",
                        "direct",
                        "temperature",
                        0.1,
                        "max_tokens",
                        40,
                        "messages",
                        List.of(
                                Map.of("role", "system", "content", "Answer briefly."),
                                Map.of("role", "user", "content", "Capital of France?"))),
                200);

        assertThat(reply.path("object").asString()).isEqualTo("chat.completion");
        assertThat(reply.path("model").asString()).isEqualTo("direct");
        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("Paris is the capital.");
        assertThat(reply.path("choices").get(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(reply.path("usage").path("completion_tokens").asLong()).isEqualTo(4);
        assertThat(reply.path("usage").path("total_tokens").asLong())
                .isEqualTo(reply.path("usage").path("prompt_tokens").asLong() + 4);
        JsonNode deliberate = reply.path("deliberate");
        assertThat(deliberate.path("profile").asString()).isEqualTo("direct");
        assertThat(deliberate.path("strategy").asString()).isEqualTo("direct");
        assertThat(deliberate.path("model_calls").asInt()).isEqualTo(1);
        assertThat(deliberate.path("truncated").asBoolean()).isFalse();
        assertThat(deliberate.path("run_id").asString()).startsWith("run-");
        assertThat(reply.path("id").asString())
                .isEqualTo("chatcmpl-" + deliberate.path("run_id").asString().substring(4));

        JsonNode sent = BACKEND.lastRequest().body();
        assertThat(sent.path("model").asString()).isEqualTo("fake-model");
        assertThat(sent.path("messages")).hasSize(2);
        assertThat(sent.path("messages").get(0).path("content").asString()).isEqualTo("Answer briefly.");
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.1);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(40);
        assertThat(BACKEND.lastRequest().header("authorization")).isEqualTo("Bearer sk-canary-0123456789");
    }

    @Test
    void selfConsistencySamplesOnceWithNAndReturnsTheMajority() {
        BACKEND.defaultReply(Reply.texts(
                "17 + 75 = 92. The answer is 92.",
                "The answer is 92.",
                "I get 91. The answer is 91.",
                "So 92. The answer is 92.",
                "The answer is 90."));

        JsonNode reply = post(chat("self-consistency", "What is 17 plus 25 times 3?"), 200);

        assertThat(reply.path("deliberate").path("answer").asString()).isEqualTo("92");
        assertThat(reply.path("deliberate").path("confidence").asDouble()).isEqualTo(0.6);
        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("17 + 75 = 92. The answer is 92.");
        assertThat(BACKEND.calls()).isEqualTo(1);
        assertThat(BACKEND.lastRequest().body().path("n").asInt()).isEqualTo(5);
        assertThat(reply.path("deliberate").path("model_calls").asInt()).isEqualTo(1);
    }

    @Test
    void streamsStandardChunksWithProgressThenTheAnswerThenDone() {
        BACKEND.defaultReply(Reply.texts("The answer is 4."));

        List<String> events = stream(Map.of(
                "model",
                "self-consistency",
                "stream",
                true,
                "stream_options",
                Map.of("include_usage", true),
                "messages",
                List.of(Map.of("role", "user", "content", "2+2?"))));

        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream()
                .map(JSON::readTree)
                .toList();
        assertThat(chunks).allMatch(c -> c.path("object").asString().equals("chat.completion.chunk"));
        assertThat(chunks.stream().map(c -> c.path("id").asString()).distinct()).hasSize(1);
        String runId = finishOf(chunks).path("deliberate").path("run_id").asString();
        assertThat(chunks.get(0).path("id").asString()).isEqualTo("chatcmpl-" + runId.substring("run-".length()));
        assertThat(chunks.get(0)
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("role")
                        .asString())
                .isEqualTo("assistant");
        String reasoning = chunks.stream()
                .map(c -> c.path("choices")
                        .path(0)
                        .path("delta")
                        .path("reasoning_content")
                        .asString(""))
                .reduce("", String::concat);
        assertThat(reasoning).contains("[generate] solver on local ×5").contains("[vote] majority: 4");
        String content = chunks.stream()
                .map(c ->
                        c.path("choices").path(0).path("delta").path("content").asString(""))
                .reduce("", String::concat);
        assertThat(content).isEqualTo("The answer is 4.");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.path("choices").get(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(finish.path("deliberate").path("answer").asString()).isEqualTo("4");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("completion_tokens").asLong()).isEqualTo(20);
    }

    @Test
    void rejectsBadRequestsBeforeAnyBackendCall() {
        assertError(post(Map.of("messages", List.of(Map.of("role", "user", "content", "x"))), 400), "model");
        assertError(post(Map.of("model", "direct"), 400), "messages");
        assertError(post(Map.of("model", "direct", "messages", List.of()), 400), "messages");
        assertError(
                post(Map.of("model", "direct", "messages", List.of(Map.of("role", "robot", "content", "x"))), 400),
                "messages[0].role");
        assertError(
                post(
                        Map.of("model", "direct", "n", 3, "messages", List.of(Map.of("role", "user", "content", "x"))),
                        400),
                "n");
        assertError(
                post(
                        Map.of(
                                "model",
                                "direct",
                                "temperature",
                                5,
                                "messages",
                                List.of(Map.of("role", "user", "content", "x"))),
                        400),
                "temperature");
        assertError(
                post(
                        Map.of(
                                "model",
                                "direct",
                                "api_base",
                                "http://evil.example",
                                "messages",
                                List.of(Map.of("role", "user", "content", "x"))),
                        400),
                "api_base");
        assertError(
                post(
                        Map.of(
                                "model",
                                "direct",
                                "messages",
                                List.of(Map.of("role", "user", "content", "x", "base_url", "http://evil.example"))),
                        400),
                "messages[0].base_url");
        assertError(
                post(
                        Map.of(
                                "model",
                                "direct",
                                "deliberate",
                                Map.of("budget", Map.of("max_model_calls", 100000)),
                                "messages",
                                List.of(Map.of("role", "user", "content", "x"))),
                        400),
                "deliberate.budget.max_model_calls");
        assertError(
                post(
                        Map.of(
                                "model",
                                "direct",
                                "messages",
                                Collections.nCopies(9, Map.of("role", "user", "content", "x"))),
                        400),
                "messages");

        JsonNode unknown = post(chat("no-such-profile", "x"), 404);
        assertThat(unknown.path("error").path("code").asString()).isEqualTo("model_not_found");
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void malformedJsonAndOversizedBodiesGetClearErrors() {
        JsonNode malformed = post("{\"model\": \"direct\", \"messages\": [", 400);
        assertThat(malformed.path("error").path("type").asString()).isEqualTo("invalid_request_error");

        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        JsonNode nested =
                post("{\"model\": \"direct\", \"messages\": [{\"role\": \"user\", \"content\": " + deep + "}]}", 400);
        assertThat(nested.path("error").path("type").asString()).isEqualTo("invalid_request_error");

        String huge = "x".repeat(70_000);
        JsonNode tooLarge = post(chat("direct", huge), 413);
        assertThat(tooLarge.path("error").path("code").asString()).isEqualTo("request_too_large");
        assertThat(BACKEND.calls()).isZero();
    }

    private static JsonNode finishOf(List<JsonNode> chunks) {
        return chunks.stream()
                .filter(c -> c.path("deliberate").isObject())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void acceptsOpenAiFieldsAtTheirNeutralValues() {
        BACKEND.defaultReply(Reply.texts("The answer is 4."));
        Map<String, Object> body = new LinkedHashMap<>(chat("direct", "2+2?"));
        body.putAll(Map.of(
                "frequency_penalty",
                0,
                "presence_penalty",
                0.0,
                "logprobs",
                false,
                "response_format",
                Map.of("type", "text"),
                "tools",
                List.of(),
                "tool_choice",
                "none",
                "metadata",
                Map.of("team", "ml"),
                "store",
                false,
                "reasoning_effort",
                "low",
                "user",
                "u-1"));
        body.put("parallel_tool_calls", true);
        body.put("service_tier", "auto");
        body.put("modalities", List.of("text"));

        JsonNode reply = post(body, 200);

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("The answer is 4.");
        assertThat(BACKEND.calls()).isEqualTo(1);
        assertThat(BACKEND.lastRequest().body().has("frequency_penalty")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
                    frequency_penalty | 0.5                                | is not supported
                    presence_penalty  | 3                                  | must be between -2 and 2
                    logprobs          | true                               | is not supported
                    top_logprobs      | 2                                  | is not supported
                    logit_bias        | {"50256": -100}                    | is not supported
                    response_format   | {"type": "json_object"}            | is not supported
                    tools             | [{"type": "function", "function": {"name": "f"}}] | tool calling is not offered
                    tool_choice       | "auto"                             | only "none" is accepted
                    modalities        | ["text", "audio"]                  | only "text" is produced
                    reasoning_effort  | "extreme"                          | must be one of none, minimal, low, medium, high, xhigh
                    tools             | "x"                                | tool calling is not offered
                    logit_bias        | 5                                  | is not supported
                    modalities        | "audio"                            | must be an array of strings
                    """)
    void refusesOpenAiFieldsAStrategyCannotHonourByName(String field, String json, String reason) {
        String body = "{\"model\": \"direct\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"" + field
                + "\": " + json + "}";

        JsonNode reply = post(body, 400);

        assertError(reply, field);
        assertThat(reply.path("error").path("message").asString()).contains(reason);
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void aReplyCutByMaxTokensFinishesWithLength() {
        BACKEND.defaultReply(Reply.texts("one two three four five six"));
        Map<String, Object> body = new LinkedHashMap<>(chat("direct", "count"));
        body.put("max_tokens", 3);

        JsonNode reply = post(body, 200);

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("one two three");
        assertThat(reply.path("choices").get(0).path("finish_reason").asString())
                .isEqualTo("length");
    }

    @Test
    void selfConsistencyVotesWithTheSamplesTheBudgetAllowsAndSaysItWasTruncated() {
        BACKEND.defaultReply(Reply.texts("The answer is 7.", "The answer is 7.", "The answer is 8."));
        Map<String, Object> body = new LinkedHashMap<>(chat("self-consistency", "3+4?"));
        body.put("deliberate", Map.of("budget", Map.of("max_breadth", 3)));

        JsonNode reply = post(body, 200);

        JsonNode info = reply.path("deliberate");
        assertThat(info.path("answer").asString()).isEqualTo("7");
        assertThat(info.path("truncated").asBoolean()).isTrue();
        assertThat(info.path("model_calls").asInt())
                .as("one backend request with n = 3")
                .isEqualTo(1);
        assertThat(info.path("confidence").asDouble()).isEqualTo(2.0 / 3);
        assertThat(BACKEND.lastRequest().body().path("n").asInt()).isEqualTo(3);
        JsonNode trace = client.get()
                .uri("/v1/runs/" + info.path("run_id").asString())
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
        assertThat(trace.path("status").asString()).isEqualTo("truncated");
        assertThat(trace.path("notes").path("stopped_by").asString()).isEqualTo("max_breadth");
    }

    @Test
    void oneCallLeftStillBuysEverySampleFromABackendWithN() {
        BACKEND.defaultReply(Reply.texts("The answer is 7."));
        Map<String, Object> body = new LinkedHashMap<>(chat("self-consistency", "3+4?"));
        body.put("deliberate", Map.of("budget", Map.of("max_model_calls", 1)));

        JsonNode info = post(body, 200).path("deliberate");

        assertThat(info.path("truncated").asBoolean()).isFalse();
        assertThat(info.path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(BACKEND.lastRequest().body().path("n").asInt()).isEqualTo(5);
    }

    @Test
    void aFailureAfterTheStreamBeganArrivesAsAFinalErrorEventWithoutDone() {
        // Slower than the stream hold (1 s here): the stream has begun when the backend fails.
        BACKEND.defaultReply(Reply.failing(Fault.HTTP_ERROR).latency(Duration.ofMillis(1_200)));

        List<String> events = stream(
                Map.of("model", "direct", "stream", true, "messages", List.of(Map.of("role", "user", "content", "x"))));

        assertThat(JSON.readTree(events.get(0))
                        .path("choices")
                        .path(0)
                        .path("delta")
                        .path("role")
                        .asString())
                .isEqualTo("assistant");
        assertThat(events).doesNotContain("[DONE]");
        JsonNode last = JSON.readTree(events.get(events.size() - 1));
        assertThat(last.path("error").path("code").asString()).isEqualTo("backend_unavailable");
    }

    private static void assertError(JsonNode reply, String param) {
        assertThat(reply.path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(reply.path("error").path("param").asString()).isEqualTo(param);
        assertThat(reply.path("error").path("message").asString()).contains(param);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void backendFailuresMapToGatewayStatusesWithoutLeakingTheKey(CapturedOutput output) {
        BACKEND.defaultReply(Reply.failing(Fault.HTTP_ERROR));
        JsonNode unavailable = post(chat("direct", "x"), 503);
        assertThat(unavailable.path("error").path("code").asString()).isEqualTo("backend_unavailable");
        assertThat(BACKEND.calls()).isEqualTo(3);

        BACKEND.reset();
        BACKEND.defaultReply(Reply.failing(Fault.CONTEXT_LENGTH));
        JsonNode overflow = post(chat("direct", "x"), 400);
        assertThat(overflow.path("error").path("code").asString()).isEqualTo("context_length_exceeded");
        assertThat(BACKEND.calls()).isEqualTo(1);

        BACKEND.reset();
        BACKEND.defaultReply(Reply.failing(Fault.MALFORMED_JSON));
        assertThat(post(chat("direct", "x"), 502).path("error").path("type").asString())
                .isEqualTo("bad_gateway");

        BACKEND.reset();
        BACKEND.defaultReply(Reply.failing(Fault.UNAUTHORIZED));
        JsonNode rejected = post(chat("direct", "x"), 502);
        assertThat(rejected.toString()).doesNotContain("sk-canary");
        assertThat(rejected.path("error").path("message").asString()).contains("local");
        assertThat(output.getAll()).doesNotContain("sk-canary");
    }

    @Test
    void rateLimitAboveTheCapIsPassedOnWithRetryAfter() {
        BACKEND.defaultReply(Reply.failing(Fault.RATE_LIMITED).retryAfter("120"));

        client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(chat("direct", "x"))
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("Retry-After", "120")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("rate_limit_error");
        assertThat(BACKEND.calls()).isEqualTo(1);
    }

    @Test
    void aStalledBackendTimesOutWith504() {
        BACKEND.defaultReply(Reply.failing(Fault.STALL));

        JsonNode reply = post(chat("direct", "x"), 504);

        assertThat(reply.path("error").path("type").asString()).isEqualTo("timeout_error");
    }

    @Test
    void aStreamThatFailsBeforeAnyProgressGetsItsRealStatusNotA200() {
        BACKEND.defaultReply(Reply.failing(Fault.HTTP_ERROR));

        byte[] body = client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of(
                        "model", "direct", "stream", true, "messages", List.of(Map.of("role", "user", "content", "x"))))
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .returnResult()
                .getResponseBody();

        assertThat(JSON.readTree(body).path("error").path("code").asString()).isEqualTo("backend_unavailable");
    }

    @Test
    void aClientDisconnectClosesTheBackendConnectionAndCancelsTheRun() {
        BACKEND.defaultReply(Reply.texts("slow").latency(Duration.ofSeconds(10)));
        WebClient webClient = WebClient.create("http://127.0.0.1:" + port);

        var response = webClient
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of(
                        "model", "direct", "stream", true, "messages", List.of(Map.of("role", "user", "content", "x"))))
                .retrieve()
                .toEntityFlux(String.class)
                .block(Duration.ofSeconds(5));
        String runId = response.getHeaders().getFirst("X-Deliberate-Run-Id");
        StepVerifier.create(response.getBody())
                .expectNextCount(1)
                .then(() -> BACKEND.awaitCalls(1, Duration.ofSeconds(5)))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        BACKEND.awaitNoOpenConnections(Duration.ofSeconds(2));
        assertThat(BACKEND.openConnections()).isZero();
        JsonNode run = JSON.readTree(client.get()
                .uri("/v1/runs/" + runId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
        assertThat(run.path("status").asString()).isEqualTo("cancelled");
        assertThat(run.path("trace").path("steps").get(1).path("status").asString())
                .isEqualTo("cancelled");
    }
}
