package dev.deliberate.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One streamed {@code chat.completion.chunk}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        ChatCompletion.@Nullable Usage usage,
        ChatCompletion.@Nullable RunInfo deliberate) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(
            int index,
            Delta delta,
            @Nullable Object logprobs,
            @Nullable String finishReason) {}

    /**
     * @param reasoningContent progress of the strategy, in the field reasoning servers (vLLM, DeepSeek) use, so that
     *     clients which show reasoning show the strategy working
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(
            @Nullable String role,
            @Nullable String content,
            @Nullable String reasoningContent) {}
}
