package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ReasonIntegrationTests extends ApiIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonNode get(String uri, int status) {
        return new JsonRequests(client).get(uri, status);
    }

    private JsonNode reason(Object body, int status) {
        return new JsonRequests(client).post("/v1/reason", body, status);
    }

    @Test
    void returnsTheAnswerWithUsageAndTheExecutedTraceAndKeepsTheRun() {
        BACKEND.defaultReply(Reply.texts("The answer is 12.", "The answer is 12.", "The answer is 13."));

        JsonNode run = reason(
                Map.of(
                        "profile",
                        "self-consistency",
                        "problem",
                        Map.of("text", "What is 3 times 4?", "kind", "math"),
                        "seed",
                        7),
                200);

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo("12");
        // The five choices cycle through the texts: 12, 12, 13, 12, 12.
        assertThat(run.path("confidence").asDouble()).isEqualTo(0.8);
        assertThat(run.path("truncated").asBoolean()).isFalse();
        assertThat(run.path("usage").path("model_calls").asInt()).isEqualTo(1);
        assertThat(run.path("usage").path("completion_tokens").asLong()).isEqualTo(20);
        JsonNode steps = run.path("trace").path("steps");
        // run, the one n=5 call, a step per sample, the vote
        assertThat(steps).hasSize(8);
        assertThat(steps.get(0).path("kind").asString()).isEqualTo("run");
        assertThat(steps.get(1).path("kind").asString()).isEqualTo("generate");
        assertThat(steps.get(1).path("endpoint").asString()).isEqualTo("local");
        assertThat(steps.get(1).path("parent_id").asString())
                .isEqualTo(steps.get(0).path("id").asString());
        assertThat(steps.get(1).path("notes").path("outputs")).hasSize(5);
        for (int i = 0; i < 5; i++) {
            JsonNode sample = steps.get(2 + i);
            assertThat(sample.path("kind").asString()).isEqualTo("group");
            assertThat(sample.path("name").asString()).isEqualTo("sample");
            assertThat(sample.path("notes").path("index").asInt()).isEqualTo(i);
            assertThat(sample.path("notes").path("answer").asString()).isIn("12", "13");
        }
        assertThat(steps.get(7).path("kind").asString()).isEqualTo("vote");
        // the call, each sample read in turn, then the vote
        assertThat(run.path("trace").path("critical_path")).hasSize(7);

        JsonNode stored = get("/v1/runs/" + run.path("run_id").asString(), 200);
        assertThat(stored.path("answer").asString()).isEqualTo("12");
        assertThat(stored.path("trace").path("steps")).hasSize(8);
        assertThat(get("/v1/runs/run-unknown", 404).path("error").path("code").asString())
                .isEqualTo("run_not_found");
    }

    @Test
    void streamsStepsAsTheyHappenThenTheSolution() {
        BACKEND.defaultReply(Reply.texts("The answer is 5."));

        List<ServerSentEvent<String>> events = client.post()
                .uri("/v1/reason")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("profile", "direct", "problem", Map.of("text", "2+3?", "kind", "math")))
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(events)
                .extracting(ServerSentEvent::event)
                .containsExactly("step", "step", "step", "step", "solution");
        JsonNode started = JSON.readTree(events.get(1).data());
        assertThat(started.path("kind").asString()).isEqualTo("generate");
        assertThat(started.path("status").asString()).isEqualTo("running");
        JsonNode solution = JSON.readTree(events.get(4).data());
        assertThat(solution.path("answer").asString()).isEqualTo("5");
    }

    @Test
    void aFailedRunStreamsAnErrorEvent() {
        BACKEND.defaultReply(Reply.failing(Fault.CONTEXT_LENGTH));

        List<ServerSentEvent<String>> events = client.post()
                .uri("/v1/reason")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(Map.of("profile", "direct", "problem", Map.of("text", "long")))
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10));

        ServerSentEvent<String> last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("error");
        assertThat(JSON.readTree(last.data()).path("error").path("code").asString())
                .isEqualTo("context_length_exceeded");
    }

    @Test
    void aBudgetOverrideTruncatesTheRun() {
        BACKEND.defaultReply(Reply.texts("The answer is 1."));

        JsonNode truncated = reason(
                Map.of(
                        "profile", "self-consistency",
                        "problem", Map.of("text", "1?"),
                        "budget", Map.of("max_breadth", 2)),
                200);

        assertThat(truncated.path("truncated").asBoolean()).isTrue();
        assertThat(truncated.path("answer").asString()).isEqualTo("1");
        assertThat(BACKEND.calls()).isEqualTo(1);
        assertThat(BACKEND.lastRequest().body().path("n").asInt()).isEqualTo(2);
    }

    @Test
    void aBudgetWithNoTokensLeftForTheStrategyIsRefused() {
        JsonNode spent = reason(
                Map.of(
                        "profile", "self-consistency",
                        "problem", Map.of("text", "1?"),
                        "budget", Map.of("max_tokens", 1)),
                429);

        assertThat(spent.path("error").path("code").asString()).isEqualTo("budget_exhausted");
        assertThat(spent.path("error").path("param").asString()).isEqualTo("budget.max_tokens");
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void validatesTheProblem() {
        assertThat(reason(Map.of("profile", "direct"), 400)
                        .path("error")
                        .path("param")
                        .asString())
                .isEqualTo("problem");
        assertThat(reason(Map.of("profile", "direct", "problem", Map.of("text", "x", "kind", "poetry")), 400)
                        .path("error")
                        .path("param")
                        .asString())
                .isEqualTo("problem.kind");
        assertThat(reason(Map.of("profile", "direct", "problem", Map.of("text", "x", "url", "http://x")), 400)
                        .path("error")
                        .path("param")
                        .asString())
                .isEqualTo("problem.url");
    }

    @Test
    void profilesShowStrategyParametersAndProbedCapabilitiesWithoutSecrets() {
        JsonNode profiles = get("/v1/profiles", 200);

        JsonNode sc = null;
        for (JsonNode profile : profiles.path("data")) {
            if (profile.path("name").asString().equals("self-consistency")) {
                sc = profile;
            }
        }
        assertThat(sc).isNotNull();
        assertThat(sc.path("strategy").asString()).isEqualTo("self-consistency");
        assertThat(sc.path("params").path("n").asInt()).isEqualTo(5);
        JsonNode solver = sc.path("roles").path("solver");
        assertThat(solver.path("endpoint").asString()).isEqualTo("local");
        assertThat(solver.path("capabilities").path("source").asString()).isEqualTo("probed");
        assertThat(solver.path("capabilities").path("multiple_choices").asBoolean())
                .isTrue();
        assertThat(profiles.toString()).doesNotContain("sk-canary");
    }

    @Test
    void operatesWithHealthMetricsAndOpenApi() {
        client.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
        client.get()
                .uri("/v3/api-docs")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.paths['/v1/chat/completions']")
                .exists();
    }
}
