package dev.deliberate.model.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Secret;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class OpenAiEndpointTests {

    static final CapabilityOverrides FULL = new CapabilityOverrides(true, true, 20);
    static final CapabilityOverrides NO_MULTIPLE_CHOICES = new CapabilityOverrides(false, true, 20);
    static final String CANARY = "sk-canary-7f3e9b2d41";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
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
        return endpoint(server.baseUri(), capabilities, Secret.NONE);
    }

    private OpenAiEndpoint endpoint(URI baseUrl, CapabilityOverrides capabilities, Secret key) {
        EndpointSettings settings = EndpointSettings.of("openai", baseUrl, "test-model")
                .withCapabilities(capabilities)
                .withApiKey(key);
        OpenAiEndpoint endpoint = new OpenAiEndpoint("local", settings, WebClient.builder());
        endpoints.add(endpoint);
        return endpoint;
    }

    private static GenerationRequest ask(String text) {
        return GenerationRequest.of(List.of(ChatMessage.user(text)));
    }

    private BackendException failure(OpenAiEndpoint endpoint, GenerationRequest request) {
        List<Throwable> errors = new ArrayList<>();
        StepVerifier.create(endpoint.generate(request))
                .consumeErrorWith(errors::add)
                .verify(WAIT);
        assertThat(errors.get(0)).isInstanceOf(BackendException.class);
        return (BackendException) errors.get(0);
    }

    private BackendException failureWithFault(Fault fault) {
        server.defaultReply(Reply.failing(fault));
        return failure(endpoint(FULL), ask("hi"));
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // --- requests ---

    @Test
    void sendsEverySetFieldAndTheBearerKey() {
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), FULL, new Secret(CANARY));
        GenerationRequest request = new GenerationRequest(
                List.of(ChatMessage.system("be brief"), ChatMessage.user("2+2?")),
                2,
                0.7,
                0.9,
                64,
                List.of("\n\n", "END"),
                42L,
                true,
                3,
                null);

        StepVerifier.create(endpoint.generate(request)).expectNextCount(1).verifyComplete();

        assertThat(server.lastRequest().body()).isEqualTo(MAPPER.readTree("""
                {"model":"test-model",
                 "messages":[{"role":"system","content":"be brief"},{"role":"user","content":"2+2?"}],
                 "n":2,"temperature":0.7,"top_p":0.9,"max_tokens":64,"stop":["\\n\\n","END"],"seed":42,
                 "logprobs":true,"top_logprobs":3}
                """));
        assertThat(server.lastRequest().header("authorization")).isEqualTo("Bearer " + CANARY);
    }

    @Test
    void sendsOnlyModelAndMessagesWhenNothingElseIsSetAndNoKey() {
        OpenAiEndpoint endpoint = endpoint(FULL);

        StepVerifier.create(endpoint.generate(ask("hi"))).expectNextCount(1).verifyComplete();

        assertThat(server.lastRequest().body())
                .isEqualTo(MAPPER.readTree(
                        "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(server.lastRequest().header("authorization")).isNull();
    }

    @Test
    void continuesFromAnAssistantPrefix() {
        OpenAiEndpoint endpoint = endpoint(FULL);
        GenerationRequest request = new GenerationRequest(
                List.of(ChatMessage.user("count")), 1, null, null, null, List.of(), null, false, 0, "1, 2,");

        StepVerifier.create(endpoint.generate(request)).expectNextCount(1).verifyComplete();

        assertThat(server.lastRequest().body()).isEqualTo(MAPPER.readTree("""
                {"model":"test-model",
                 "messages":[{"role":"user","content":"count"},{"role":"assistant","content":"1, 2,"}],
                 "continue_final_message":true,"add_generation_prompt":false}
                """));
    }

    // --- replies ---

    @Test
    void returnsNChoicesFromOneCall() {
        server.defaultReply(Reply.texts("4", "four", "IV"));
        OpenAiEndpoint endpoint = endpoint(FULL);

        Generation generation = endpoint.generate(ask("2+2?").withN(3)).block(WAIT);

        assertThat(generation.choices()).extracting(c -> c.index()).containsExactly(0, 1, 2);
        assertThat(generation.choices()).extracting(c -> c.text()).containsExactly("4", "four", "IV");
        assertThat(generation.choices()).extracting(c -> c.finishReason()).containsOnly("stop");
        assertThat(generation.usage()).isEqualTo(new Usage(1, 3));
        assertThat(generation.backendCalls()).isEqualTo(1);
        assertThat(generation.endpoint()).isEqualTo("local");
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void fansOutNCallsWithDerivedSeedsWhenTheBackendLacksMultipleChoices() {
        server.multipleChoices(false)
                .defaultReply(Reply.text((request, choice, call) ->
                        "seed " + request.path("seed").asLong()));
        OpenAiEndpoint endpoint = endpoint(NO_MULTIPLE_CHOICES);

        Generation generation =
                endpoint.generate(ask("pick").withN(3).withSeed(10L)).block(WAIT);

        assertThat(generation.choices()).extracting(c -> c.index()).containsExactly(0, 1, 2);
        assertThat(generation.choices()).extracting(c -> c.text()).containsExactly("seed 10", "seed 11", "seed 12");
        assertThat(generation.usage()).isEqualTo(new Usage(3, 6));
        assertThat(generation.backendCalls()).isEqualTo(3);
        assertThat(server.calls()).isEqualTo(3);
        assertThat(server.requests())
                .allSatisfy(body -> assertThat(body.has("n")).isFalse());
        assertThat(server.requests())
                .extracting(body -> body.path("seed").asLong())
                .containsExactlyInAnyOrder(10L, 11L, 12L);
    }

    @Test
    void parsesTokenLogprobsWithTopAlternatives() {
        server.defaultReply(Reply.texts("x = 4").logprob((text, token) -> -0.5 * (token + 1)));
        OpenAiEndpoint endpoint = endpoint(FULL);

        Generation generation = endpoint.generate(ask("solve").withLogprobs(2)).block(WAIT);

        List<TokenLogprob> tokens = generation.choices().get(0).tokens();
        assertThat(tokens).extracting(TokenLogprob::token).containsExactly("x", " =", " 4");
        assertThat(tokens).extracting(TokenLogprob::logprob).containsExactly(-0.5, -1.0, -1.5);
        assertThat(tokens.get(2).top())
                .containsExactly(new TokenLogprob.Alternative(" 4", -1.5), new TokenLogprob.Alternative("alt1", -2.5));
        assertThat(generation.choices().get(0).meanLogprob()).isEqualTo(-1.0);
    }

    @Test
    void reportsTheLengthFinishReasonWhenMaxTokensCuts() {
        server.defaultReply(Reply.texts("one two three four"));
        OpenAiEndpoint endpoint = endpoint(FULL);

        Generation generation = endpoint.generate(ask("count").withMaxTokens(2)).block(WAIT);

        assertThat(generation.text()).isEqualTo("one two");
        assertThat(generation.choices().get(0).finishReason()).isEqualTo("length");
        assertThat(generation.usage().completionTokens()).isEqualTo(2);
    }

    @Test
    void measuresWallTimeAsLatency() {
        server.defaultReply(Reply.texts("late").latency(Duration.ofMillis(150)));
        OpenAiEndpoint endpoint = endpoint(FULL);

        Generation generation = endpoint.generate(ask("hi")).block(WAIT);

        assertThat(generation.latency()).isBetween(Duration.ofMillis(150), Duration.ofSeconds(3));
    }

    @Test
    void backendIgnoringNIsABadReplyThatSaysSo() {
        server.ignoreN();
        OpenAiEndpoint endpoint = endpoint(FULL);

        BackendException error = failure(endpoint, ask("hi").withN(2));

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: backend answered 1 of n=2 choices: it ignores n, so set"
                        + " capabilities.multiple-choices to false");
    }

    // --- failures ---

    @Test
    void serverErrorIsTransientUnavailableWithStatusAndUpstreamMessage() {
        server.defaultReply(Reply.failing(Fault.HTTP_ERROR).status(503));

        BackendException error = failure(endpoint(FULL), ask("hi"));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.endpoint()).isEqualTo("local");
        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 503: fake upstream failure");
    }

    @Test
    void rateLimitCarriesRetryAfterSeconds() {
        server.defaultReply(Reply.failing(Fault.RATE_LIMITED).retryAfter("7"));

        BackendException error = failure(endpoint(FULL), ask("hi"));

        assertThat(error).isInstanceOf(BackendException.RateLimited.class);
        assertThat(((BackendException.RateLimited) error).retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(error.retriable()).isTrue();
        assertThat(error.countsAgainstBackend()).isFalse();
        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 429: Rate limit reached, slow down");
    }

    @Test
    void rateLimitWithoutRetryAfterHasNoWait() {
        server.defaultReply(Reply.failing(Fault.RATE_LIMITED).retryAfter(""));

        BackendException error = failure(endpoint(FULL), ask("hi"));

        assertThat(((BackendException.RateLimited) error).retryAfter()).isNull();
    }

    @Test
    void contextLengthIsARejectedOverflow() {
        BackendException error = failureWithFault(Fault.CONTEXT_LENGTH);

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        BackendException.Rejected rejected = (BackendException.Rejected) error;
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.contextOverflow()).isTrue();
        assertThat(rejected.retriable()).isFalse();
        assertThat(rejected.getMessage())
                .isEqualTo("local: backend answered HTTP 400: " + FakeOpenAiServer.CONTEXT_LENGTH_MESSAGE);
    }

    @Test
    void otherClientErrorIsRejectedWithoutOverflow() {
        server.multipleChoices(false);

        BackendException error = failure(endpoint(FULL), ask("hi").withN(2));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        assertThat(((BackendException.Rejected) error).status()).isEqualTo(400);
        assertThat(((BackendException.Rejected) error).contextOverflow()).isFalse();
        assertThat(error.getMessage())
                .isEqualTo("local: backend answered HTTP 400: Only one completion choice is allowed");
    }

    @Test
    void malformedJsonIsABadReply() {
        BackendException error = failureWithFault(Fault.MALFORMED_JSON);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("local: reply is not valid JSON");
    }

    @Test
    void htmlGatewayPageIsTransientUnavailableNamingThePage() {
        BackendException error = failureWithFault(Fault.HTML_502);

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 502: HTML page \"502 Bad Gateway\"");
    }

    @Test
    void wrongContentTypeIsABadReply() {
        BackendException error = failureWithFault(Fault.WRONG_CONTENT_TYPE);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: reply has content type text/html;charset=utf-8 where JSON was expected");
    }

    @Test
    void errorObjectInASuccessfulReplyIsABadReply() {
        BackendException error = failureWithFault(Fault.IN_BAND_ERROR);

        assertThat(error).isInstanceOf(BackendException.BadReply.class);
        assertThat(error.getMessage())
                .isEqualTo("local: backend reported an error in its reply: CUDA out of memory while decoding");
    }

    @Test
    void connectionRefusedIsTransientUnavailable() throws IOException {
        OpenAiEndpoint endpoint = endpoint(URI.create("http://127.0.0.1:" + closedPort() + "/v1"), FULL, Secret.NONE);

        BackendException error = failure(endpoint, ask("hi"));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).startsWith("local: connection refused");
    }

    @Test
    void connectionClosedWithoutReplyIsTransientUnavailableAndNotRetriedHere() {
        BackendException error = failureWithFault(Fault.CLOSE);

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void connectionResetIsTransientUnavailable() {
        BackendException error = failureWithFault(Fault.RESET);

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void cancellingAStalledCallClosesTheBackendConnection() {
        server.defaultReply(Reply.failing(Fault.STALL));
        OpenAiEndpoint endpoint = endpoint(FULL);

        StepVerifier.create(endpoint.generate(ask("hi")))
                .then(() -> server.awaitCalls(1, WAIT))
                .then(() -> assertThat(server.openConnections()).isEqualTo(1))
                .thenCancel()
                .verify(WAIT);

        server.awaitNoOpenConnections(Duration.ofSeconds(1));
    }

    @Test
    void apiKeyReachesTheBackendButNeverAnError() throws IOException {
        Secret key = new Secret(CANARY);
        List<BackendException> errors = new ArrayList<>();
        for (Fault fault : List.of(Fault.UNAUTHORIZED, Fault.HTTP_ERROR, Fault.MALFORMED_JSON, Fault.CLOSE)) {
            server.defaultReply(Reply.failing(fault));
            errors.add(failure(endpoint(server.baseUri(), FULL, key), ask("hi")));
        }
        URI dead = URI.create("http://127.0.0.1:" + closedPort() + "/v1");
        errors.add(failure(endpoint(dead, FULL, key), ask("hi")));

        assertThat(server.received())
                .hasSize(4)
                .allSatisfy(
                        received -> assertThat(received.header("authorization")).isEqualTo("Bearer " + CANARY));
        assertThat(errors.get(0)).isInstanceOf(BackendException.Rejected.class);
        assertThat(errors.get(0).getMessage())
                .isEqualTo("local: backend answered HTTP 401: Incorrect API key provided: Bearer ****");
        assertThat(errors).allSatisfy(OpenAiEndpointTests::assertNoCanary);
    }

    static void assertNoCanary(Throwable error) {
        List<Throwable> seen = new ArrayList<>();
        collect(error, seen);
        assertThat(seen).isNotEmpty().allSatisfy(t -> {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(CANARY);
            assertThat(t.toString()).doesNotContain(CANARY);
            assertThat(String.valueOf(t.getLocalizedMessage())).doesNotContain(CANARY);
        });
    }

    private static void collect(Throwable error, List<Throwable> seen) {
        if (error == null || seen.contains(error)) {
            return;
        }
        seen.add(error);
        collect(error.getCause(), seen);
        for (Throwable suppressed : error.getSuppressed()) {
            collect(suppressed, seen);
        }
    }
}
