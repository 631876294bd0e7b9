package dev.deliberate.strategy.vote;

import dev.deliberate.run.Requirement;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.Map;
import java.util.Set;

/**
 * {@code strategy: rpc}: perplexity consistency with reasoning pruning over {@code n} samples of the {@code solver},
 * which must return token logprobs.
 */
public final class RpcKind implements StrategyKind<RpcParameters> {

    private final AnswerFormat format;

    public RpcKind(AnswerFormat format) {
        this.format = format;
    }

    @Override
    public String name() {
        return "rpc";
    }

    @Override
    public Class<RpcParameters> parametersType() {
        return RpcParameters.class;
    }

    @Override
    public Set<String> roles(RpcParameters params) {
        return Set.of(Roles.SOLVER);
    }

    @Override
    public Map<String, Set<Requirement>> requirements(RpcParameters params) {
        return Map.of(Roles.SOLVER, Set.of(Requirement.LOGPROBS));
    }

    @Override
    public Strategy create(RpcParameters params) {
        return new VotingStrategy(
                new SamplePlan(
                        params.n(), params.temperature(), params.topP(), params.maxTokens(), params.answerKind()),
                format,
                new PerplexityConsistency(params.pruning()));
    }
}
