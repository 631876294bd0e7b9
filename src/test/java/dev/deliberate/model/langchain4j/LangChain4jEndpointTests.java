package dev.deliberate.model.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Secret;
import dev.deliberate.model.Usage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LangChain4jEndpointTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("Answer in one word."),
            ChatMessage.user("Capital of France?"),
            ChatMessage.assistant("Paris."),
            ChatMessage.user("And of Italy?"));

    private MockWebServer server;
    private Scheduler scheduler;

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.start();
        scheduler = Schedulers.newBoundedElastic(4, 100, "lc4j-test");
    }

    @AfterEach
    void stopServer() {
        server.close();
        scheduler.dispose();
    }

    @Test
    void openAiGenerateSendsConversationAndParametersAndMapsReply() throws Exception {
        server.enqueue(json(openAiCompletion("Rome", "stop", 21, 2)));
        LangChain4jEndpoint endpoint = openAi();
        GenerationRequest request = GenerationRequest.of(CONVERSATION)
                .withTemperature(0.7)
                .withTopP(0.9)
                .withMaxTokens(64)
                .withStop(List.of("\n\n"))
                .withSeed(42L);

        Generation generation = endpoint.generate(request).block(Duration.ofSeconds(5));

        assertThat(generation.choices()).containsExactly(new Choice(0, "Rome", "stop", List.of()));
        assertThat(generation.usage()).isEqualTo(new Usage(21, 2));
        assertThat(generation.backendCalls()).isEqualTo(1);
        assertThat(generation.endpoint()).isEqualTo("server");
        RecordedRequest recorded = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(recorded.getTarget()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer sk-test");
        JsonNode body = body(recorded);
        assertThat(body.get("model").asString()).isEqualTo("gpt-test");
        assertThat(roles(body.get("messages"))).containsExactly("system", "user", "assistant", "user");
        assertThat(body.get("messages").get(0).get("content").asString()).isEqualTo("Answer in one word.");
        assertThat(body.get("messages").get(3).get("content").asString()).isEqualTo("And of Italy?");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.7);
        assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.get("stop").get(0).asString()).isEqualTo("\n\n");
        assertThat(body.get("seed").asInt()).isEqualTo(42);
        assertThat(body.has("n")).isFalse();
        assertThat(body.has("logprobs")).isFalse();
    }

    @Test
    void openAiGenerateWithThreeChoicesFansOutIntoThreeCalls() throws Exception {
        server.enqueue(json(openAiCompletion("A", "stop", 10, 1)));
        server.enqueue(json(openAiCompletion("B", "length", 10, 2)));
        server.enqueue(json(openAiCompletion("C", "stop", 10, 3)));
        LangChain4jEndpoint endpoint = openAi();

        Generation generation = endpoint.generate(
                        GenerationRequest.of(CONVERSATION).withN(3).withSeed(7L))
                .block(Duration.ofSeconds(5));

        assertThat(generation.choices()).extracting(Choice::index).containsExactly(0, 1, 2);
        assertThat(generation.choices()).extracting(Choice::text).containsExactlyInAnyOrder("A", "B", "C");
        assertThat(generation.choices()).extracting(Choice::finishReason).containsOnly("stop", "length");
        assertThat(generation.usage()).isEqualTo(new Usage(30, 6));
        assertThat(generation.backendCalls()).isEqualTo(3);
        assertThat(server.getRequestCount()).isEqualTo(3);
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode body = body(server.takeRequest(1, TimeUnit.SECONDS));
            assertThat(body.has("n")).isFalse();
            seeds.add(body.get("seed").asInt());
        }
        assertThat(seeds).containsExactlyInAnyOrder(7, 8, 9);
    }

    @Test
    void aFanOutSendsAtMostMaxConcurrencyRequestsAtOnce() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ChatModel slow = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inFlight.decrementAndGet();
                return ChatResponse.builder()
                        .aiMessage(AiMessage.from("ok"))
                        .finishReason(FinishReason.STOP)
                        .build();
            }
        };
        LangChain4jEndpoint endpoint = new LangChain4jEndpoint(
                "server",
                LangChain4jEndpoint.Provider.OPENAI,
                slow,
                new StreamingChatModel() {},
                scheduler,
                new Secret("sk-test"),
                2);

        Generation generation =
                endpoint.generate(GenerationRequest.of(CONVERSATION).withN(5)).block(Duration.ofSeconds(5));

        assertThat(generation.backendCalls()).isEqualTo(5);
        assertThat(peak.get()).isEqualTo(2);
    }

    @Test
    void generateRunsTheBlockingCallOnTheGivenScheduler() {
        server.enqueue(json(openAiCompletion("Rome", "stop", 21, 2)));
        LangChain4jEndpoint endpoint = openAi();
        AtomicReference<String> producedOn = new AtomicReference<>();

        StepVerifier.create(endpoint.generate(GenerationRequest.of(CONVERSATION))
                        .doOnNext(generation ->
                                producedOn.set(Thread.currentThread().getName()))
                        .subscribeOn(Schedulers.parallel()))
                .expectNextCount(1)
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(producedOn.get()).startsWith("lc4j-test");
    }

    @Test
    void anthropicGeneratePutsSystemPromptInSystemFieldAndMapsReply() throws Exception {
        server.enqueue(json("""
                {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant",
                 "model":"claude-sonnet-4-5","content":[{"type":"text","text":"Rome"}],
                 "stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":25,"output_tokens":3}}
                """));
        LangChain4jEndpoint endpoint = anthropic();

        Generation generation = endpoint.generate(
                        GenerationRequest.of(CONVERSATION).withTemperature(0.2).withMaxTokens(100))
                .block(Duration.ofSeconds(5));

        assertThat(generation.choices()).containsExactly(new Choice(0, "Rome", "stop", List.of()));
        assertThat(generation.usage()).isEqualTo(new Usage(25, 3));
        RecordedRequest recorded = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(recorded.getTarget()).isEqualTo("/v1/messages");
        assertThat(recorded.getHeaders().get("x-api-key")).isEqualTo("sk-ant-test");
        JsonNode body = body(recorded);
        assertThat(body.get("model").asString()).isEqualTo("claude-test");
        assertThat(body.get("system").get(0).get("text").asString()).isEqualTo("Answer in one word.");
        assertThat(roles(body.get("messages"))).containsExactly("user", "assistant", "user");
        assertThat(body.get("messages").get(2).get("content").get(0).get("text").asString())
                .isEqualTo("And of Italy?");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(100);
    }

    @Test
    void anthropicSendsPrefixAsTrailingAssistantTurn() throws Exception {
        server.enqueue(json("""
                {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":" Rome."}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":30,"output_tokens":2}}
                """));
        LangChain4jEndpoint endpoint = anthropic();
        GenerationRequest request =
                new GenerationRequest(CONVERSATION, 1, null, null, null, List.of(), null, false, 0, "The answer is ");

        Generation generation = endpoint.generate(request).block(Duration.ofSeconds(5));

        assertThat(generation.text()).isEqualTo(" Rome.");
        JsonNode messages = body(server.takeRequest(1, TimeUnit.SECONDS)).get("messages");
        assertThat(roles(messages)).containsExactly("user", "assistant", "user", "assistant");
        assertThat(messages.get(3).get("content").get(0).get("text").asString()).isEqualTo("The answer is");
    }

    @Test
    void openAiStreamReassemblesTextThenFinishThenUsage() throws Exception {
        server.enqueue(sse(openAiStream("chatcmpl-1", List.of("Ro", "me"), 21, 2)));
        LangChain4jEndpoint endpoint = openAi();

        StepVerifier.create(endpoint.stream(GenerationRequest.of(CONVERSATION)))
                .expectNext(GenerationChunk.delta(0, "Ro"))
                .expectNext(GenerationChunk.delta(0, "me"))
                .expectNext(new GenerationChunk(0, "", List.of(), "stop", null))
                .expectNext(new GenerationChunk(-1, "", List.of(), null, new Usage(21, 2)))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        JsonNode body = body(server.takeRequest(1, TimeUnit.SECONDS));
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(roles(body.get("messages"))).containsExactly("system", "user", "assistant", "user");
    }

    @Test
    void openAiStreamWithTwoChoicesMergesReindexedStreamsAndSumsUsage() {
        server.enqueue(sse(openAiStream("chatcmpl-1", List.of("Ro", "me"), 21, 2)));
        server.enqueue(sse(openAiStream("chatcmpl-2", List.of("Mi", "lan"), 21, 3)));
        LangChain4jEndpoint endpoint = openAi();

        StepVerifier.create(endpoint.stream(GenerationRequest.of(CONVERSATION).withN(2))
                        .collectList())
                .assertNext(chunks -> {
                    Map<Integer, String> texts = new TreeMap<>();
                    chunks.stream()
                            .filter(chunk -> !chunk.isUsageOnly())
                            .forEach(chunk -> texts.merge(chunk.index(), chunk.delta(), String::concat));
                    assertThat(texts.values()).containsExactlyInAnyOrder("Rome", "Milan");
                    assertThat(texts.keySet()).containsExactly(0, 1);
                    assertThat(chunks)
                            .filteredOn(chunk -> "stop".equals(chunk.finishReason()))
                            .extracting(GenerationChunk::index)
                            .containsExactlyInAnyOrder(0, 1);
                    assertThat(chunks).filteredOn(GenerationChunk::isUsageOnly).hasSize(1);
                    assertThat(chunks.get(chunks.size() - 1))
                            .isEqualTo(new GenerationChunk(-1, "", List.of(), null, new Usage(42, 5)));
                })
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void anthropicStreamReassemblesTextThenFinishThenUsage() throws Exception {
        server.enqueue(sse("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_03","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Ro"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"me"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":3}}

                event: message_stop
                data: {"type":"message_stop"}

                """));
        LangChain4jEndpoint endpoint = anthropic();

        StepVerifier.create(endpoint.stream(GenerationRequest.of(CONVERSATION)))
                .expectNext(GenerationChunk.delta(0, "Ro"))
                .expectNext(GenerationChunk.delta(0, "me"))
                .expectNext(new GenerationChunk(0, "", List.of(), "length", null))
                .expectNext(new GenerationChunk(-1, "", List.of(), null, new Usage(25, 3)))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        RecordedRequest recorded = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(recorded.getTarget()).isEqualTo("/v1/messages");
        assertThat(body(recorded).get("stream").asBoolean()).isTrue();
    }

    @Test
    void cancellingStreamAfterFirstTokenCancelsTheLangChain4jStream() {
        RecordingHandle handle = new RecordingHandle();
        StreamingChatModel model = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                handler.onPartialResponse(new PartialResponse("Ro"), new PartialResponseContext(handle));
            }
        };
        LangChain4jEndpoint endpoint = fake(model);

        StepVerifier.create(endpoint.stream(GenerationRequest.of(CONVERSATION)).take(1))
                .expectNext(GenerationChunk.delta(0, "Ro"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(handle.cancels.get()).isEqualTo(1);
    }

    @Test
    void cancellingStreamBeforeFirstTokenCancelsAtThatToken() {
        RecordingHandle handle = new RecordingHandle();
        AtomicReference<StreamingChatResponseHandler> started = new AtomicReference<>();
        StreamingChatModel model = new StreamingChatModel() {
            @Override
            public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
                started.set(handler);
            }
        };
        LangChain4jEndpoint endpoint = fake(model);
        StepVerifier.create(endpoint.stream(GenerationRequest.of(CONVERSATION)))
                .expectSubscription()
                .then(() -> awaitNonNull(started))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        started.get().onPartialResponse(new PartialResponse("Ro"), new PartialResponseContext(handle));

        assertThat(handle.cancels.get()).isEqualTo(1);
    }

    @Test
    void capabilitiesSayNoLogprobsAndNoNativeChoices() {
        LangChain4jEndpoint endpoint = anthropic();

        Capabilities capabilities = endpoint.capabilities();

        assertThat(capabilities).isEqualTo(new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED));
        assertThat(endpoint.kind()).isEqualTo("langchain4j-anthropic");
        assertThat(openAi().kind()).isEqualTo("langchain4j-openai");
    }

    @Test
    void openAisOwnApiWithoutAKeyFailsEachCallNamingTheSettingAndSendsNothing() {
        EndpointSettings noKey = EndpointSettings.of(EndpointSettings.LANGCHAIN4J_OPENAI, null, "gpt-4o-mini");
        LangChain4jEndpoint endpoint = LangChain4jEndpoint.openAi("server", noKey, scheduler);
        GenerationRequest request = GenerationRequest.of(List.of(ChatMessage.user("hi")));

        StepVerifier.create(endpoint.generate(request))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Rejected.class)
                        .hasMessage("server: no api-key configured; set deliberate.endpoints.server.api-key"
                                + " (the shipped server endpoint reads OPENAI_API_KEY)"))
                .verify(Duration.ofSeconds(5));
        StepVerifier.create(endpoint.stream(request))
                .expectError(BackendException.Rejected.class)
                .verify(Duration.ofSeconds(5));
        assertThat(server.getRequestCount()).isZero();
    }

    private LangChain4jEndpoint openAi() {
        EndpointSettings settings = settings(EndpointSettings.LANGCHAIN4J_OPENAI, "/v1", "gpt-test", "sk-test");
        return LangChain4jEndpoint.openAi("server", settings, scheduler);
    }

    private LangChain4jEndpoint anthropic() {
        EndpointSettings settings =
                settings(EndpointSettings.LANGCHAIN4J_ANTHROPIC, "/v1/", "claude-test", "sk-ant-test");
        return LangChain4jEndpoint.anthropic("server", settings, scheduler);
    }

    private LangChain4jEndpoint fake(StreamingChatModel streaming) {
        return new LangChain4jEndpoint(
                "server",
                LangChain4jEndpoint.Provider.OPENAI,
                new ChatModel() {},
                streaming,
                scheduler,
                new Secret("sk-test"),
                64);
    }

    private EndpointSettings settings(String kind, String path, String model, String key) {
        return EndpointSettings.of(kind, URI.create(server.url(path).toString()), model)
                .withApiKey(new Secret(key));
    }

    static MockResponse json(String body) {
        return new MockResponse.Builder()
                .setHeader("Content-Type", "application/json")
                .body(body)
                .build();
    }

    static MockResponse sse(String body) {
        return new MockResponse.Builder()
                .setHeader("Content-Type", "text/event-stream")
                .body(body)
                .build();
    }

    static String openAiCompletion(String text, String finishReason, int promptTokens, int completionTokens) {
        return """
                {"id":"chatcmpl-9","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s","refusal":null},
                             "logprobs":null,"finish_reason":"%s"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d},
                 "system_fingerprint":"fp_0ba0d124f1"}
                """.formatted(text, finishReason, promptTokens, completionTokens, promptTokens + completionTokens);
    }

    static String openAiStream(String id, List<String> parts, int promptTokens, int completionTokens) {
        String head = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\",";
        StringBuilder body = new StringBuilder();
        body.append("data: ")
                .append(head)
                .append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        for (String part : parts) {
            body.append("data: ")
                    .append(head)
                    .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                    .append(part)
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        }
        body.append("data: ")
                .append(head)
                .append("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
        body.append("data: ")
                .append(head)
                .append(
                        "\"choices\":[],\"usage\":{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}}\n\n"
                                .formatted(promptTokens, completionTokens, promptTokens + completionTokens));
        body.append("data: [DONE]\n\n");
        return body.toString();
    }

    private static JsonNode body(RecordedRequest request) {
        return JSON.readTree(request.getBody().utf8());
    }

    private static List<String> roles(JsonNode messages) {
        List<String> roles = new ArrayList<>();
        messages.forEach(message -> roles.add(message.get("role").asString()));
        return roles;
    }

    private static void awaitNonNull(AtomicReference<?> reference) {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (reference.get() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static final class RecordingHandle implements StreamingHandle {
        private final AtomicInteger cancels = new AtomicInteger();

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }

        @Override
        public boolean isCancelled() {
            return cancels.get() > 0;
        }
    }
}
