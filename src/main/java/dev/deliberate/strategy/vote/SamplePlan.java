package dev.deliberate.strategy.vote;

import dev.deliberate.answer.AnswerKind;
import org.jspecify.annotations.Nullable;

/**
 * How a voting strategy samples its paths; each strategy's parameters map onto it.
 *
 * @param n paths per problem, drawn in one request where the endpoint supports {@code n}
 * @param answerKind the kind assumed when the client does not say
 */
record SamplePlan(int n, double temperature, @Nullable Double topP, int maxTokens, AnswerKind answerKind) {}
