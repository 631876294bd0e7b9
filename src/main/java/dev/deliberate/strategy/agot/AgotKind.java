package dev.deliberate.strategy.agot;

import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strategy: agot}: Adaptive Graph of Thoughts. Every call goes to the {@code solver}; with
 * {@code leaf-profile} set, leaf tasks are solved by that profile instead, which startup checks.
 */
public final class AgotKind implements StrategyKind<AgotParameters> {

    private final PromptLibrary prompts;
    private final AnswerFormat format;

    public AgotKind(PromptLibrary prompts, AnswerFormat format) {
        this.prompts = prompts;
        this.format = format;
        for (String key : AgotPrompts.KEYS) {
            prompts.require(key);
        }
    }

    @Override
    public String name() {
        return "agot";
    }

    @Override
    public Class<AgotParameters> parametersType() {
        return AgotParameters.class;
    }

    @Override
    public Set<String> roles(AgotParameters params) {
        return Set.of(Roles.SOLVER);
    }

    @Override
    public Map<String, String> subProfiles(AgotParameters params) {
        String leaf = params.leafProfile();
        return leaf == null ? Map.of() : Map.of("params.leaf-profile", leaf);
    }

    @Override
    public List<String> validate(AgotParameters params) {
        String leaf = params.leafProfile();
        return leaf != null && leaf.isBlank()
                ? List.of("leaf-profile: must name a profile, or be left out")
                : List.of();
    }

    @Override
    public Strategy create(AgotParameters params) {
        return new AgotStrategy(params, new AgotPrompts(prompts), format);
    }
}
