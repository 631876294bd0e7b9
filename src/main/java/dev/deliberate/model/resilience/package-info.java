/**
 * Per-endpoint resilience: {@link dev.deliberate.model.resilience.ResilientEndpoint} decorates any
 * {@link dev.deliberate.model.Endpoint} with Resilience4j's retry, circuit breaker and bulkhead plus Reactor
 * timeouts, configured from {@link dev.deliberate.model.EndpointSettings} and measured in Micrometer. Depends only on
 * {@code dev.deliberate.model}.
 *
 * <p>The order, outermost first, is retry, circuit breaker, bulkhead (with a bounded queue), timeouts, backend call.
 * Retry is outside the breaker, so the breaker records every attempt and an open breaker ends the retries at once
 * (its refusal is a non-retriable {@code Unavailable}). The bulkhead is inside the retry, so the wait between two
 * attempts holds no permit, and inside the breaker, so that a full bulkhead (a local overload, ignored by the breaker)
 * never opens the circuit. Timeouts are innermost: they bound one attempt, not the time spent queueing, and the
 * timeout's cancellation of the backend call frees the permit. The retry waits run on the endpoint's scheduler rather
 * than Resilience4j's {@code RetryOperator}, which always waits on the global parallel scheduler; the retry decisions,
 * events and metrics are still Resilience4j's. {@code docs/resilience.md} describes the settings for users.
 */
@NullMarked
package dev.deliberate.model.resilience;

import org.jspecify.annotations.NullMarked;
