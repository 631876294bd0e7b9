package dev.deliberate.api.openai;

import dev.deliberate.api.WireMessage;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The request body of {@code POST /v1/chat/completions}. Fields not listed here are refused with a 400, at any
 * depth: a request can never name a backend URL or key.
 *
 * @param model the profile to run
 * @param n must be 1: a strategy samples internally (use a sampling profile for more candidates)
 * @param maxTokens caps each model call the strategy makes ({@code max_completion_tokens} is the newer name)
 * @param stop a string or an array of up to 4 strings
 * @param deliberate extension: answer kind and budget for this request
 */
public record ChatCompletionRequest(
        @Nullable String model,
        @Nullable List<WireMessage> messages,
        @Nullable Boolean stream,
        @Nullable StreamOptions streamOptions,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer maxTokens,
        @Nullable Integer maxCompletionTokens,
        @Nullable JsonNode stop,
        @Nullable Long seed,
        @Nullable Integer n,
        @Nullable String user,
        @Nullable Extension deliberate) {

    public record StreamOptions(@Nullable Boolean includeUsage) {}

    /** What OpenAI's schema has no field for; SDKs send it through their extra-body option. */
    public record Extension(@Nullable String kind, dev.deliberate.api.@Nullable WireBudget budget) {}

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }
}
