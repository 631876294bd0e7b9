package dev.deliberate.model;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One completion. {@code tokens} holds per-token logprobs when they were asked for and the backend gave them, and is
 * empty otherwise.
 */
public record Choice(int index, String text, @Nullable String finishReason, List<TokenLogprob> tokens) {

    public Choice {
        tokens = List.copyOf(tokens);
    }

    /** Whether a token limit cut this choice ({@code finish_reason: "length"}) rather than the model stopping. */
    public boolean cutByLength() {
        return "length".equals(finishReason);
    }

    /** Mean token log probability, or NaN when no logprobs came back. */
    public double meanLogprob() {
        return tokens.stream().mapToDouble(TokenLogprob::logprob).average().orElse(Double.NaN);
    }
}
