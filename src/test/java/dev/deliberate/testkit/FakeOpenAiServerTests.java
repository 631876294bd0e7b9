package dev.deliberate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class FakeOpenAiServerTests {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private FakeOpenAiServer server;
    private WebClient client;

    /** Status and body of one reply. */
    private record Answer(int status, String contentType, String body) {
        JsonNode json() {
            return MAPPER.readTree(body);
        }
    }

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start();
        client = WebClient.create(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Answer post(String json, String... headers) {
        return client.post()
                .uri("/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .headers(h -> {
                    for (int i = 0; i < headers.length; i += 2) {
                        h.add(headers[i], headers[i + 1]);
                    }
                })
                .bodyValue(json)
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(body -> new Answer(
                                response.statusCode().value(),
                                response.headers()
                                        .contentType()
                                        .map(Object::toString)
                                        .orElse(""),
                                body)))
                .block(Duration.ofSeconds(5));
    }

    private List<String> streamData(String json) {
        return client.post()
                .uri("/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .map(ServerSentEvent::data)
                .collectList()
                .block(Duration.ofSeconds(5));
    }

    @Test
    void answersNChoicesWithCycledTextsAndUsage() {
        server.defaultReply(Reply.texts("one two", "three"));

        Answer answer = post("{\"model\":\"m\",\"n\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}");

        JsonNode json = answer.json();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(json.path("object").asString()).isEqualTo("chat.completion");
        assertThat(json.path("model").asString()).isEqualTo("m");
        assertThat(json.path("choices").size()).isEqualTo(3);
        assertThat(json.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo("one two");
        assertThat(json.path("choices").get(1).path("message").path("content").asString())
                .isEqualTo("three");
        assertThat(json.path("choices").get(2).path("message").path("content").asString())
                .isEqualTo("one two");
        assertThat(json.path("choices").get(2).path("index").asInt()).isEqualTo(2);
        assertThat(json.path("choices").get(0).path("finish_reason").asString()).isEqualTo("stop");
        assertThat(json.path("choices").get(0).path("logprobs").isNull()).isTrue();
        assertThat(json.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
        assertThat(json.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(server.calls()).isEqualTo(1);
        assertThat(server.lastRequest().body().path("n").asInt()).isEqualTo(3);
    }

    @Test
    void returnsLogprobsWithTopAlternativesAndCutsAtMaxTokens() {
        server.defaultReply(Reply.texts("a b c").logprob(-0.5));

        JsonNode json = post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logprobs\":true,"
                        + "\"top_logprobs\":3,\"max_tokens\":2}")
                .json();

        JsonNode choice = json.path("choices").get(0);
        JsonNode content = choice.path("logprobs").path("content");
        assertThat(choice.path("message").path("content").asString()).isEqualTo("a b");
        assertThat(choice.path("finish_reason").asString()).isEqualTo("length");
        assertThat(content.size()).isEqualTo(2);
        assertThat(content.get(1).path("token").asString()).isEqualTo(" b");
        assertThat(content.get(1).path("logprob").asDouble()).isEqualTo(-0.5);
        assertThat(content.get(1).path("top_logprobs").size()).isEqualTo(3);
        assertThat(content.get(1).path("top_logprobs").get(2).path("token").asString())
                .isEqualTo("alt2");
        assertThat(content.get(1).path("top_logprobs").get(2).path("logprob").asDouble())
                .isEqualTo(-2.5);
        assertThat(json.path("usage").path("completion_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void rendersARespondersTokensAlternativesFinishAndPromptTokens() {
        List<Integer> asked = new CopyOnWriteArrayList<>(); // filled on the server's event loop
        server.defaultReply(Reply.respond((request, choices, call) -> {
            asked.add(choices);
            List<Choice> reply = new ArrayList<>();
            for (int i = 0; i < choices; i++) {
                reply.add(new Choice(
                        i,
                        "Yes",
                        "length",
                        List.of(new TokenLogprob(
                                "Yes",
                                -0.2,
                                List.of(
                                        new TokenLogprob.Alternative("Yes", -0.2),
                                        new TokenLogprob.Alternative("No", -1.8),
                                        new TokenLogprob.Alternative("Maybe", -4.0))))));
            }
            return new Generation(reply, new Usage(17, choices), Duration.ZERO, "responder", 1);
        }));

        JsonNode withLogprobs = post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2,"
                        + "\"logprobs\":true,\"top_logprobs\":2}")
                .json();
        JsonNode without =
                post("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").json();

        JsonNode choice = withLogprobs.path("choices").get(1);
        JsonNode top = choice.path("logprobs").path("content").get(0).path("top_logprobs");
        assertThat(asked).containsExactly(2, 1);
        assertThat(choice.path("message").path("content").asString()).isEqualTo("Yes");
        assertThat(choice.path("finish_reason").asString()).isEqualTo("length");
        assertThat(top.size()).isEqualTo(2);
        assertThat(top.get(1).path("token").asString()).isEqualTo("No");
        assertThat(top.get(1).path("logprob").asDouble()).isEqualTo(-1.8);
        assertThat(withLogprobs.path("usage").path("prompt_tokens").asInt()).isEqualTo(17);
        assertThat(withLogprobs.path("usage").path("completion_tokens").asInt()).isEqualTo(2);
        assertThat(without.path("choices").get(0).path("logprobs").isNull()).isTrue();
    }

    @Test
    void streamsInterleavedChoicesThenUsageThenDone() {
        server.defaultReply(Reply.texts("a b", "c"));

        List<String> data = streamData("{\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(data).hasSize(9);
        List<JsonNode> chunks =
                data.subList(0, 8).stream().map(MAPPER::readTree).toList();
        assertThat(chunks.get(0)
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("role")
                        .asString())
                .isEqualTo("assistant");
        assertThat(chunks.get(1).path("choices").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(chunks.get(2)
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("content")
                        .asString())
                .isEqualTo("a");
        assertThat(chunks.get(3).path("choices").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(chunks.get(3)
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("content")
                        .asString())
                .isEqualTo("c");
        assertThat(chunks.get(4)
                        .path("choices")
                        .get(0)
                        .path("delta")
                        .path("content")
                        .asString())
                .isEqualTo(" b");
        assertThat(chunks.get(5).path("choices").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(chunks.get(5).path("choices").get(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(chunks.get(6).path("choices").get(0).path("index").asInt()).isZero();
        assertThat(chunks.get(6).path("choices").get(0).path("finish_reason").asString())
                .isEqualTo("stop");
        assertThat(chunks.get(2).has("usage")).isTrue();
        assertThat(chunks.get(7).path("choices").size()).isZero();
        assertThat(chunks.get(7).path("usage").path("completion_tokens").asInt())
                .isEqualTo(3);
        assertThat(data.get(8)).isEqualTo("[DONE]");
    }

    @Test
    void refusesMultipleChoicesAndOmitsLogprobsWhenConfiguredLikeLlamaCpp() {
        server.multipleChoices(false).logprobs(false);

        Answer refused = post("{\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        Answer single = post("{\"logprobs\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("message").asString())
                .isEqualTo("Only one completion choice is allowed");
        assertThat(single.status()).isEqualTo(200);
        assertThat(single.json().path("choices").get(0).path("logprobs").isNull())
                .isTrue();
    }

    @Test
    void headerFaultHitsOnlyTheFirstCallsOfARequestId() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

        List<Integer> statuses = List.of(
                post(body, "x-fake-status", "503", "x-fake-fault-times", "2", "x-request-id", "r1")
                        .status(),
                post(body, "x-fake-status", "503", "x-fake-fault-times", "2", "x-request-id", "r1")
                        .status(),
                post(body, "x-fake-status", "503", "x-fake-fault-times", "2", "x-request-id", "r1")
                        .status());

        assertThat(statuses).containsExactly(503, 503, 200);
        assertThat(server.calls("r1")).isEqualTo(3);
        assertThat(server.calls("r2")).isZero();
    }

    @Test
    void ruleFaultsFirstCallsThenAnswers() {
        var rule = server.reply(
                request -> request.path("seed").asLong() == 7,
                Reply.texts("seven").failFirst(1, Fault.RATE_LIMITED).retryAfter("3"));

        Answer first = post("{\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        Answer second = post("{\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        Answer other = post("{\"seed\":8,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(first.status()).isEqualTo(429);
        assertThat(second.json()
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asString())
                .isEqualTo("seven");
        assertThat(other.json()
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asString())
                .isEqualTo("OK");
        assertThat(rule.calls()).isEqualTo(2);
        assertThat(server.calls()).isEqualTo(3);
    }

    @Test
    void servesHtmlGatewayPage() {
        Answer answer = post("{\"messages\":[]}", "x-fake-fault", "html-502");

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.contentType()).startsWith("text/html");
        assertThat(answer.body()).contains("<title>502 Bad Gateway</title>");
    }

    @Test
    void tracksConnectionsUntilTheClientGoesAway() {
        server.defaultReply(Reply.failing(Fault.STALL));
        Mono<String> stalled = client.post()
                .uri("/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"messages\":[]}")
                .retrieve()
                .bodyToMono(String.class);

        StepVerifier.create(stalled)
                .then(() -> server.awaitCalls(1, Duration.ofSeconds(2)))
                .then(() -> assertThat(server.openConnections()).isEqualTo(1))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        server.awaitNoOpenConnections(Duration.ofSeconds(2));
        assertThat(server.acceptedConnections()).isEqualTo(1);
        assertThat(server.closedConnections()).isEqualTo(1);
    }

    @Test
    void listsTheModel() {
        server.model("qwen");

        String body =
                client.get().uri("/models").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));

        assertThat(MAPPER.readTree(body).path("data").get(0).path("id").asString())
                .isEqualTo("qwen");
        assertThat(server.modelsCalls()).isEqualTo(1);
    }
}
