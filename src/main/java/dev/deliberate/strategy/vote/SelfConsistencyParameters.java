package dev.deliberate.strategy.vote;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code self-consistency}.
 *
 * @param n samples per problem, drawn in one request where the endpoint supports {@code n}
 * @param temperature sampling temperature; diversity is what makes the vote informative
 * @param answerKind the kind assumed when the client does not say
 */
public record SelfConsistencyParameters(
        @Min(1) @Max(64) Integer n,
        @DecimalMin("0.0") @DecimalMax("2.0") Double temperature,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double topP,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind) {

    public SelfConsistencyParameters {
        n = n == null ? 5 : n;
        temperature = temperature == null ? 0.7 : temperature;
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.MATH : answerKind;
    }
}
