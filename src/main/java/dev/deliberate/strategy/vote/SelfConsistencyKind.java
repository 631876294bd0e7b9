package dev.deliberate.strategy.vote;

import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.Set;

/**
 * {@code strategy: self-consistency} (Wang et al. 2023): sample {@code n} reasoning paths of the {@code solver} at a
 * non-zero temperature and return the majority answer; confidence is its share of all samples.
 */
public final class SelfConsistencyKind implements StrategyKind<SelfConsistencyParameters> {

    private final AnswerFormat format;

    public SelfConsistencyKind(AnswerFormat format) {
        this.format = format;
    }

    @Override
    public String name() {
        return "self-consistency";
    }

    @Override
    public Class<SelfConsistencyParameters> parametersType() {
        return SelfConsistencyParameters.class;
    }

    @Override
    public Set<String> roles(SelfConsistencyParameters params) {
        return Set.of(Roles.SOLVER);
    }

    @Override
    public Strategy create(SelfConsistencyParameters params) {
        return new VotingStrategy(
                new SamplePlan(
                        params.n(), params.temperature(), params.topP(), params.maxTokens(), params.answerKind()),
                format,
                new Majority());
    }
}
