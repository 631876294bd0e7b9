package dev.deliberate.model;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A configured model backend.
 *
 * <p>Both methods are lazy and non-blocking: nothing is sent until subscription, blocking clients run on a bounded
 * scheduler, and cancelling the subscription aborts the backend call (an HTTP backend sees its connection close).
 * Failures arrive as {@link BackendException}s, classified once here so that callers can decide about retries and
 * status codes without knowing the backend.
 */
public interface Endpoint {

    /** The configured name, e.g. {@code local}. */
    String name();

    /** The {@code kind} this endpoint was configured with, e.g. {@code openai}. */
    String kind();

    /** The backend's model name, as configured (informational). */
    default String model() {
        return "";
    }

    /** {@code request.n()} completions; where the backend lacks {@code n > 1} the endpoint fans out. */
    Mono<Generation> generate(GenerationRequest request);

    /**
     * The completions as per-choice deltas. The stream completes only after every choice has a finish reason; a
     * stream that ends early is an error, never a short success.
     */
    Flux<GenerationChunk> stream(GenerationRequest request);

    Capabilities capabilities();
}
