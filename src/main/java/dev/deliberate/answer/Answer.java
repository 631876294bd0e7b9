package dev.deliberate.answer;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * An answer read from a model response.
 *
 * @param kind the kind it was read as
 * @param raw the answer as the response wrote it (for example {@code 1,080} or {@code \frac{3}{4}}); fit to show
 * @param canonical the normalised key that voting groups by: a plain decimal for a numeric math answer
 *     ({@code 1080}, {@code 0.75}), the upper-case letter for a choice, the normalised text or code otherwise. Never
 *     empty. See {@code docs/answers.md} for the exact rules.
 */
public record Answer(AnswerKind kind, String raw, String canonical) {

    public Answer {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(canonical, "canonical");
        if (canonical.isEmpty()) {
            throw new IllegalArgumentException("canonical must not be empty");
        }
    }

    /**
     * The value of a numeric {@link AnswerKind#MATH} answer; empty for other kinds and for math answers that are
     * expressions (such as {@code \sqrt{2}}).
     */
    public Optional<BigDecimal> numericValue() {
        if (kind != AnswerKind.MATH || !NumberReader.isCanonicalNumber(canonical)) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(canonical));
    }
}
