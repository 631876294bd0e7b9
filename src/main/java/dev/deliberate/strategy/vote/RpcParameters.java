package dev.deliberate.strategy.vote;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Parameters of {@code rpc}. The defaults are the paper's sampling (T = 1, top_p = 1): path probabilities are only
 * comparable when the paths are drawn from the model's own distribution.
 *
 * @param n paths per problem (K), drawn in one request where the endpoint supports {@code n}; the server's
 *     {@code max-breadth} caps it at run time
 * @param answerKind the kind assumed when the client does not say
 * @param pruning whether to prune low-probability paths before the vote (RPC); {@code false} is plain perplexity
 *     consistency
 */
public record RpcParameters(
        @Min(1) @Max(1024) Integer n,
        @DecimalMin("0.0") @DecimalMax("2.0") Double temperature,
        @DecimalMin("0.0") @DecimalMax("1.0") Double topP,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind,
        Boolean pruning) {

    public RpcParameters {
        n = n == null ? 8 : n;
        temperature = temperature == null ? 1.0 : temperature;
        topP = topP == null ? 1.0 : topP;
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.MATH : answerKind;
        pruning = pruning == null ? Boolean.TRUE : pruning;
    }
}
