package dev.deliberate.strategy.spar;

import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.Roles;
import java.util.List;
import java.util.Set;

/**
 * {@code strategy: spar}: the actor answers, the judge values the answer, and a failing answer is refined by the
 * {@code refiner} in a tree search. The three roles may share one endpoint, as in the paper's single model.
 */
public final class SparKind implements StrategyKind<SparParameters> {

    private final PromptLibrary prompts;

    public SparKind(PromptLibrary prompts) {
        this.prompts = prompts;
        for (String key : SparPrompts.KEYS) {
            prompts.require(key);
        }
    }

    @Override
    public String name() {
        return "spar";
    }

    @Override
    public Class<SparParameters> parametersType() {
        return SparParameters.class;
    }

    @Override
    public Set<String> roles(SparParameters params) {
        return Set.of(Roles.ACTOR, Roles.JUDGE, Roles.REFINER);
    }

    @Override
    public List<String> validate(SparParameters params) {
        List<String> problems = new java.util.ArrayList<>();
        if (params.keep() > params.breadth()) {
            problems.add("keep: must not exceed breadth (" + params.breadth() + "), was " + params.keep());
        }
        if (params.search() == SparParameters.SearchKind.BEST_OF_N && params.temperature() == 0.0) {
            problems.add("temperature: best-of-n samples the actor breadth times, and at 0 every sample is the same");
        }
        return problems;
    }

    @Override
    public Strategy create(SparParameters params) {
        return new SparStrategy(params, new SparPrompts(prompts));
    }
}
