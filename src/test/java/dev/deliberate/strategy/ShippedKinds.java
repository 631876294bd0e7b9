package dev.deliberate.strategy;

import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.agot.AgotKind;
import dev.deliberate.strategy.cascade.CascadeKind;
import dev.deliberate.strategy.direct.DirectKind;
import dev.deliberate.strategy.funcoder.FunCoderKind;
import dev.deliberate.strategy.selfeval.AdaptiveKind;
import dev.deliberate.strategy.selfeval.PruneKind;
import dev.deliberate.strategy.selfeval.RestartQuestion;
import dev.deliberate.strategy.selfeval.SelfEvaluator;
import dev.deliberate.strategy.spar.SparKind;
import dev.deliberate.strategy.vote.RpcKind;
import dev.deliberate.strategy.vote.SelfConsistencyKind;
import dev.deliberate.testkit.Sandboxes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;

/**
 * Every strategy kind the service registers, as the configuration wires them, for tests that load the shipped
 * profiles (each names its kind, so a registry missing one refuses them all).
 */
public final class ShippedKinds {

    private ShippedKinds() {}

    public static List<StrategyKind<?>> all() {
        AnswerFormat format = Formats.shipped();
        SelfEvaluator evaluator = new RestartQuestion(PromptLibrary.load(Path.of("prompts")));
        return List.of(
                new DirectKind(format),
                new SelfConsistencyKind(format),
                new RpcKind(format),
                new AdaptiveKind(format, evaluator),
                new PruneKind(format, evaluator),
                new CascadeKind(new SimpleMeterRegistry()),
                new AgotKind(PromptLibrary.load(Path.of("prompts")), format),
                new FunCoderKind(PromptLibrary.load(Path.of("prompts")), format, Sandboxes.runner()),
                new SparKind(PromptLibrary.load(Path.of("prompts"))));
    }
}
