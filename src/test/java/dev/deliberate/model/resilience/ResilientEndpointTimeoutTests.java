package dev.deliberate.model.resilience;

import static dev.deliberate.model.resilience.ResilientEndpointTests.REQUEST;
import static dev.deliberate.model.resilience.ResilientEndpointTests.VERIFY;
import static dev.deliberate.model.resilience.ResilientEndpointTests.scripted;
import static dev.deliberate.model.resilience.ResilientEndpointTests.settings;
import static dev.deliberate.model.resilience.ResilientEndpointTests.withAttempts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.testkit.ScriptedEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Per-attempt timeouts in virtual time: total 5 s for a reply; for a stream 2 s to the first chunk, 1 s between
 * chunks and 5 s in all. Each timeout must cancel the backend call and free the bulkhead permit.
 */
class ResilientEndpointTimeoutTests {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stopTime() {
        time.dispose();
        VirtualTimeScheduler.reset();
    }

    private ResilientEndpoint resilient(ScriptedEndpoint delegate, int maxAttempts) {
        return new ResilientEndpoint(delegate, withAttempts(settings(), maxAttempts), meters, time);
    }

    @Test
    void generateTimesOutAfterTotalAndCancelsBackend() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, 1);

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(4_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Timeout.class)
                        .hasMessage("local: no reply within 5s"))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
        assertThat(delegate.cancellations()).isEqualTo(1);
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void retriesEachTimedOutAttempt() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, 2);

        StepVerifier.withVirtualTime(() -> endpoint.generate(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(5_200))
                .then(() -> assertThat(delegate.calls()).isEqualTo(2))
                .expectNoEvent(Duration.ofMillis(4_999))
                .thenAwait(Duration.ofMillis(1))
                .expectError(BackendException.Timeout.class)
                .verify(VERIFY);

        assertThat(delegate.cancellations()).isEqualTo(2);
    }

    @Test
    void streamTimesOutWithoutFirstChunk() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, 1);

        StepVerifier.withVirtualTime(() -> endpoint.stream(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(1_999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Timeout.class)
                        .hasMessage("local: no first chunk within 2s"))
                .verify(VERIFY);

        assertThat(delegate.cancellations()).isEqualTo(1);
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void streamTimesOutWhenIdleAfterChunkWithoutRetry() {
        ScriptedEndpoint delegate = ScriptedEndpoint.streaming(
                "local", (request, call) -> Flux.concat(Flux.just(GenerationChunk.delta(0, "par")), Flux.never()));
        ResilientEndpoint endpoint = resilient(delegate, 3);

        StepVerifier.withVirtualTime(() -> endpoint.stream(REQUEST), () -> time, Long.MAX_VALUE)
                .expectNext(GenerationChunk.delta(0, "par"))
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Timeout.class)
                        .hasMessage("local: stalled: no chunk for 1s"))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
        assertThat(delegate.cancellations()).isEqualTo(1);
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void streamTimesOutAfterTotalEvenWhileChunksFlow() {
        ScriptedEndpoint delegate = ScriptedEndpoint.streaming(
                "local",
                (request, call) ->
                        Flux.interval(Duration.ofMillis(400), time).map(tick -> GenerationChunk.delta(0, "t")));
        ResilientEndpoint endpoint = resilient(delegate, 3);

        StepVerifier.withVirtualTime(() -> endpoint.stream(REQUEST), () -> time, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(4_999))
                .expectNextCount(12)
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Timeout.class)
                        .hasMessage("local: stream not finished within 5s"))
                .verify(VERIFY);

        assertThat(delegate.calls()).isEqualTo(1);
        assertThat(delegate.cancellations()).isEqualTo(1);
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void timeoutsStartWhenAttemptLeavesQueue() {
        ScriptedEndpoint delegate = ScriptedEndpoint.streaming(
                "local",
                (request, call) ->
                        Flux.interval(Duration.ofMillis(400), time).map(tick -> GenerationChunk.delta(0, "t")));
        ResilientEndpoint endpoint =
                new ResilientEndpoint(delegate, withAttempts(settings(), 1).withConcurrency(1, 1), meters, time);
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        AtomicReference<Throwable> secondError = new AtomicReference<>();
        endpoint.stream(REQUEST).subscribe(chunk -> {}, firstError::set);
        endpoint.stream(REQUEST).subscribe(chunk -> {}, secondError::set);

        time.advanceTimeBy(Duration.ofMillis(9_999));

        assertThat(firstError.get()).hasMessage("local: stream not finished within 5s");
        assertThat(secondError.get()).isNull();
        assertThat(delegate.calls()).isEqualTo(2);
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(secondError.get()).hasMessage("local: stream not finished within 5s");
        assertThat(endpoint.inFlight()).isZero();
    }
}
