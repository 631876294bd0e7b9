package dev.deliberate.strategy.funcoder;

import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code strategy: funcoder}: divide-and-conquer code generation with functional consensus. Every call goes to the
 * {@code solver}; every candidate runs in the {@link CodeRunner}'s sandbox, and without a working sandbox each run
 * answers 503 {@code sandbox_unavailable}.
 */
public final class FunCoderKind implements StrategyKind<FunCoderParameters> {

    private final PromptLibrary prompts;
    private final AnswerFormat format;
    private final CodeRunner runner;

    public FunCoderKind(PromptLibrary prompts, AnswerFormat format, CodeRunner runner) {
        this.prompts = prompts;
        this.format = format;
        this.runner = runner;
        for (String key : FunCoderStrategy.PROMPTS) {
            prompts.require(key);
        }
    }

    @Override
    public String name() {
        return "funcoder";
    }

    @Override
    public Class<FunCoderParameters> parametersType() {
        return FunCoderParameters.class;
    }

    @Override
    public Set<String> roles(FunCoderParameters params) {
        return Set.of(Roles.SOLVER);
    }

    @Override
    public List<String> validate(FunCoderParameters params) {
        List<String> problems = new ArrayList<>();
        if (params.minValid() > params.samples()) {
            problems.add("min-valid: " + params.minValid() + " is more than samples (" + params.samples() + ")");
        }
        if (params.executionTimeout().isNegative() || params.executionTimeout().isZero()) {
            problems.add("execution-timeout: must be positive");
        }
        return problems;
    }

    @Override
    public Strategy create(FunCoderParameters params) {
        return new FunCoderStrategy(params, prompts, format, runner);
    }
}
