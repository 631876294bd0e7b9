package dev.deliberate.strategy.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The shipped {@code cascade} profile end to end: self-consistency on one loopback fake as {@code local}, the
 * {@code server} profile on a second fake. The local circuit opens after two failed calls, so the test that opens it
 * runs last.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "20s")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CascadeIntegrationTests {

    private static final FakeOpenAiServer LOCAL = FakeOpenAiServer.start();
    private static final FakeOpenAiServer SERVER = FakeOpenAiServer.start();
    private static final String SERVER_TEXT = "6 * 7 = 42. The answer is 42.";

    @Autowired
    WebTestClient client;

    @BeforeEach
    void freshConnections() {
        client = JsonRequests.freshConnections(client);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", LOCAL::baseUrl);
        // A vote's share is a confidence these scripted replies control exactly; the shipped local side (adaptive)
        // is covered by CascadeSyntheticIntegrationTests.
        registry.add("deliberate.profiles.cascade.params.local", () -> "self-consistency");
        registry.add("deliberate.profiles.cascade.budget.max-model-calls", () -> "6");
        // Configured, not probed: a probe slowed past its timeout would leave n > 1 assumed off and change the counts.
        registry.add("deliberate.endpoints.local.capabilities.multiple-choices", () -> "true");
        registry.add("deliberate.endpoints.local.capabilities.logprobs", () -> "true");
        registry.add("deliberate.endpoints.local.capabilities.max-top-logprobs", () -> "5");
        registry.add("deliberate.endpoints.local.timeouts.total", () -> "1s");
        registry.add("deliberate.endpoints.local.timeouts.first-byte", () -> "1s");
        registry.add("deliberate.endpoints.local.retry.max-attempts", () -> "1");
        registry.add("deliberate.endpoints.local.breaker.window-size", () -> "2");
        registry.add("deliberate.endpoints.local.breaker.minimum-calls", () -> "2");
        registry.add("deliberate.endpoints.local.breaker.failure-rate-threshold", () -> "100");
        registry.add("deliberate.endpoints.local.breaker.wait-in-open-state", () -> "10m");
        registry.add("deliberate.endpoints.server.kind", () -> "openai");
        registry.add("deliberate.endpoints.server.base-url", SERVER::baseUrl);
        registry.add("deliberate.endpoints.server.model", () -> "big-model");
        registry.add("deliberate.endpoints.server.retry.max-attempts", () -> "1");
        // Below the test client's 20 s: a response lost on the loopback (docs/architecture.md, "Known issues") then
        // fails this test with a 504 and leaves no call in flight, so that Surefire's rerun starts clean; with the
        // default 120 s the hung call outlived the test and its rerun got a 503.
        registry.add("deliberate.endpoints.server.timeouts.first-byte", () -> "8s");
        registry.add("deliberate.endpoints.server.timeouts.total", () -> "10s");
        registry.add("deliberate.endpoints.server.capabilities.multiple-choices", () -> "true");
        registry.add("deliberate.endpoints.server.capabilities.logprobs", () -> "true");
        registry.add("deliberate.endpoints.server.capabilities.max-top-logprobs", () -> "5");
    }

    @AfterAll
    static void stop() {
        LOCAL.close();
        SERVER.close();
    }

    @BeforeEach
    void resetBackends() {
        LOCAL.reset();
        SERVER.reset();
        SERVER.defaultReply(Reply.texts(SERVER_TEXT));
    }

    private JsonNode post(String uri, Object body) {
        return new JsonRequests(client).post(uri, body);
    }

    private JsonNode chat(String content) {
        return post(
                "/v1/chat/completions",
                Map.of("model", "cascade", "messages", List.of(Map.of("role", "user", "content", content))));
    }

    private JsonNode reason(String text) {
        return post("/v1/reason", Map.of("profile", "cascade", "problem", Map.of("text", text, "kind", "math")));
    }

    private JsonNode storedRun(String runId) {
        return new JsonRequests(client).get("/v1/runs/" + runId, 200);
    }

    private static List<String> kinds(JsonNode run) {
        List<String> kinds = new ArrayList<>();
        run.path("trace")
                .path("steps")
                .forEach(step -> kinds.add(step.path("kind").asString()));
        return kinds;
    }

    @Test
    @Order(1)
    void aConfidentLocalVoteAnswersAndTheServerIsNeverCalled() {
        LOCAL.defaultReply(Reply.texts("The answer is 42."));

        JsonNode reply = chat("What is 6 times 7?");

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("The answer is 42.");
        assertThat(reply.path("deliberate").path("answer").asString()).isEqualTo("42");
        assertThat(reply.path("deliberate").path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(LOCAL.calls()).isEqualTo(1);
        assertThat(SERVER.calls()).isZero();
        JsonNode run = storedRun(reply.path("deliberate").path("run_id").asString());
        assertThat(run.path("notes").path("escalated").asBoolean()).isFalse();
        assertThat(run.path("notes").path("answered_by").asString()).isEqualTo("self-consistency");
        assertThat(kinds(run)).doesNotContain("escalate");
    }

    @Test
    @Order(2)
    void aSplitLocalVoteEscalatesAndTheServerAnswers() {
        LOCAL.defaultReply(Reply.texts(
                "The answer is 41.",
                "The answer is 42.",
                "The answer is 40.",
                "The answer is 41.",
                "The answer is 39."));

        JsonNode reply = chat("What is 6 times 7?");

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo(SERVER_TEXT);
        assertThat(reply.path("deliberate").path("answer").asString()).isEqualTo("42");
        assertThat(reply.path("deliberate").path("model_calls").asInt()).isEqualTo(2);
        assertThat(reply.path("deliberate").path("notes").path("escalated").asBoolean())
                .isTrue();
        assertThat(reply.path("deliberate")
                        .path("notes")
                        .path("escalation_reason")
                        .asString())
                .isEqualTo("low_confidence");
        assertThat(LOCAL.calls()).isEqualTo(1);
        assertThat(SERVER.calls()).isEqualTo(1);
        assertThat(SERVER.lastRequest().body().path("model").asString()).isEqualTo("big-model");
        JsonNode run = storedRun(reply.path("deliberate").path("run_id").asString());
        JsonNode notes = run.path("notes");
        assertThat(notes.path("escalated").asBoolean()).isTrue();
        assertThat(notes.path("escalation_reason").asString()).isEqualTo("low_confidence");
        assertThat(notes.path("answered_by").asString()).isEqualTo("server");
        assertThat(notes.path("local_answer").asString()).isEqualTo("41");
        assertThat(notes.path("local_confidence").asDouble()).isEqualTo(0.4);
        assertThat(kinds(run))
                .containsExactly(
                        "run",
                        "run",
                        "generate",
                        "group",
                        "group",
                        "group",
                        "group",
                        "group",
                        "vote",
                        "escalate",
                        "run",
                        "generate");
    }

    @Test
    @Order(3)
    void aLocalTimeoutEscalatesThroughTheReasonApi() {
        LOCAL.defaultReply(Reply.failing(Fault.STALL));

        JsonNode run = reason("What is 6 times 7?");

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("42");
        assertThat(run.path("content").asString()).isEqualTo(SERVER_TEXT);
        assertThat(run.path("notes").path("escalation_reason").asString()).isEqualTo("timeout");
        assertThat(run.path("notes").path("answered_by").asString()).isEqualTo("server");
        JsonNode escalate = null;
        for (JsonNode step : run.path("trace").path("steps")) {
            if (step.path("kind").asString().equals("escalate")) {
                escalate = step;
            }
        }
        assertThat(escalate).isNotNull();
        assertThat(escalate.path("name").asString()).isEqualTo("timeout");
        assertThat(escalate.path("notes").path("local_error").asString()).startsWith("Timeout: local: ");
        assertThat(SERVER.calls()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void aLocalBackendAnswering503sEscalatesAndOnceItsCircuitOpensIsNotCalledAtAll() {
        LOCAL.defaultReply(Reply.failing(Fault.HTTP_ERROR).status(503));

        JsonNode first = reason("What is 6 times 7?");
        reason("What is 6 times 7?");
        int localCalls = LOCAL.calls();
        JsonNode third = reason("What is 6 times 7?");

        assertThat(first.path("answer").asString()).isEqualTo("42");
        assertThat(first.path("notes").path("escalation_reason").asString()).isEqualTo("unavailable");
        assertThat(third.path("status").asString()).isEqualTo("succeeded");
        assertThat(third.path("answer").asString()).isEqualTo("42");
        assertThat(third.path("content").asString()).isEqualTo(SERVER_TEXT);
        assertThat(third.path("notes").path("escalation_reason").asString()).isEqualTo("unavailable");
        assertThat(third.path("notes").path("local_error").asString()).isEqualTo("Unavailable: local: circuit open");
        assertThat(LOCAL.calls())
                .as("the open circuit kept the third call from the backend")
                .isEqualTo(localCalls);
        assertThat(localCalls).isBetween(1, 2);
        assertThat(SERVER.calls()).isEqualTo(3);
    }
}
