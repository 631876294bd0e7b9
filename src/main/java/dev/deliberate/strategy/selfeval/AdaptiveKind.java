package dev.deliberate.strategy.selfeval;

import dev.deliberate.run.Requirement;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code strategy: adaptive}: sample, self-evaluate, stop when the score says the sample is good enough. */
public final class AdaptiveKind implements StrategyKind<AdaptiveParameters> {

    private final AnswerFormat format;
    private final SelfEvaluator evaluator;

    public AdaptiveKind(AnswerFormat format, SelfEvaluator evaluator) {
        this.format = format;
        this.evaluator = evaluator;
    }

    @Override
    public String name() {
        return "adaptive";
    }

    @Override
    public Class<AdaptiveParameters> parametersType() {
        return AdaptiveParameters.class;
    }

    @Override
    public Set<String> roles(AdaptiveParameters params) {
        return Set.of(Roles.SOLVER, Roles.EVALUATOR);
    }

    @Override
    public Map<String, Set<Requirement>> requirements(AdaptiveParameters params) {
        return Map.of(Roles.EVALUATOR, evaluator.requirements());
    }

    @Override
    public List<String> validate(AdaptiveParameters params) {
        List<String> problems = new ArrayList<>();
        if (params.temperatures().isEmpty()) {
            problems.add("temperatures: must hold at least one value");
        }
        for (Double temperature : params.temperatures()) {
            if (!(temperature >= 0.0 && temperature <= 2.0)) {
                problems.add("temperatures: each must lie in [0, 2], was " + temperature);
            }
        }
        return problems;
    }

    @Override
    public Strategy create(AdaptiveParameters params) {
        return new AdaptiveStrategy(params, format, evaluator);
    }
}
