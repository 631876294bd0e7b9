package dev.deliberate.run;

import java.util.LinkedHashMap;
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

    /** Note naming the budget limit that made the strategy answer with less work than it planned. */
    public static final String STOPPED_BY = "stopped_by";

    /** Note set to {@link #LENGTH} when the text was cut by a token limit; OpenAI clients read it as finish_reason. */
    public static final String FINISH_REASON = "finish_reason";

    /** The finish reason of text cut by a token limit, as OpenAI-compatible servers report it. */
    public static final String LENGTH = "length";

    public Solution {
        notes = Map.copyOf(notes);
        if (confidence != null && !(confidence >= 0.0 && confidence <= 1.0)) {
            throw new IllegalArgumentException("confidence must lie in [0, 1], was " + confidence);
        }
    }

    public static Solution of(@Nullable String answer, String text, @Nullable Double confidence) {
        return new Solution(answer, text, confidence, Map.of());
    }

    /** This solution, marked as made within a budget limit: the run ends {@code truncated}. */
    public Solution stoppedBy(String limit) {
        return withNote(STOPPED_BY, limit);
    }

    /** Whether a budget limit made the strategy answer with less work than it planned. */
    public boolean isStoppedByBudget() {
        return notes.containsKey(STOPPED_BY);
    }

    /** This solution, marked as text that a token limit cut short when {@code cut}. */
    public Solution textCut(boolean cut) {
        return cut ? withNote(FINISH_REASON, LENGTH) : this;
    }

    /** Whether the returned text was cut by a token limit rather than ending where the model stopped. */
    public boolean isTextCut() {
        return LENGTH.equals(notes.get(FINISH_REASON));
    }

    private Solution withNote(String key, Object value) {
        Map<String, Object> marked = new LinkedHashMap<>(notes);
        marked.put(key, value);
        return new Solution(answer, text, confidence, marked);
    }
}
