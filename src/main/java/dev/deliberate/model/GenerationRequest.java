package dev.deliberate.model;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request for {@code n} completions of a conversation.
 *
 * <p>Unset sampling values ({@code null}) are left to the backend's defaults. {@code topLogprobs} above zero implies
 * {@code logprobs}. {@code prefix} is an assistant turn to continue from, for backends that support continuation.
 */
public record GenerationRequest(
        List<ChatMessage> messages,
        int n,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer maxTokens,
        List<String> stop,
        @Nullable Long seed,
        boolean logprobs,
        int topLogprobs,
        @Nullable String prefix) {

    public GenerationRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        if (topLogprobs < 0) {
            throw new IllegalArgumentException("topLogprobs must not be negative, was " + topLogprobs);
        }
        logprobs = logprobs || topLogprobs > 0;
    }

    public static GenerationRequest of(List<ChatMessage> messages) {
        return new GenerationRequest(messages, 1, null, null, null, List.of(), null, false, 0, null);
    }

    public GenerationRequest withN(int newN) {
        return new GenerationRequest(
                messages, newN, temperature, topP, maxTokens, stop, seed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withTemperature(@Nullable Double newTemperature) {
        return new GenerationRequest(
                messages, n, newTemperature, topP, maxTokens, stop, seed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withTopP(@Nullable Double newTopP) {
        return new GenerationRequest(
                messages, n, temperature, newTopP, maxTokens, stop, seed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withMaxTokens(@Nullable Integer newMaxTokens) {
        return new GenerationRequest(
                messages, n, temperature, topP, newMaxTokens, stop, seed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withStop(List<String> newStop) {
        return new GenerationRequest(
                messages, n, temperature, topP, maxTokens, newStop, seed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withSeed(@Nullable Long newSeed) {
        return new GenerationRequest(
                messages, n, temperature, topP, maxTokens, stop, newSeed, logprobs, topLogprobs, prefix);
    }

    public GenerationRequest withLogprobs(int newTopLogprobs) {
        return new GenerationRequest(
                messages, n, temperature, topP, maxTokens, stop, seed, true, newTopLogprobs, prefix);
    }
}
