package dev.deliberate.model.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Provider failures at the HTTP boundary, as the two kinds classify them. */
class LangChain4jErrorMappingTests {

    private static final String CANARY_KEY = "sk-canary-5f3a9c1e7b2d4068";
    private static final GenerationRequest REQUEST =
            GenerationRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")));

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
    void openAiRateLimitIsRateLimitedWithoutRetryAfter() {
        server.enqueue(error(429, """
                {"error":{"message":"Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3.",
                 "type":"requests","param":null,"code":"rate_limit_exceeded"}}"""));

        BackendException error = failure(openAi().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.RateLimited.class);
        assertThat(((BackendException.RateLimited) error).retryAfter()).isNull();
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage())
                .isEqualTo("server: rate limited (429): Rate limit reached for gpt-4o-mini on requests per min"
                        + " (RPM): Limit 3, Used 3.");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void openAiServerErrorIsRetriableUnavailableAndLangChain4jDoesNotRetry() {
        server.enqueue(error(500, """
                {"error":{"message":"The server had an error while processing your request.",
                 "type":"server_error","param":null,"code":null}}"""));
        server.enqueue(LangChain4jEndpointTests.json(LangChain4jEndpointTests.openAiCompletion("late", "stop", 1, 1)));

        BackendException error = failure(openAi().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage())
                .isEqualTo("server: server error (500): The server had an error while processing your request.");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void openAiContextLengthIsRejectedAsContextOverflow() {
        server.enqueue(error(400, """
                {"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages \
                resulted in 130532 tokens. Please reduce the length of the messages.",
                 "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""));

        BackendException error = failure(openAi().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        BackendException.Rejected rejected = (BackendException.Rejected) error;
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(rejected.contextOverflow()).isTrue();
        assertThat(rejected.retriable()).isFalse();
        assertThat(rejected.getMessage()).startsWith("server: request rejected (400): This model's maximum context");
    }

    @Test
    void otherBadRequestIsRejectedWithoutContextOverflow() {
        server.enqueue(error(400, """
                {"error":{"message":"Invalid value for 'temperature': must be between 0 and 2.",
                 "type":"invalid_request_error","param":"temperature","code":"invalid_value"}}"""));

        BackendException error = failure(openAi().generate(REQUEST.withTemperature(3.0)));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        assertThat(((BackendException.Rejected) error).contextOverflow()).isFalse();
        assertThat(error.getMessage())
                .isEqualTo("server: request rejected (400): Invalid value for 'temperature': must be between 0 and 2.");
    }

    @Test
    void anthropicPromptTooLongIsRejectedAsContextOverflow() {
        server.enqueue(error(400, """
                {"type":"error","error":{"type":"invalid_request_error",
                 "message":"prompt is too long: 210345 tokens > 200000 maximum"}}"""));

        BackendException error = failure(anthropic().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        assertThat(((BackendException.Rejected) error).contextOverflow()).isTrue();
        assertThat(error.getMessage())
                .isEqualTo("server: request rejected (400): prompt is too long: 210345 tokens > 200000 maximum");
    }

    @Test
    void anthropicOverloadedIsRetriableUnavailable() {
        server.enqueue(error(529, """
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"""));

        BackendException error = failure(anthropic().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("server: server error (529): Overloaded");
    }

    @Test
    void authenticationFailureIsRejectedAndNeverShowsTheKey() {
        server.enqueue(error(401, """
                {"error":{"message":"Incorrect API key provided: %s. You can find your API key at \
                https://platform.example/account/api-keys.","type":"invalid_request_error","param":null,
                 "code":"invalid_api_key"}}""".formatted(CANARY_KEY)));

        BackendException error = failure(openAi().generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        assertThat(((BackendException.Rejected) error).status()).isEqualTo(401);
        assertThat(error.retriable()).isFalse();
        assertThat(error.getMessage()).isEqualTo("server: authentication failed (401)");
        assertNoKeyAnywhere(error);
    }

    @Test
    void keyEchoedInServerErrorIsScrubbed() {
        server.enqueue(error(500, """
                {"error":{"message":"upstream rejected key %s","type":"server_error"}}""".formatted(CANARY_KEY)));

        BackendException error = failure(openAi().generate(REQUEST));

        assertThat(error.getMessage()).isEqualTo("server: server error (500): upstream rejected key ****");
        assertNoKeyAnywhere(error);
    }

    @Test
    void openAiStreamRateLimitIsRateLimited() {
        server.enqueue(error(429, """
                {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"""));

        BackendException error = failure(openAi().stream(REQUEST));

        assertThat(error).isInstanceOf(BackendException.RateLimited.class);
        assertThat(error.getMessage()).isEqualTo("server: rate limited (429): Rate limit reached");
    }

    @Test
    void anthropicStreamServerErrorIsRetriableUnavailable() {
        server.enqueue(error(500, """
                {"type":"error","error":{"type":"api_error","message":"Internal server error"}}"""));

        BackendException error = failure(anthropic().stream(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("server: server error (500): Internal server error");
    }

    @Test
    void refusedConnectionIsRetriableUnavailable() throws IOException {
        MockWebServer closed = new MockWebServer();
        closed.start();
        URI deadUrl = URI.create(closed.url("/v1").toString());
        closed.close();
        EndpointSettings settings = EndpointSettings.of(EndpointSettings.LANGCHAIN4J_OPENAI, deadUrl, "gpt-test")
                .withApiKey(new Secret(CANARY_KEY));

        BackendException error = failure(
                LangChain4jEndpoint.openAi("server", settings, scheduler).generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("server: cannot connect to the provider");
        assertNoKeyAnywhere(error);
    }

    @Test
    void slowProviderTimesOutAfterTheTotalTimeout() {
        server.enqueue(new MockResponse.Builder()
                .headersDelay(3, TimeUnit.SECONDS)
                .body(LangChain4jEndpointTests.openAiCompletion("late", "stop", 1, 1))
                .build());
        EndpointSettings settings = settings(EndpointSettings.LANGCHAIN4J_OPENAI, "/v1", "gpt-test")
                .withTimeouts(new EndpointSettings.Timeouts(Duration.ofSeconds(1), null, null, Duration.ofMillis(300)));

        BackendException error = failure(
                LangChain4jEndpoint.openAi("server", settings, scheduler).generate(REQUEST));

        assertThat(error).isInstanceOf(BackendException.Timeout.class);
        assertThat(error.retriable()).isTrue();
        assertThat(error.getMessage()).isEqualTo("server: timed out waiting for the provider");
    }

    @Test
    void unsupportedRoleIsRejectedWithoutCallingTheProvider() {
        GenerationRequest request = GenerationRequest.of(List.of(new ChatMessage("tool", "42")));

        BackendException error = failure(openAi().generate(request));

        assertThat(error).isInstanceOf(BackendException.Rejected.class);
        assertThat(error.getMessage()).isEqualTo("server: unsupported message role 'tool'");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void streamCutBeforeFinishReasonIsBadReply() {
        String chunk = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Ro\"},"
                + "\"finish_reason\":null}]}\n\n";
        server.enqueue(LangChain4jEndpointTests.sse(chunk));

        StepVerifier.create(openAi().stream(REQUEST))
                .expectNextCount(1)
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(BackendException.BadReply.class);
                    assertThat(error.getMessage()).isEqualTo("server: stream ended without a finish reason");
                })
                .verify(Duration.ofSeconds(5));
    }

    private LangChain4jEndpoint openAi() {
        return LangChain4jEndpoint.openAi(
                "server", settings(EndpointSettings.LANGCHAIN4J_OPENAI, "/v1", "gpt-test"), scheduler);
    }

    private LangChain4jEndpoint anthropic() {
        return LangChain4jEndpoint.anthropic(
                "server", settings(EndpointSettings.LANGCHAIN4J_ANTHROPIC, "/v1/", "claude-test"), scheduler);
    }

    private EndpointSettings settings(String kind, String path, String model) {
        return EndpointSettings.of(kind, URI.create(server.url(path).toString()), model)
                .withApiKey(new Secret(CANARY_KEY));
    }

    private static MockResponse error(int status, String body) {
        return new MockResponse.Builder()
                .code(status)
                .setHeader("Content-Type", "application/json")
                .body(body)
                .build();
    }

    private static BackendException failure(Mono<?> call) {
        return failure(call.flux());
    }

    private static BackendException failure(Flux<?> call) {
        Throwable[] caught = new Throwable[1];
        StepVerifier.create(call.then())
                .expectErrorSatisfies(error -> caught[0] = error)
                .verify(Duration.ofSeconds(5));
        assertThat(caught[0]).isInstanceOf(BackendException.class);
        return (BackendException) caught[0];
    }

    private static void assertNoKeyAnywhere(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage()))
                    .doesNotContain(CANARY_KEY)
                    .doesNotContain("5f3a9c1e");
            assertThat(cause.toString()).doesNotContain(CANARY_KEY);
        }
    }
}
