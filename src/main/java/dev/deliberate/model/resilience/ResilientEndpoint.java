package dev.deliberate.model.resilience;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * An {@link Endpoint} decorator that gives one backend retries, a circuit breaker, a bulkhead with a bounded queue
 * and per-attempt timeouts, configured from {@link EndpointSettings} and measured in Micrometer.
 *
 * <p>Each call passes, outermost first: retry, circuit breaker, bulkhead, timeouts, the delegate. The package
 * documentation says why in this order. Streams are retried only while no chunk has gone downstream. Cancelling a
 * call cancels the delegate, frees its bulkhead permit and counts neither as a success nor as a failure for the
 * breaker. Nothing here blocks: waits (backoff, queue, timeouts) are timers or parked subscribers.
 */
public final class ResilientEndpoint implements Endpoint {

    /** Timer of whole calls (all attempts), tagged {@code endpoint}, {@code operation} and {@code outcome}. */
    public static final String CALLS_METER = "deliberate.endpoint.calls";
    /** Gauge of calls waiting in the bulkhead queue, tagged {@code endpoint}. */
    public static final String QUEUED_METER = "deliberate.endpoint.queued";

    private final Endpoint delegate;
    private final EndpointSettings.Timeouts timeouts;
    private final Scheduler scheduler;
    private final MeterRegistry meterRegistry;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final QueueingBulkhead bulkhead;

    public ResilientEndpoint(Endpoint delegate, EndpointSettings settings, MeterRegistry meterRegistry) {
        this(delegate, settings, meterRegistry, Schedulers.parallel());
    }

    /**
     * @param scheduler runs the timeouts and the waits between attempts, and is the circuit breaker's clock; tests
     *     pass a {@code VirtualTimeScheduler}
     */
    public ResilientEndpoint(
            Endpoint delegate, EndpointSettings settings, MeterRegistry meterRegistry, Scheduler scheduler) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timeouts = settings.timeouts();
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        String name = delegate.name();

        RetryRegistry retries = RetryRegistry.of(retryConfig(settings.retry()));
        this.retry = retries.retry(name);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meterRegistry);

        CircuitBreakerRegistry breakers =
                CircuitBreakerRegistry.of(breakerConfig(settings.breaker(), new SchedulerClock(scheduler)));
        this.breaker = breakers.circuitBreaker(name);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meterRegistry);

        BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(Objects.requireNonNull(settings.maxConcurrency(), "maxConcurrency"))
                .maxWaitDuration(Duration.ZERO)
                .build());
        this.bulkhead = new QueueingBulkhead(
                name, bulkheads.bulkhead(name), Objects.requireNonNull(settings.maxQueue(), "maxQueue"));
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meterRegistry);
        Gauge.builder(QUEUED_METER, bulkhead, QueueingBulkhead::queued)
                .tag("endpoint", name)
                .description("calls waiting for a bulkhead permit")
                .register(meterRegistry);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String model() {
        return delegate.model();
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        Mono<Generation> attempt = Mono.defer(() -> delegate.generate(request))
                .timeout(
                        timeouts.total(),
                        Mono.error(() -> timeout("no reply within " + format(timeouts.total()))),
                        scheduler)
                .transform(bulkhead::guard)
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorMap(CallNotPermittedException.class, this::circuitOpen);
        return attempt.transformDeferred(this::retried)
                .checkpoint(name() + " generate")
                .transformDeferred(calls -> measured(calls, "generate"));
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        Flux<GenerationChunk> attempt = Flux.defer(() -> {
            AtomicBoolean emitted = new AtomicBoolean();
            return timedStream(request)
                    .transform(bulkhead::guard)
                    .transformDeferred(CircuitBreakerOperator.of(breaker))
                    .onErrorMap(CallNotPermittedException.class, this::circuitOpen)
                    .doOnNext(chunk -> emitted.set(true))
                    .onErrorMap(error -> emitted.get(), StreamCommitted::new);
        });
        return attempt.transformDeferred(this::retried)
                .onErrorMap(StreamCommitted.class, Throwable::getCause)
                .checkpoint(name() + " stream")
                .transformDeferred(calls -> measured(calls, "stream"));
    }

    // Subscribed once the attempt holds a permit, so that time spent queueing does not count.
    private Flux<GenerationChunk> timedStream(GenerationRequest request) {
        return Flux.defer(() -> {
            AtomicBoolean started = new AtomicBoolean();
            // One timeout operator for all three limits: each wait is cut short by the attempt's deadline. (An
            // extra takeUntilOther(deadline) would not do: it errors without cancelling the backend stream.)
            long deadline = now() + timeouts.total().toMillis();
            return delegate.stream(request)
                    .doOnNext(chunk -> started.set(true))
                    .timeout(
                            Mono.delay(untilDeadline(timeouts.firstByte(), deadline), scheduler),
                            chunk -> Mono.delay(untilDeadline(timeouts.idle(), deadline), scheduler),
                            Flux.error(() -> now() >= deadline
                                    ? timeout("stream not finished within " + format(timeouts.total()))
                                    : started.get()
                                            ? timeout("stalled: no chunk for " + format(timeouts.idle()))
                                            : timeout("no first chunk within " + format(timeouts.firstByte()))));
        });
    }

    /** The circuit breaker's state: {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN} (or a forced state). */
    public String breakerState() {
        return breaker.getState().name();
    }

    /** Calls holding a bulkhead permit now. */
    public int inFlight() {
        return bulkhead.inFlight();
    }

    /** Calls waiting for a bulkhead permit now. */
    public int queued() {
        return bulkhead.queued();
    }

    // Resilience4j's RetryOperator waits with Mono.delay on the global parallel scheduler; this loop is the same
    // around the same Retry context (so its events and metrics stay true) but waits on our scheduler.
    private Mono<Generation> retried(Mono<Generation> attempts) {
        return Mono.defer(() -> {
            Retry.AsyncContext<Generation> context = retry.asyncContext();
            return attempts.retryWhen(waitsOf(context)).doOnSuccess(generation -> context.onComplete());
        });
    }

    private Flux<GenerationChunk> retried(Flux<GenerationChunk> attempts) {
        return Flux.defer(() -> {
            Retry.AsyncContext<GenerationChunk> context = retry.asyncContext();
            return attempts.retryWhen(waitsOf(context)).doOnComplete(context::onComplete);
        });
    }

    private reactor.util.retry.Retry waitsOf(Retry.AsyncContext<?> context) {
        return reactor.util.retry.Retry.from(failures -> failures.concatMap(signal -> {
            Throwable failure = signal.failure();
            long waitMillis = context.onError(failure);
            return waitMillis < 0 ? Mono.error(failure) : Mono.delay(Duration.ofMillis(waitMillis), scheduler);
        }));
    }

    private <T> Publisher<T> measured(Mono<T> calls, String operation) {
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(meterRegistry);
            return calls.doFinally(signal -> sample.stop(callTimer(operation, signal)));
        });
    }

    private <T> Publisher<T> measured(Flux<T> calls, String operation) {
        return Flux.defer(() -> {
            Timer.Sample sample = Timer.start(meterRegistry);
            return calls.doFinally(signal -> sample.stop(callTimer(operation, signal)));
        });
    }

    private Timer callTimer(String operation, SignalType signal) {
        String outcome = switch (signal) {
            case ON_COMPLETE -> "success";
            case CANCEL -> "cancelled";
            default -> "error";
        };
        return Timer.builder(CALLS_METER)
                .description("calls to a model endpoint, all attempts included")
                .tags("endpoint", name(), "operation", operation, "outcome", outcome)
                .register(meterRegistry);
    }

    private long now() {
        return scheduler.now(TimeUnit.MILLISECONDS);
    }

    private Duration untilDeadline(Duration limit, long deadline) {
        return Duration.ofMillis(Math.max(0, Math.min(limit.toMillis(), deadline - now())));
    }

    private BackendException.Timeout timeout(String message) {
        return new BackendException.Timeout(name(), message);
    }

    private BackendException circuitOpen(CallNotPermittedException cause) {
        return new BackendException.Unavailable(name(), "circuit open", false, cause);
    }

    private static RetryConfig retryConfig(EndpointSettings.RetrySettings settings) {
        IntervalBiFunction<Object> interval = (attempt, outcome) -> {
            if (outcome.isLeft()
                    && outcome.getLeft() instanceof BackendException.RateLimited limited
                    && limited.retryAfter() != null) {
                return limited.retryAfter().toMillis();
            }
            return Math.round(settings.initialBackoff().toMillis() * Math.pow(settings.multiplier(), attempt - 1));
        };
        return RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .retryOnException(error -> retriable(error, settings.maxRetryAfter()))
                .intervalBiFunction(interval)
                .failAfterMaxAttempts(false)
                .build();
    }

    /** A retriable backend failure, except a 429 that asks to wait longer than we will. */
    private static boolean retriable(Throwable error, Duration maxRetryAfter) {
        if (!(error instanceof BackendException backend) || !backend.retriable()) {
            return false;
        }
        if (backend instanceof BackendException.RateLimited limited && limited.retryAfter() != null) {
            return limited.retryAfter().compareTo(maxRetryAfter) <= 0;
        }
        return true;
    }

    private static CircuitBreakerConfig breakerConfig(EndpointSettings.BreakerSettings settings, Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.windowSize())
                // Calls finish on event loops: the default window takes a lock, which two loops can contend.
                .slidingWindowSynchronizationStrategy(
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .minimumNumberOfCalls(settings.minimumCalls())
                .failureRateThreshold(settings.failureRateThreshold())
                .waitDurationInOpenState(settings.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(settings.permittedCallsInHalfOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                // A failure that says nothing about the backend's health (400, 429, our own bugs, a full
                // bulkhead) is ignored: counted neither as a failure nor as a success.
                .recordException(ResilientEndpoint::countsAgainstBackend)
                .ignoreException(error -> !countsAgainstBackend(error))
                .clock(clock)
                .build();
    }

    private static boolean countsAgainstBackend(Throwable error) {
        return error instanceof BackendException backend && backend.countsAgainstBackend();
    }

    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Marks a stream failure after a chunk went out, so that the retry lets it through; unwrapped outside. */
    private static final class StreamCommitted extends RuntimeException {
        StreamCommitted(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** The scheduler's time as a clock, so that the breaker's open-state wait follows virtual time in tests. */
    private static final class SchedulerClock extends Clock {
        private final Scheduler scheduler;

        SchedulerClock(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(scheduler.now(TimeUnit.MILLISECONDS));
        }
    }
}
