package dev.deliberate.model;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One streamed delta of choice {@code index}. The chunk that ends a choice carries its {@code finishReason}; a
 * backend may send a final chunk with {@code usage} only ({@code index} -1, empty delta).
 */
public record GenerationChunk(
        int index,
        String delta,
        List<TokenLogprob> tokens,
        @Nullable String finishReason,
        @Nullable Usage usage) {

    public GenerationChunk {
        tokens = List.copyOf(tokens);
    }

    public static GenerationChunk delta(int index, String delta) {
        return new GenerationChunk(index, delta, List.of(), null, null);
    }

    /**
     * The tokens this chunk carries: exactly, from its logprobs when they were asked for, or about one for a
     * non-empty delta, which is what servers send per chunk.
     */
    public int tokenCount() {
        return tokens.isEmpty() ? (delta.isEmpty() ? 0 : 1) : tokens.size();
    }

    public boolean isUsageOnly() {
        return index < 0;
    }
}
