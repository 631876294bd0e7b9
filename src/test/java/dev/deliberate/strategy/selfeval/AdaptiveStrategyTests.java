package dev.deliberate.strategy.selfeval;

import static dev.deliberate.strategy.selfeval.Evaluations.SCORER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob.Alternative;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Requirement;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunStatus;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.strategy.Formats;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class AdaptiveStrategyTests {

    private static AdaptiveParameters parameters(double threshold, int maxSamples, List<Double> temperatures) {
        return new AdaptiveParameters(threshold, maxSamples, temperatures, null, 256, AnswerKind.MATH);
    }

    private static RunResult solve(
            AdaptiveParameters parameters, ScriptedEndpoint solver, ScriptedEndpoint evaluator, BudgetLimits budget) {
        var strategy = new AdaptiveKind(Formats.shipped(), SCORER).create(parameters);
        var service = new Runs()
                .plan("adaptive", strategy, Map.of("solver", solver, "evaluator", evaluator), budget)
                .service();
        return Runs.finished(Runs.last(service, "adaptive", Problem.of("What is 2+2?", null)));
    }

    private static RunResult solve(AdaptiveParameters parameters, ScriptedEndpoint solver, ScriptedEndpoint evaluator) {
        return solve(parameters, solver, evaluator, Runs.GENEROUS);
    }

    private static List<Double> temperatures(ScriptedEndpoint solver) {
        return solver.requests().stream().map(GenerationRequest::temperature).toList();
    }

    private static double scoreOf(String response) {
        if (response.startsWith("Maybe")) {
            return 0.9;
        }
        if (response.startsWith("Or")) {
            return 0.7;
        }
        if (response.startsWith("Surely")) {
            return 0.2;
        }
        return 0.6;
    }

    @Test
    void stopsAtTheFirstSampleScoredBelowTheThreshold() {
        var solver = ScriptedEndpoint.cycling(
                "local",
                "Maybe 5. The answer is 5.",
                "Or 6. The answer is 6.",
                "Surely 4. The answer is 4.",
                "Maybe 3. The answer is 3.");
        var evaluator = Evaluations.scoring(AdaptiveStrategyTests::scoreOf);

        RunResult result = solve(AdaptiveParameters.of(), solver, evaluator);

        assertThat(solver.calls()).isEqualTo(3);
        assertThat(evaluator.calls()).isEqualTo(3);
        assertThat(temperatures(solver)).containsExactly(0.0, 0.3, 0.7);
        assertThat(solver.requests()).allMatch(r -> r.n() == 1 && r.maxTokens() == 1024);
        Solution solution = result.solution();
        assertThat(solution.answer()).isEqualTo("4");
        assertThat(solution.text()).isEqualTo("Surely 4. The answer is 4.");
        assertThat(solution.confidence()).isCloseTo(0.8, within(1e-12));
        assertThat(solution.notes())
                .containsEntry("samples", 3)
                .containsEntry("chosen", 2)
                .containsEntry("stop", "threshold");
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.usage().modelCalls()).isEqualTo(6);
    }

    @Test
    void recordsEachSampleAndEachScoreAsAStep() {
        var solver = ScriptedEndpoint.cycling("local", "Maybe 5. The answer is 5.", "Surely 4. The answer is 4.");
        var evaluator = Evaluations.scoring(AdaptiveStrategyTests::scoreOf);

        RunResult result = solve(AdaptiveParameters.of(), solver, evaluator);

        List<Step> samples = result.steps().stream()
                .filter(s -> s.kind() == StepKind.GENERATE && s.name().equals("solver"))
                .toList();
        List<Step> scores = result.steps().stream()
                .filter(s -> s.kind() == StepKind.EVALUATE)
                .toList();
        assertThat(samples).hasSize(2);
        assertThat(samples).extracting(s -> s.notes().get("temperature")).containsExactly(0.0, 0.3);
        assertThat(scores).hasSize(2);
        assertThat(scores)
                .extracting(s -> (Double) s.notes().get("score"))
                .satisfiesExactly(
                        first -> assertThat(first).isCloseTo(0.9, within(1e-12)),
                        second -> assertThat(second).isCloseTo(0.2, within(1e-12)));
    }

    @Test
    void drawsUpToTheMostSamplesAndReturnsTheBestScoredEarliestOnATie() {
        var solver = ScriptedEndpoint.cycling(
                "local",
                "Maybe 5. The answer is 5.",
                "Other 6. The answer is 6.",
                "Or 7. The answer is 7.",
                "Other 8. The answer is 8.",
                "Maybe 9. The answer is 9.",
                "Surely 4. The answer is 4.");
        var evaluator = Evaluations.scoring(AdaptiveStrategyTests::scoreOf);

        RunResult result = solve(parameters(0.5, 5, List.of(0.2, 0.6)), solver, evaluator);

        assertThat(solver.calls()).isEqualTo(5);
        assertThat(evaluator.calls()).isEqualTo(5);
        assertThat(temperatures(solver)).containsExactly(0.2, 0.6, 0.6, 0.6, 0.6);
        assertThat(result.solution().answer()).isEqualTo("6");
        assertThat(result.solution().confidence()).isCloseTo(0.4, within(1e-12));
        assertThat(result.solution().notes())
                .containsEntry("samples", 5)
                .containsEntry("chosen", 1)
                .containsEntry("stop", "max_samples");
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void stopsWhenTheCallBudgetCannotPayForAnotherSampleAndItsScore() {
        var solver = ScriptedEndpoint.cycling("local", "Maybe 5. The answer is 5.", "Or 6. The answer is 6.");
        var evaluator = Evaluations.scoring(AdaptiveStrategyTests::scoreOf);
        var fiveCalls = new BudgetLimits(5, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);

        RunResult result = solve(AdaptiveParameters.of(), solver, evaluator, fiveCalls);

        assertThat(solver.calls()).isEqualTo(2);
        assertThat(evaluator.calls()).isEqualTo(2);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("6");
        assertThat(result.solution().confidence()).isCloseTo(0.3, within(1e-12));
        assertThat(result.solution().notes())
                .containsEntry(Solution.STOPPED_BY, "max_model_calls")
                .containsEntry("stop", "budget")
                .containsEntry("samples", 2);
        assertThat(result.usage().modelCalls()).isEqualTo(4);
    }

    @Test
    void anUninformativeScoreNeverStopsSampling() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 5.", "The answer is 6.");
        var evaluator = new ScriptedEndpoint(
                "judge",
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.just(ScriptedEndpoint.generation(
                        "judge", List.of(Evaluations.answering(List.of(new Alternative("Maybe", -0.1)))))));

        RunResult result = solve(parameters(0.5, 3, List.of(0.0, 1.0)), solver, evaluator);

        assertThat(solver.calls()).isEqualTo(3);
        assertThat(result.solution().answer()).isEqualTo("5");
        assertThat(result.solution().confidence()).isEqualTo(0.5);
        assertThat(result.solution().notes()).containsEntry("stop", "max_samples");
    }

    @Test
    void answersNullWhenTheChosenSampleHasNoReadableAnswer() {
        var solver = ScriptedEndpoint.cycling("local", "Surely I cannot tell.");
        var evaluator = Evaluations.scoring(AdaptiveStrategyTests::scoreOf);

        RunResult result = solve(AdaptiveParameters.of(), solver, evaluator);

        assertThat(result.solution().answer()).isNull();
        assertThat(result.solution().text()).isEqualTo("Surely I cannot tell.");
        assertThat(result.solution().confidence()).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void anEmptyScheduleOrATemperatureOutOfRangeIsRefused() {
        var kind = new AdaptiveKind(Formats.shipped(), SCORER);

        assertThat(kind.validate(parameters(0.5, 4, List.of())))
                .containsExactly("temperatures: must hold at least one value");
        assertThat(kind.validate(parameters(0.5, 4, List.of(0.0, 2.5))))
                .containsExactly("temperatures: each must lie in [0, 2], was 2.5");
        assertThat(kind.validate(AdaptiveParameters.of())).isEmpty();
        assertThat(kind.roles(AdaptiveParameters.of())).containsExactlyInAnyOrder("solver", "evaluator");
        assertThat(kind.requirements(AdaptiveParameters.of()))
                .containsEntry("evaluator", Set.of(Requirement.TOP_LOGPROBS));
    }
}
