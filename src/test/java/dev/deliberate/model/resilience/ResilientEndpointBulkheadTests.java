package dev.deliberate.model.resilience;

import static dev.deliberate.model.resilience.ResilientEndpointTests.REQUEST;
import static dev.deliberate.model.resilience.ResilientEndpointTests.answer;
import static dev.deliberate.model.resilience.ResilientEndpointTests.generation;
import static dev.deliberate.model.resilience.ResilientEndpointTests.scripted;
import static dev.deliberate.model.resilience.ResilientEndpointTests.settings;
import static dev.deliberate.model.resilience.ResilientEndpointTests.transientFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.BreakerSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.testkit.ScriptedEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The bulkhead: bounded concurrency, a bounded FIFO queue, fast rejection beyond it, and no permit leaks. */
class ResilientEndpointBulkheadTests {

    private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stopTime() {
        time.dispose();
    }

    private ResilientEndpoint resilient(ScriptedEndpoint delegate, int maxConcurrency, int maxQueue) {
        // The default breaker (10 calls before it judges) keeps these tests about the bulkhead alone.
        EndpointSettings settings =
                settings().withConcurrency(maxConcurrency, maxQueue).withBreaker(BreakerSettings.DEFAULTS);
        return new ResilientEndpoint(delegate, settings, meters, time);
    }

    private double availablePermits() {
        return meters.get("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", "local")
                .gauge()
                .value();
    }

    private static Generation done(CompletableFuture<Generation> call) throws Exception {
        return call.get(5, TimeUnit.SECONDS);
    }

    @Test
    void queuesThirdCallAndRejectsFourthAtOnce() throws Exception {
        List<Sinks.One<Generation>> replies = List.of(Sinks.one(), Sinks.one(), Sinks.one());
        ScriptedEndpoint delegate =
                scripted((request, call) -> replies.get(call).asMono());
        ResilientEndpoint endpoint = resilient(delegate, 2, 1);
        CompletableFuture<Generation> first = endpoint.generate(REQUEST).toFuture();
        CompletableFuture<Generation> second = endpoint.generate(REQUEST).toFuture();
        CompletableFuture<Generation> third = endpoint.generate(REQUEST).toFuture();

        CompletableFuture<Generation> fourth = endpoint.generate(REQUEST).toFuture();

        assertThat(fourth).isCompletedExceptionally();
        ExecutionException rejection =
                catchThrowableOfType(ExecutionException.class, () -> fourth.get(0, TimeUnit.SECONDS));
        assertThat(rejection.getCause())
                .isInstanceOf(BackendException.Unavailable.class)
                .hasMessage("local: busy: 2 in flight, 1 queued");
        assertThat(((BackendException) rejection.getCause()).retriable()).isFalse();
        assertThat(delegate.calls()).isEqualTo(2);
        assertThat(endpoint.inFlight()).isEqualTo(2);
        assertThat(endpoint.queued()).isEqualTo(1);
        assertThat(third).isNotDone();

        replies.get(0).tryEmitValue(generation("one"));

        assertThat(done(first).text()).isEqualTo("one");
        assertThat(delegate.calls()).isEqualTo(3);
        assertThat(endpoint.inFlight()).isEqualTo(2);
        assertThat(endpoint.queued()).isZero();
        replies.get(1).tryEmitValue(generation("two"));
        replies.get(2).tryEmitValue(generation("three"));
        assertThat(done(second).text()).isEqualTo("two");
        assertThat(done(third).text()).isEqualTo("three");
        assertThat(endpoint.inFlight()).isZero();
        assertThat(availablePermits()).isEqualTo(2.0);
        assertThat(endpoint.breakerState()).isEqualTo("CLOSED");
    }

    @Test
    void servesWaitersInArrivalOrder() throws Exception {
        List<Sinks.One<Generation>> replies = List.of(Sinks.one(), Sinks.one(), Sinks.one());
        ScriptedEndpoint delegate =
                scripted((request, call) -> call == 0 ? replies.get(0).asMono() : answer("call " + call));
        ResilientEndpoint endpoint = resilient(delegate, 1, 2);
        CompletableFuture<Generation> running = endpoint.generate(REQUEST).toFuture();
        CompletableFuture<Generation> firstWaiter = endpoint.generate(REQUEST).toFuture();
        CompletableFuture<Generation> secondWaiter = endpoint.generate(REQUEST).toFuture();

        replies.get(0).tryEmitValue(generation("call 0"));

        assertThat(done(running).text()).isEqualTo("call 0");
        assertThat(done(firstWaiter).text()).isEqualTo("call 1");
        assertThat(done(secondWaiter).text()).isEqualTo("call 2");
    }

    @Test
    void cancelledWaiterLeavesQueueWithoutReachingDelegate() {
        ScriptedEndpoint delegate = scripted((request, call) -> Mono.never());
        ResilientEndpoint endpoint = resilient(delegate, 1, 1);
        Disposable running = endpoint.generate(REQUEST).subscribe();
        Disposable waiter = endpoint.generate(REQUEST).subscribe();

        waiter.dispose();

        assertThat(endpoint.queued()).isZero();
        CompletableFuture<Generation> next = endpoint.generate(REQUEST).toFuture();
        assertThat(endpoint.queued()).isEqualTo(1);
        assertThat(next).isNotDone();
        running.dispose();
        assertThat(delegate.calls()).isEqualTo(2);
        assertThat(endpoint.inFlight()).isEqualTo(1);
        assertThat(endpoint.queued()).isZero();
        next.cancel(true);
        assertThat(endpoint.inFlight()).isZero();
        assertThat(delegate.cancellations()).isEqualTo(2);
    }

    @Test
    void backoffBetweenAttemptsHoldsNoPermit() throws Exception {
        ScriptedEndpoint delegate =
                scripted((request, call) -> call == 0 ? Mono.error(transientFailure(call)) : answer("call " + call));
        ResilientEndpoint endpoint = resilient(delegate, 1, 0);
        CompletableFuture<Generation> retried = endpoint.generate(REQUEST).toFuture();
        assertThat(endpoint.inFlight()).isZero();

        CompletableFuture<Generation> other = endpoint.generate(REQUEST).toFuture();
        time.advanceTimeBy(Duration.ofMillis(200));

        assertThat(done(other).text()).isEqualTo("call 1");
        assertThat(done(retried).text()).isEqualTo("call 2");
        assertThat(delegate.calls()).isEqualTo(3);
    }

    @Test
    void callMadeOnCompletionOfAnotherReusesItsPermit() {
        ScriptedEndpoint delegate = scripted((request, call) -> answer("call " + call));
        ResilientEndpoint endpoint = resilient(delegate, 1, 0);

        Mono<Generation> chained = endpoint.generate(REQUEST).flatMap(first -> endpoint.generate(REQUEST));

        StepVerifier.create(chained)
                .assertNext(generation -> assertThat(generation.text()).isEqualTo("call 1"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void streamHoldsPermitUntilItEnds() {
        Sinks.Many<GenerationChunk> chunks = Sinks.many().unicast().onBackpressureBuffer();
        ScriptedEndpoint delegate = ScriptedEndpoint.streaming("local", (request, call) -> chunks.asFlux());
        ResilientEndpoint endpoint = resilient(delegate, 1, 0);
        List<GenerationChunk> received = new ArrayList<>();
        endpoint.stream(REQUEST).subscribe(received::add);

        chunks.tryEmitNext(GenerationChunk.delta(0, "par"));

        assertThat(received).hasSize(1);
        assertThat(endpoint.inFlight()).isEqualTo(1);
        chunks.tryEmitComplete();
        assertThat(endpoint.inFlight()).isZero();
    }

    @Test
    void releasesEveryPermitExactlyOnceAfterMixedCompleteErrorAndCancel() throws TimeoutException {
        // Call numbers (in the order calls reach the backend) decide the outcome: answer, 400, or never (cancelled).
        ScriptedEndpoint delegate = scripted((request, call) -> switch (call % 3) {
            case 0 -> answer("ok");
            case 1 -> Mono.error(new BackendException.Rejected("local", "bad request", 400, false));
            default -> Mono.never();
        });
        ResilientEndpoint endpoint = resilient(delegate, 4, 1000);
        List<Disposable> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(endpoint.generate(REQUEST).subscribe(generation -> {}, error -> {}));
            if (i % 5 == 4) {
                calls.get(i - 2).dispose(); // some queued, some running, some finished
            }
        }

        calls.forEach(Disposable::dispose);

        int reached = delegate.calls();
        long answered = (reached + 2) / 3;
        long rejected = (reached + 1) / 3;
        long hung = reached / 3;
        assertThat(endpoint.inFlight()).isZero();
        assertThat(endpoint.queued()).isZero();
        assertThat(availablePermits()).isEqualTo(4.0);
        assertThat(delegate.cancellations()).isEqualTo((int) hung);
        assertThat(outcomes("success")).isEqualTo(answered);
        assertThat(outcomes("error")).isEqualTo(rejected);
        assertThat(outcomes("cancelled")).isEqualTo(1000 - answered - rejected);
        assertThat(hung).isGreaterThan(100);
        assertThat(1000 - reached).isGreaterThan(100); // calls cancelled while still queued
    }

    private long outcomes(String outcome) {
        return meters.get(ResilientEndpoint.CALLS_METER)
                .tags("endpoint", "local", "operation", "generate", "outcome", outcome)
                .timer()
                .count();
    }
}
