package dev.deliberate.api.openai;

import dev.deliberate.api.WireMessage;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The request body of {@code POST /v1/chat/completions}. Fields not listed here are refused with a 400, at any
 * depth: a request can never name a backend URL or key. OpenAI's other request fields are listed so that clients
 * which send their defaults work; values a strategy cannot honour are refused by name (see {@code
 * ChatCompletionsController}), never silently dropped.
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
        @Nullable Extension deliberate,
        @Nullable Double frequencyPenalty,
        @Nullable Double presencePenalty,
        @Nullable JsonNode logitBias,
        @Nullable Boolean logprobs,
        @Nullable Integer topLogprobs,
        @Nullable JsonNode responseFormat,
        @Nullable JsonNode tools,
        @Nullable JsonNode toolChoice,
        @Nullable Boolean parallelToolCalls,
        @Nullable JsonNode functions,
        @Nullable JsonNode functionCall,
        @Nullable JsonNode modalities,
        @Nullable String reasoningEffort,
        @Nullable JsonNode metadata,
        @Nullable Boolean store,
        @Nullable String serviceTier,
        @Nullable String safetyIdentifier,
        @Nullable String promptCacheKey) {

    /** {@code include_obfuscation} pads chunks against side channels; a local service has nothing to pad. */
    public record StreamOptions(
            @Nullable Boolean includeUsage, @Nullable Boolean includeObfuscation) {}

    /** What OpenAI's schema has no field for; SDKs send it through their extra-body option. */
    public record Extension(@Nullable String kind, dev.deliberate.api.@Nullable WireBudget budget) {}

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }
}
