package dev.deliberate.strategy.selfeval;

import dev.deliberate.run.Requirement;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code strategy: prune}: N streams, self-evaluated at a token checkpoint; the weak ones are cancelled. */
public final class PruneKind implements StrategyKind<PruneParameters> {

    private final AnswerFormat format;
    private final SelfEvaluator evaluator;

    public PruneKind(AnswerFormat format, SelfEvaluator evaluator) {
        this.format = format;
        this.evaluator = evaluator;
    }

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public Class<PruneParameters> parametersType() {
        return PruneParameters.class;
    }

    @Override
    public Set<String> roles(PruneParameters params) {
        return Set.of(Roles.SOLVER, Roles.EVALUATOR);
    }

    @Override
    public Map<String, Set<Requirement>> requirements(PruneParameters params) {
        return Map.of(Roles.EVALUATOR, evaluator.requirements());
    }

    @Override
    public List<String> validate(PruneParameters params) {
        return params.checkpoint() < params.maxTokens()
                ? List.of()
                : List.of("checkpoint: must be below max-tokens (" + params.maxTokens()
                        + "), or every stream ends before it and nothing is pruned");
    }

    @Override
    public Strategy create(PruneParameters params) {
        return new PruneStrategy(params, format, evaluator);
    }
}
