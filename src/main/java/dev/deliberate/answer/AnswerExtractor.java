package dev.deliberate.answer;

import java.util.Objects;
import java.util.Optional;

/**
 * Pulls the final answer out of a model's free-text response. The rules per kind are in {@code docs/answers.md}; in
 * short, an explicit {@code \boxed{}} wins over an answer phrase ("the answer is", "answer:", "final answer:"), which
 * wins over weaker signs such as a GSM8K {@code ####} line or the last number.
 *
 * <p>Stateless and thread-safe. Extraction is linear in the response, so it may run on any thread for responses up to
 * the request size limit; numbers of more than 100 digits or exponents beyond 100 are rejected, never expanded.
 */
public final class AnswerExtractor {

    /**
     * The answer in {@code response} read as {@code kind}, or empty when the response holds none (for example no
     * number at all for {@link AnswerKind#MATH}, or only an out-of-range one).
     */
    public Optional<Answer> extract(AnswerKind kind, String response) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(response, "response");
        return switch (kind) {
            case MATH -> MathAnswerReader.read(response);
            case CHOICE -> ChoiceAnswerReader.read(response);
            case CODE -> CodeAnswerReader.read(response);
            case TEXT -> TextAnswerReader.read(response);
        };
    }
}
