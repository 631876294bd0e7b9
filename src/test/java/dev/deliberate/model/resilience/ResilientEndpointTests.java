package dev.deliberate.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.BreakerSettings;
import dev.deliberate.model.EndpointSettings.RetrySettings;
import dev.deliberate.model.EndpointSettings.Timeouts;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Retry, circuit breaker and their order, against real Resilience4j instances with tiny windows and virtual time.
 * Settings unless a test says otherwise: 3 attempts with backoff 200 ms doubling, Retry-After honoured up to 5 s; a
 * breaker over 4 calls that opens at 50 % failures after 2 calls and half-opens after 10 s for 1 trial call.
 */
class ResilientEndpointTests {

    static final GenerationRequest REQUEST = GenerationRequest.of(List.of(ChatMessage.user("What is 2+2?")));
    static final Duration VERIFY = Duration.ofSeconds(5);

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stopTime() {
        time.dispose();
        VirtualTimeScheduler.reset();
    }

    static EndpointSettings settings() {
        return EndpointSettings.of("openai", URI.create("http://127.0.0.1:9/v1"), "m")
                .withRetry(new RetrySettings(3, Duration.ofMillis(200), 2.0, Duration.ofSeconds(5)))
                .withBreaker(new BreakerSettings(4, 2, 50f, Duration.ofSeconds(10), 1))
                .withConcurrency(8, 8)
                .withTimeouts(new Timeouts(
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(5)));
    }

    static EndpointSettings withAttempts(EndpointSettings settings, int maxAttempts) {
        return settings.withRetry(new RetrySettings(maxAttempts, Duration.ofMillis(200), 2.0, Duration.ofSeconds(5)));
    }

    static ScriptedEndpoint scripted(ScriptedEndpoint.Script script) {
        return new ScriptedEndpoint("local", Capabilities.full(Capabilities.Source.CONFIGURED), script);
    }

    static Generation generation(String text) {
        return ScriptedEndpoint.generation("local", List.of(ScriptedEndpoint.choice(0, text)));
    }

    static Mono<Generation> answer(String text) {
        return Mono.just(generation(text));
    }

    static BackendException.Unavailable transientFailure(int call) {
        return new BackendException.Unavailable("local", "503 on call " + call, true, null);
    }

    private ResilientEndpoint resilient(Endpoint delegate, EndpointSettings settings) {
        return new ResilientEndpoint(delegate, settings, meters, time);
    }

    private double bufferedBreakerCalls(String kind) {
        return meters.get("resilience4j.circuitbreaker.buffered.calls")
                .tags("name", "local", "kind", kind)
                .gauge()
                .value();
    }

    // --- retry

    @Test
    void retriesTransientFailureWithExponentialBackoffThenSucceeds() {
        ScriptedEndpoint delegate =
                scripted((request, call) -> call < 2 ? Mono.error(transientFailure(call)) : answer("4"));
        ResilientEndpoint endpoint = resilient(delegate, settings().withBreaker(BreakerSettings.DEFAULTS));

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(199))
                .then(() -> assertThat(delegate.calls()).isEqualTo(1))
                .thenAwait(Duration.ofMillis(1))
                .then(() -> assertThat(delegate.calls()).isEqualTo(2))
                .expectNoEvent(Duration.ofMillis(399))
                .then(() -> assertThat(delegate.calls()).isEqualTo(2))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(generation -> assertThat(generation.text()).isEqualTo("4"))
                .expectComplete()
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(3);
        assertThat(meters.get("resilience4j.retry.calls")
                        .tags("name", "local", "kind", "successful_with_retry")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void returnsLastFailureWhenAttemptsRunOut() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.error(transientFailure(call)));
        ResilientEndpoint endpoint = resilient(delegate, settings().withBreaker(BreakerSettings.DEFAULTS));

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(600))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Unavailable.class)
                        .hasMessage("local: 503 on call 2"))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(3);
    }

    @Test
    void neverRetriesRejectedAndLeavesBreakerUntouched() {
        BackendException.Rejected rejected = new BackendException.Rejected("local", "context overflow", 400, true);
        ScriptedEndpoint delegate = ScriptedEndpoint.failing("local", rejected);
        ResilientEndpoint endpoint = resilient(delegate, settings());

        for (int i = 0; i < 4; i++) {
            StepVerifier.create(endpoint.generate(REQUEST))
                    .expectErrorSatisfies(error -> assertThat(error).isSameAs(rejected))
                    .verify(VERIFY);
        }

        assertThat(delegate.calls()).isEqualTo(4);
        assertThat(endpoint.breakerState()).isEqualTo("CLOSED");
        assertThat(bufferedBreakerCalls("failed")).isZero();
        assertThat(bufferedBreakerCalls("successful")).isZero();
    }

    @Test
    void waitsExactlyRetryAfterOfRateLimitedThenSucceeds() {
        ScriptedEndpoint delegate = scripted((request, call) -> call == 0
                ? Mono.error(new BackendException.RateLimited("local", "429", Duration.ofSeconds(1)))
                : answer("4"));
        ResilientEndpoint endpoint = resilient(delegate, settings());

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(delegate.calls()).isEqualTo(1))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(generation -> assertThat(generation.text()).isEqualTo("4"))
                .expectComplete()
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(2);
        assertThat(bufferedBreakerCalls("failed")).isZero();
    }

    @Test
    void failsAtOnceWhenRetryAfterExceedsCap() {
        BackendException.RateLimited limited = new BackendException.RateLimited("local", "429", Duration.ofSeconds(6));
        ScriptedEndpoint delegate = ScriptedEndpoint.failing("local", limited);
        ResilientEndpoint endpoint = resilient(delegate, settings());

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(limited))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
    }

    @Test
    void passesUnexpectedErrorsThroughWithoutRetry() {
        IllegalStateException bug = new IllegalStateException("bug in the endpoint");
        ScriptedEndpoint delegate = ScriptedEndpoint.failing("local", bug);
        ResilientEndpoint endpoint = resilient(delegate, settings());

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(bug))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
        assertThat(bufferedBreakerCalls("failed")).isZero();
    }

    // --- streams

    @Test
    void retriesStreamThatFailsBeforeFirstChunk() {
        ScriptedEndpoint delegate =
                scripted((request, call) -> call == 0 ? Mono.error(transientFailure(call)) : answer("two words"));
        ResilientEndpoint endpoint = resilient(delegate, settings());

        StepVerifier.withVirtualTime(() -> endpoint.stream(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(199))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(GenerationChunk.delta(0, "two "), GenerationChunk.delta(0, "words"))
                .assertNext(chunk -> assertThat(chunk.finishReason()).isEqualTo("stop"))
                .assertNext(chunk -> assertThat(chunk.isUsageOnly()).isTrue())
                .expectComplete()
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(2);
    }

    @Test
    void neverRetriesStreamAfterFirstChunk() {
        BackendException.BadReply cut = new BackendException.BadReply("local", "stream cut short", null);
        ScriptedEndpoint delegate = ScriptedEndpoint.streaming(
                "local",
                (request, call) -> Flux.just(GenerationChunk.delta(0, "par")).concatWith(Mono.error(cut)));
        ResilientEndpoint endpoint = resilient(delegate, settings());

        StepVerifier.withVirtualTime(() -> endpoint.stream(REQUEST), () -> time, Long.MAX_VALUE)
                .expectNext(GenerationChunk.delta(0, "par"))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(cut))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
        assertThat(bufferedBreakerCalls("failed")).isEqualTo(1.0);
    }

    // --- circuit breaker and the order of decoration

    @Test
    void openBreakerEndsRetriesAtOnce() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.error(transientFailure(call)));
        ResilientEndpoint endpoint = resilient(delegate, withAttempts(settings(), 5));

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(600))
                .expectErrorSatisfies(error -> {
                    assertThat(error)
                            .isInstanceOf(BackendException.Unavailable.class)
                            .hasMessage("local: circuit open");
                    assertThat(((BackendException) error).retriable()).isFalse();
                })
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(2);
        assertThat(endpoint.breakerState()).isEqualTo("OPEN");
    }

    @Test
    void shortCircuitsWhileOpenWithoutReachingDelegate() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.error(transientFailure(call)));
        ResilientEndpoint endpoint = resilient(delegate, withAttempts(settings(), 1));
        for (int i = 0; i < 2; i++) {
            StepVerifier.create(endpoint.generate(REQUEST))
                    .expectError(BackendException.Unavailable.class)
                    .verify(VERIFY);
        }

        StepVerifier.create(endpoint.generate(REQUEST))
                .expectErrorMessage("local: circuit open")
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(2);
        assertThat(endpoint.breakerState()).isEqualTo("OPEN");
        assertThat(meters.get("resilience4j.circuitbreaker.not.permitted.calls")
                        .tags("name", "local", "kind", "not_permitted")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void halfOpensOnFirstCallAfterWaitAndClosesOnSuccess() {
        ScriptedEndpoint delegate =
                scripted((request, call) -> call < 2 ? Mono.error(transientFailure(call)) : answer("4"));
        ResilientEndpoint endpoint = resilient(delegate, withAttempts(settings(), 1));
        for (int i = 0; i < 2; i++) {
            StepVerifier.create(endpoint.generate(REQUEST))
                    .expectError(BackendException.Unavailable.class)
                    .verify(VERIFY);
        }
        time.advanceTimeBy(Duration.ofMillis(9_999));
        StepVerifier.create(endpoint.generate(REQUEST))
                .expectErrorMessage("local: circuit open")
                .verify(VERIFY);
        time.advanceTimeBy(Duration.ofMillis(2));
        assertThat(endpoint.breakerState()).isEqualTo("OPEN");

        StepVerifier.create(endpoint.generate(REQUEST))
                .assertNext(generation -> assertThat(generation.text()).isEqualTo("4"))
                .expectComplete()
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(3);
        assertThat(endpoint.breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void fullBulkheadDoesNotOpenBreaker() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, settings().withConcurrency(1, 0));
        Disposable running = endpoint.generate(REQUEST).subscribe();

        for (int i = 0; i < 4; i++) {
            StepVerifier.create(endpoint.generate(REQUEST))
                    .expectErrorMessage("local: busy: 1 in flight, 0 queued")
                    .verify(VERIFY);
        }

        assertThat(endpoint.breakerState()).isEqualTo("CLOSED");
        assertThat(bufferedBreakerCalls("failed")).isZero();
        assertThat(delegate.calls()).isEqualTo(1);
        running.dispose();
    }

    @Test
    void cancellationCountsNeitherAsFailureNorAsSuccess() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, settings().withConcurrency(20, 0));
        List<Disposable> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(endpoint.generate(REQUEST).subscribe());
        }

        calls.forEach(Disposable::dispose);

        assertThat(delegate.calls()).isEqualTo(20);
        assertThat(delegate.cancellations()).isEqualTo(20);
        assertThat(endpoint.breakerState()).isEqualTo("CLOSED");
        assertThat(bufferedBreakerCalls("failed")).isZero();
        assertThat(bufferedBreakerCalls("successful")).isZero();
        assertThat(endpoint.inFlight()).isZero();
    }

    // --- metrics and state

    @Test
    void measuresCallsByOperationAndOutcome() {
        ScriptedEndpoint delegate = scripted((request, call) -> call == 1
                ? Mono.error(new BackendException.Rejected("local", "bad request", 400, false))
                : call == 3 ? Mono.never() : answer("4"));
        ResilientEndpoint endpoint = resilient(delegate, settings().withConcurrency(2, 1));

        StepVerifier.create(endpoint.generate(REQUEST))
                .expectNextCount(1)
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(endpoint.generate(REQUEST))
                .expectError(BackendException.Rejected.class)
                .verify(VERIFY);
        StepVerifier.create(endpoint.stream(REQUEST))
                .expectNextCount(3)
                .expectComplete()
                .verify(VERIFY);
        StepVerifier.create(endpoint.stream(REQUEST)).thenCancel().verify(VERIFY);

        assertThat(calls("generate", "success")).isEqualTo(1);
        assertThat(calls("generate", "error")).isEqualTo(1);
        assertThat(calls("stream", "success")).isEqualTo(1);
        assertThat(calls("stream", "cancelled")).isEqualTo(1);
        assertThat(meters.find(ResilientEndpoint.CALLS_METER).timers()).hasSize(4);
        assertThat(meters.get("resilience4j.bulkhead.max.allowed.concurrent.calls")
                        .tag("name", "local")
                        .gauge()
                        .value())
                .isEqualTo(2.0);
        assertThat(meters.get("resilience4j.circuitbreaker.state")
                        .tags("name", "local", "state", "closed")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(meters.get(ResilientEndpoint.QUEUED_METER)
                        .tag("endpoint", "local")
                        .gauge()
                        .value())
                .isZero();
        assertThat(bufferedBreakerCalls("successful")).isEqualTo(2.0);
    }

    private long calls(String operation, String outcome) {
        return meters.get(ResilientEndpoint.CALLS_METER)
                .tags("endpoint", "local", "operation", operation, "outcome", outcome)
                .timer()
                .count();
    }

    @Test
    void delegatesNameKindAndCapabilities() {
        ScriptedEndpoint delegate = ScriptedEndpoint.cycling("local", "4");

        ResilientEndpoint endpoint = resilient(delegate, settings());

        assertThat(endpoint.name()).isEqualTo("local");
        assertThat(endpoint.kind()).isEqualTo("scripted");
        assertThat(endpoint.capabilities()).isEqualTo(delegate.capabilities());
    }
}
