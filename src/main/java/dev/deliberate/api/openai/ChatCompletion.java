package dev.deliberate.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The reply of a non-streamed chat completion, in OpenAI's schema plus the {@code deliberate} extension. */
public record ChatCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        @Nullable String systemFingerprint,
        RunInfo deliberate) {

    public record Choice(
            int index, Message message, @Nullable Object logprobs, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(
            String role, String content, @Nullable String refusal) {}

    public record Usage(long promptTokens, long completionTokens, long totalTokens) {}

    /**
     * Deliberate's facts about the run that produced the reply.
     *
     * @param modelCalls backend calls made (the usage sums all of them)
     * @param truncated the budget or deadline stopped the run; the reply is its best answer so far
     */
    public record RunInfo(
            String runId,
            String profile,
            String strategy,
            @Nullable String answer,
            @Nullable Double confidence,
            int modelCalls,
            boolean truncated,
            long wallMs,
            long criticalPathMs,
            Map<String, Object> notes) {}
}
