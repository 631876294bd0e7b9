package dev.deliberate.run;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the client asks: the whole conversation as sent (system prompt and earlier turns included) and the kind of
 * answer expected. Strategies add their own instructions around the messages and never drop any of them.
 *
 * @param kind the answer kind, or {@code null} to use the profile's default
 * @param code entry point, signature and tests for {@code code} problems
 */
public record Problem(
        List<ChatMessage> messages,
        @Nullable AnswerKind kind,
        @Nullable CodeSpec code) {

    public Problem {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a problem has at least one message");
        }
    }

    public static Problem of(String text, AnswerKind kind) {
        return new Problem(List.of(ChatMessage.user(text)), kind, null);
    }

    /** The kind of this problem, or {@code fallback} when the client left it to the profile. */
    public AnswerKind kindOr(AnswerKind fallback) {
        return kind != null ? kind : fallback;
    }

    /** The function a {@code code} problem asks for. */
    public record CodeSpec(String entryPoint, @Nullable String signature, List<String> tests) {
        public CodeSpec {
            tests = tests == null ? List.of() : List.copyOf(tests);
        }
    }
}
