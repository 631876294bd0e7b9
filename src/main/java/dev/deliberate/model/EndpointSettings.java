package dev.deliberate.model;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The configuration of one endpoint ({@code deliberate.endpoints.<name>.*}). Every value has a default, so that a
 * single {@code base-url} is enough to point an endpoint at a server.
 *
 * @param kind {@code openai} (any OpenAI-compatible server), {@code langchain4j-openai}, {@code langchain4j-anthropic}
 *     or {@code djl} (an in-process model, docs/djl.md)
 * @param maxConcurrency calls in flight at once (size it to the server's slots)
 * @param maxQueue calls that may wait for a slot; beyond it a call fails fast as unavailable
 * @param capabilities explicit capabilities; unset values are probed at startup
 * @param modelDir kind {@code djl} only: the directory that holds the model (config.json, tokenizer.json, weights)
 */
public record EndpointSettings(
        String kind,
        @Nullable URI baseUrl,
        String model,
        Secret apiKey,
        @Nullable Integer maxConcurrency,
        @Nullable Integer maxQueue,
        Timeouts timeouts,
        CapabilityOverrides capabilities,
        RetrySettings retry,
        BreakerSettings breaker,
        @Nullable Path modelDir) {

    public static final String OPENAI = "openai";
    public static final String LANGCHAIN4J_OPENAI = "langchain4j-openai";
    public static final String LANGCHAIN4J_ANTHROPIC = "langchain4j-anthropic";
    public static final String DJL = "djl";

    public EndpointSettings {
        kind = kind == null || kind.isBlank() ? OPENAI : kind;
        model = model == null || model.isBlank() ? "default" : model;
        apiKey = apiKey == null ? Secret.NONE : apiKey;
        maxConcurrency = maxConcurrency == null || maxConcurrency <= 0 ? 64 : maxConcurrency;
        maxQueue = maxQueue == null || maxQueue < 0 ? 1024 : maxQueue;
        timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
        capabilities = capabilities == null ? CapabilityOverrides.UNSET : capabilities;
        retry = retry == null ? RetrySettings.DEFAULTS : retry;
        breaker = breaker == null ? BreakerSettings.DEFAULTS : breaker;
    }

    /** Settings with every default, for tests and programmatic use. */
    public static EndpointSettings of(String kind, URI baseUrl, String model) {
        return new EndpointSettings(kind, baseUrl, model, null, null, null, null, null, null, null, null);
    }

    public EndpointSettings withCapabilities(CapabilityOverrides newCapabilities) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                apiKey,
                maxConcurrency,
                maxQueue,
                timeouts,
                newCapabilities,
                retry,
                breaker,
                modelDir);
    }

    /** Settings of kind {@value #DJL} for the model in {@code modelDir}, with every other default. */
    public static EndpointSettings djl(@Nullable Path modelDir) {
        return new EndpointSettings(DJL, null, null, null, null, null, null, null, null, null, modelDir);
    }

    public EndpointSettings withTimeouts(Timeouts newTimeouts) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                apiKey,
                maxConcurrency,
                maxQueue,
                newTimeouts,
                capabilities,
                retry,
                breaker,
                modelDir);
    }

    public EndpointSettings withRetry(RetrySettings newRetry) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                apiKey,
                maxConcurrency,
                maxQueue,
                timeouts,
                capabilities,
                newRetry,
                breaker,
                modelDir);
    }

    public EndpointSettings withBreaker(BreakerSettings newBreaker) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                apiKey,
                maxConcurrency,
                maxQueue,
                timeouts,
                capabilities,
                retry,
                newBreaker,
                modelDir);
    }

    public EndpointSettings withConcurrency(Integer newMaxConcurrency, Integer newMaxQueue) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                apiKey,
                newMaxConcurrency,
                newMaxQueue,
                timeouts,
                capabilities,
                retry,
                breaker,
                modelDir);
    }

    public EndpointSettings withApiKey(Secret newApiKey) {
        return new EndpointSettings(
                kind,
                baseUrl,
                model,
                newApiKey,
                maxConcurrency,
                maxQueue,
                timeouts,
                capabilities,
                retry,
                breaker,
                modelDir);
    }

    /**
     * @param connect TCP connect
     * @param firstByte from sending the request to the first streamed chunk
     * @param idle longest gap between two streamed chunks
     * @param total one whole attempt, streamed or not
     */
    public record Timeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {
        public static final Timeouts DEFAULTS = new Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofSeconds(30), Duration.ofMinutes(10));

        public Timeouts {
            connect = connect == null ? Duration.ofSeconds(5) : connect;
            firstByte = firstByte == null ? Duration.ofSeconds(120) : firstByte;
            idle = idle == null ? Duration.ofSeconds(30) : idle;
            total = total == null ? Duration.ofMinutes(10) : total;
        }
    }

    /** Explicit capabilities; a {@code null} value is probed at startup. */
    public record CapabilityOverrides(
            @Nullable Boolean multipleChoices,
            @Nullable Boolean logprobs,
            @Nullable Integer maxTopLogprobs) {
        public static final CapabilityOverrides UNSET = new CapabilityOverrides(null, null, null);

        public boolean complete() {
            return multipleChoices != null && logprobs != null && maxTopLogprobs != null;
        }
    }

    /**
     * Retries of transient failures, with exponential backoff; a 429's {@code Retry-After} is honoured up to
     * {@code maxRetryAfter}, and a longer wait fails the call at once.
     */
    public record RetrySettings(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxRetryAfter) {
        public static final RetrySettings DEFAULTS =
                new RetrySettings(3, Duration.ofMillis(200), 2.0, Duration.ofSeconds(30));

        public RetrySettings {
            maxAttempts = maxAttempts <= 0 ? 3 : maxAttempts;
            initialBackoff = initialBackoff == null ? Duration.ofMillis(200) : initialBackoff;
            multiplier = multiplier <= 0 ? 2.0 : multiplier;
            maxRetryAfter = maxRetryAfter == null ? Duration.ofSeconds(30) : maxRetryAfter;
        }
    }

    /** Circuit breaker over a count-based window of calls. */
    public record BreakerSettings(
            int windowSize,
            int minimumCalls,
            float failureRateThreshold,
            Duration waitInOpenState,
            int permittedCallsInHalfOpenState) {
        public static final BreakerSettings DEFAULTS = new BreakerSettings(20, 10, 50f, Duration.ofSeconds(30), 2);

        public BreakerSettings {
            windowSize = windowSize <= 0 ? 20 : windowSize;
            minimumCalls = minimumCalls <= 0 ? 10 : minimumCalls;
            failureRateThreshold = failureRateThreshold <= 0 ? 50f : failureRateThreshold;
            waitInOpenState = waitInOpenState == null ? Duration.ofSeconds(30) : waitInOpenState;
            permittedCallsInHalfOpenState = permittedCallsInHalfOpenState <= 0 ? 2 : permittedCallsInHalfOpenState;
        }
    }
}
