package dev.deliberate.strategy.direct;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code direct}. The client's own {@code temperature}, {@code top_p} and {@code stop} take precedence
 * over these, since a direct call is a pass-through.
 *
 * @param answerKind {@code text} passes the conversation through untouched; another kind adds its answer-format
 *     instruction so that the answer can be extracted
 * @param logprobConfidence ask for token logprobs (where the endpoint has them) and report exp(mean logprob) as the
 *     confidence; without them the confidence is unknown
 */
public record DirectParameters(
        @DecimalMin("0.0") @DecimalMax("2.0") @Nullable Double temperature,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double topP,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind,
        Boolean logprobConfidence) {

    public DirectParameters {
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.TEXT : answerKind;
        logprobConfidence = logprobConfidence == null ? Boolean.TRUE : logprobConfidence;
    }
}
