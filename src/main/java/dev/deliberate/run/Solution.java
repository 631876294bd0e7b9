package dev.deliberate.run;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strategy's answer.
 *
 * @param answer the extracted final answer in the problem's kind (e.g. {@code 42}), or {@code null} if none could be
 *     extracted
 * @param text the response returned to the client as the assistant's message
 * @param confidence in [0, 1], or {@code null} when the strategy has no honest signal for it
 * @param notes small strategy-specific facts for the trace and the API (vote counts, escalation reason)
 */
public record Solution(
        @Nullable String answer, String text, @Nullable Double confidence, Map<String, Object> notes) {

    public Solution {
        notes = Map.copyOf(notes);
        if (confidence != null && !(confidence >= 0.0 && confidence <= 1.0)) {
            throw new IllegalArgumentException("confidence must lie in [0, 1], was " + confidence);
        }
    }

    public static Solution of(@Nullable String answer, String text, @Nullable Double confidence) {
        return new Solution(answer, text, confidence, Map.of());
    }
}
