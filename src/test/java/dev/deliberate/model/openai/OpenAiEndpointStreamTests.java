package dev.deliberate.model.openai;

import static dev.deliberate.model.openai.OpenAiEndpointTests.FULL;
import static dev.deliberate.model.openai.OpenAiEndpointTests.NO_MULTIPLE_CHOICES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Secret;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class OpenAiEndpointStreamTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeOpenAiServer server;
    private final List<OpenAiEndpoint> endpoints = new ArrayList<>();

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        endpoints.forEach(OpenAiEndpoint::close);
        server.close();
    }

    private OpenAiEndpoint endpoint(CapabilityOverrides capabilities) {
        return endpoint(capabilities, Secret.NONE);
    }

    private OpenAiEndpoint endpoint(CapabilityOverrides capabilities, Secret key) {
        EndpointSettings settings = EndpointSettings.of("openai", server.baseUri(), "test-model")
                .withCapabilities(capabilities)
                .withApiKey(key);
        OpenAiEndpoint endpoint = new OpenAiEndpoint("local", settings, WebClient.builder());
        endpoints.add(endpoint);
        return endpoint;
    }

    private static GenerationRequest ask(String text) {
        return GenerationRequest.of(List.of(ChatMessage.user(text)));
    }

    private static Map<Integer, String> textByIndex(List<GenerationChunk> chunks) {
        Map<Integer, String> texts = new TreeMap<>();
        chunks.stream().filter(c -> !c.isUsageOnly()).forEach(c -> texts.merge(c.index(), c.delta(), String::concat));
        return texts;
    }

    private BackendException streamFailure(GenerationRequest request, OpenAiEndpoint endpoint) {
        List<Throwable> errors = new ArrayList<>();
        StepVerifier.create(endpoint.stream(request))
                .thenConsumeWhile(chunk -> true)
                .consumeErrorWith(errors::add)
                .verify(WAIT);
        assertThat(errors.get(0)).isInstanceOf(BackendException.class);
        return (BackendException) errors.get(0);
    }

    private BackendException streamFailureWithFault(Fault fault) {
        server.defaultReply(Reply.texts("one two three").fault(fault));
        return streamFailure(ask("hi"), endpoint(FULL));
    }

    @Test
    void reassemblesInterleavedChoicesPerIndexAndEndsWithUsage() {
        server.defaultReply(Reply.texts("the answer is 4", "four"));
        OpenAiEndpoint endpoint = endpoint(FULL);

        List<GenerationChunk> chunks =
                endpoint.stream(ask("2+2?").withN(2)).collectList().block(WAIT);

        assertThat(textByIndex(chunks)).containsExactly(Map.entry(0, "the answer is 4"), Map.entry(1, "four"));
        assertThat(chunks)
                .filteredOn(c -> c.finishReason() != null)
                .extracting(GenerationChunk::index, GenerationChunk::finishReason)
                .containsExactlyInAnyOrder(tuple(0, "stop"), tuple(1, "stop"));
        assertThat(chunks.subList(0, 3)).extracting(GenerationChunk::index).containsExactly(0, 1, 0);
        GenerationChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.isUsageOnly()).isTrue();
        assertThat(last.usage()).isEqualTo(new Usage(1, 5));
        assertThat(chunks).filteredOn(GenerationChunk::isUsageOnly).hasSize(1);
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void asksForStreamingWithUsage() {
        OpenAiEndpoint endpoint = endpoint(FULL);

        StepVerifier.create(endpoint.stream(ask("hi").withTemperature(0.0)))
                .thenConsumeWhile(chunk -> true)
                .verifyComplete();

        assertThat(server.lastRequest().body().toString())
                .isEqualTo("{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"temperature\":0.0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(server.lastRequest().header("accept")).isEqualTo("text/event-stream");
    }

    @Test
    void streamsTokenLogprobsWithEachDelta() {
        server.defaultReply(Reply.texts("a b").logprob(-0.25));
        OpenAiEndpoint endpoint = endpoint(FULL);

        List<GenerationChunk> chunks =
                endpoint.stream(ask("hi").withLogprobs(1)).collectList().block(WAIT);

        assertThat(chunks)
                .filteredOn(c -> !c.delta().isEmpty())
                .extracting(GenerationChunk::tokens)
                .containsExactly(
                        List.of(new TokenLogprob("a", -0.25, List.of(new TokenLogprob.Alternative("a", -0.25)))),
                        List.of(new TokenLogprob(" b", -0.25, List.of(new TokenLogprob.Alternative(" b", -0.25)))));
    }

    @Test
    void fansOutStreamsReindexingChoicesAndSummingUsage() {
        server.multipleChoices(false)
                .defaultReply(Reply.text((request, choice, call) ->
                        "seed " + request.path("seed").asLong()));
        OpenAiEndpoint endpoint = endpoint(NO_MULTIPLE_CHOICES);

        List<GenerationChunk> chunks =
                endpoint.stream(ask("pick").withN(3).withSeed(5L)).collectList().block(WAIT);

        assertThat(textByIndex(chunks))
                .containsExactly(Map.entry(0, "seed 5"), Map.entry(1, "seed 6"), Map.entry(2, "seed 7"));
        assertThat(chunks).filteredOn(GenerationChunk::isUsageOnly).hasSize(1);
        assertThat(chunks.get(chunks.size() - 1).usage()).isEqualTo(new Usage(3, 6));
        assertThat(server.calls()).isEqualTo(3);
    }

    @Test
    void inBandErrorChunkIsABadReplyWithTheUpstreamMessage() {
        BackendException error = streamFailureWithFault(Fault.IN_BAND_ERROR);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: backend reported an error in its reply: CUDA out of memory while decoding");
    }

    @Test
    void nonJsonChunkIsABadReply() {
        BackendException error = streamFailureWithFault(Fault.NON_JSON_CHUNK);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage()).isEqualTo("local: stream chunk 3 is not valid JSON");
    }

    @Test
    void truncatedStreamIsABadReplyNeverAShortSuccess() {
        BackendException error = streamFailureWithFault(Fault.TRUNCATED);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: stream ended early: no finish reason for choice(s) {0} after 4 events");
    }

    @Test
    void streamWithoutDoneIsABadReply() {
        JsonMapper mapper = JsonMapper.builder().build();
        StreamAssembly assembly = new StreamAssembly(
                1, new OpenAiWire(mapper, "m"), new BackendErrors("local", Secret.NONE, mapper, Clock.systemUTC()));
        assembly.accept("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}");

        BackendException.BadReply error = catchThrowableOfType(BackendException.BadReply.class, assembly::finish);

        assertThat(error.getMessage()).isEqualTo("local: stream ended early: no [DONE] after 1 events");
    }

    @Test
    void backendIgnoringNInAStreamIsABadReplyThatSaysSo() {
        server.ignoreN();

        BackendException error = streamFailure(ask("hi").withN(2), endpoint(FULL));

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage()).contains("it ignores n");
    }

    @Test
    void httpErrorBeforeTheStreamIsClassifiedLikeACall() {
        server.defaultReply(Reply.failing(Fault.HTTP_ERROR).status(500));

        BackendException error = streamFailure(ask("hi"), endpoint(FULL));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 500: fake upstream failure");
    }

    @Test
    void jsonWhereAnEventStreamWasExpectedIsABadReply() {
        BackendException error = streamFailureWithFault(Fault.MALFORMED_JSON);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: reply has content type application/json where an event stream was expected");
    }

    @Test
    void cancellingMidStreamClosesTheBackendConnection() {
        server.defaultReply(Reply.texts("one two three").fault(Fault.STALL_AFTER_FIRST_CHUNK));
        OpenAiEndpoint endpoint = endpoint(FULL);

        StepVerifier.create(endpoint.stream(ask("hi")))
                .expectNextMatches(chunk -> chunk.delta().equals("one"))
                .then(() -> assertThat(server.openConnections()).isEqualTo(1))
                .thenCancel()
                .verify(WAIT);

        server.awaitNoOpenConnections(Duration.ofSeconds(1));
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void cancellingAFannedOutStreamClosesEveryBackendConnection() {
        server.multipleChoices(false).defaultReply(Reply.texts("one two").fault(Fault.STALL_AFTER_FIRST_CHUNK));
        OpenAiEndpoint endpoint = endpoint(NO_MULTIPLE_CHOICES);

        StepVerifier.create(endpoint.stream(ask("hi").withN(3)))
                .expectNextCount(3)
                .then(() -> assertThat(server.openConnections()).isEqualTo(3))
                .thenCancel()
                .verify(WAIT);

        server.awaitNoOpenConnections(Duration.ofSeconds(1));
    }

    @Test
    void apiKeyNeverAppearsInStreamErrors() {
        server.defaultReply(Reply.texts("x").fault(Fault.UNAUTHORIZED));

        BackendException error = streamFailure(ask("hi"), endpoint(FULL, new Secret(OpenAiEndpointTests.CANARY)));

        assertThat(server.lastRequest().header("authorization")).isEqualTo("Bearer " + OpenAiEndpointTests.CANARY);
        OpenAiEndpointTests.assertNoCanary(error);
    }
}
