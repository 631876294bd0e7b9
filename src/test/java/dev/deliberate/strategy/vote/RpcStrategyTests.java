package dev.deliberate.strategy.vote;

import static dev.deliberate.strategy.vote.LogprobPaths.bare;
import static dev.deliberate.strategy.vote.LogprobPaths.endpoint;
import static dev.deliberate.strategy.vote.LogprobPaths.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
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
import org.junit.jupiter.api.Test;

class RpcStrategyTests {

    private static final RpcParameters EIGHT = new RpcParameters(null, null, null, null, null, null);

    /**
     * Five likely paths (p near 0.92) and three unlikely ones (p near 0.35). "5" is the majority (five of eight), but
     * three of its paths are the unlikely ones: pruning drops them and "4" wins on probability, 2.76 to 1.84.
     */
    private static final List<Choice> MAJORITY_IS_UNLIKELY = List.of(
            path(0, "2+2 is 4. The answer is 4.", 0.91),
            path(1, "Two and two make 4. The answer is 4.", 0.93),
            path(2, "Adding gives 4. The answer is 4.", 0.92),
            path(3, "I get 5. The answer is 5.", 0.94),
            path(4, "Maybe 5. The answer is 5.", 0.90),
            path(5, "Hmm, 5? The answer is 5.", 0.35),
            path(6, "Guessing 5. The answer is 5.", 0.40),
            path(7, "Perhaps 5 then. The answer is 5.", 0.30));

    private static RunResult solve(RpcParameters parameters, ScriptedEndpoint solver) {
        return solve(parameters, solver, Runs.GENEROUS);
    }

    private static RunResult solve(RpcParameters parameters, ScriptedEndpoint solver, BudgetLimits budget) {
        var strategy = new RpcKind(Formats.shipped()).create(parameters);
        var service = new Runs()
                .plan("rpc", strategy, Map.of("solver", solver), budget)
                .service();
        return Runs.finished(Runs.last(service, "rpc", Problem.of("What is 2+2?", null)));
    }

    private static Step vote(RunResult result) {
        return result.steps().stream()
                .filter(s -> s.kind() == StepKind.VOTE)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void samplesOnceWithLogprobsAndPrunesTheUnlikelyMajority() {
        var solver = endpoint("local", MAJORITY_IS_UNLIKELY);

        RunResult result = solve(EIGHT, solver);

        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isCloseTo(2.76 / 4.60, within(1e-9));
        // The winner's text is its most probable path.
        assertThat(result.solution().text()).isEqualTo("Two and two make 4. The answer is 4.");
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(solver.calls()).isEqualTo(1);
        GenerationRequest sent = solver.requests().get(0);
        assertThat(sent.n()).isEqualTo(8);
        assertThat(sent.logprobs()).isTrue();
        assertThat(sent.topLogprobs()).isZero();
        assertThat(sent.temperature()).isEqualTo(1.0);
        assertThat(sent.topP()).isEqualTo(1.0);
        assertThat(sent.maxTokens()).isEqualTo(1024);
        assertThat(result.solution().notes()).containsEntry("samples", 8).containsEntry("pruned", 3);
    }

    @Test
    void majorityVotingPicksTheUnlikelyAnswerOnTheSamePaths() {
        var solver = endpoint("local", MAJORITY_IS_UNLIKELY);
        var strategy = new SelfConsistencyKind(Formats.shipped())
                .create(new SelfConsistencyParameters(8, 1.0, null, 1024, AnswerKind.MATH));
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(result.solution().answer()).isEqualTo("5");
        assertThat(result.solution().confidence()).isEqualTo(5.0 / 8);
    }

    @Test
    void plainPerplexityConsistencyBeatsAMajorityOfUnlikelyPaths() {
        // Without pruning: "5" has four paths at 0.2 (0.8 in all), "4" three at 0.9 (2.7): 2.7 / 3.5.
        var solver = endpoint(
                "local",
                List.of(
                        path(0, "It is 5. The answer is 5.", 0.2),
                        path(1, "So 4. The answer is 4.", 0.9),
                        path(2, "Say 5. The answer is 5.", 0.2),
                        path(3, "Then 4. The answer is 4.", 0.9),
                        path(4, "Five: The answer is 5.", 0.2),
                        path(5, "Four: The answer is 4.", 0.9),
                        path(6, "Or 5. The answer is 5.", 0.2)));

        RunResult result = solve(new RpcParameters(7, null, null, null, null, false), solver);

        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isCloseTo(2.7 / 3.5, within(1e-9));
        assertThat(vote(result).notes()).containsEntry("pruning", "off").doesNotContainKey("fit");
    }

    @Test
    void identicalTextsCountOnce() {
        var solver = endpoint(
                "local",
                List.of(
                        path(0, "The answer is 4.", 0.9),
                        path(1, "The answer is 4.", 0.9),
                        path(2, "First way: The answer is 5.", 0.5),
                        path(3, "Second way: The answer is 5.", 0.6)));

        RunResult result = solve(new RpcParameters(4, null, null, null, null, false), solver);

        assertThat(result.solution().answer()).isEqualTo("5");
        assertThat(result.solution().confidence()).isCloseTo(1.1 / 2.0, within(1e-9));
    }

    @Test
    void theVoteStepRecordsEachSampleTheFitAndTheScores() {
        var solver = endpoint("local", MAJORITY_IS_UNLIKELY);

        RunResult result = solve(EIGHT, solver);

        Step vote = vote(result);
        assertThat(vote.name()).isEqualTo("perplexity");
        assertThat(vote.notes())
                .containsEntry("winner", "4")
                .containsEntry("pruned", 3)
                .containsEntry("ballots", 8);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> samples =
                (List<Map<String, Object>>) vote.notes().get("samples");
        assertThat(samples).hasSize(8);
        assertThat(samples.get(0)).containsOnlyKeys("p", "answer", "pruned").containsEntry("answer", "4");
        assertThat((Double) samples.get(0).get("p")).isCloseTo(0.91, within(1e-12));
        assertThat(samples)
                .extracting(s -> s.get("pruned"))
                .containsExactly(false, false, false, false, false, true, true, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> fit = (Map<String, Object>) vote.notes().get("fit");
        assertThat(fit).containsOnlyKeys("w", "k1", "lambda1", "k2", "lambda2", "high_mean", "low_mean");
        assertThat((Double) fit.get("high_mean")).isGreaterThan((Double) fit.get("low_mean"));
        assertThat(vote.notes()).doesNotContainKey("fallback");
        @SuppressWarnings("unchecked")
        Map<String, Double> scores = (Map<String, Double>) vote.notes().get("scores");
        assertThat(scores.get("4")).isCloseTo(2.76, within(1e-9));
        assertThat(scores.get("5")).isCloseTo(1.84, within(1e-9));
    }

    @Test
    void aDegenerateFitFallsBackToPlainPerplexityConsistencyAndSaysWhy() {
        var solver = endpoint(
                "local",
                List.of(
                        path(0, "So 4. The answer is 4.", 0.8),
                        path(1, "Then 5. The answer is 5.", 0.8),
                        path(2, "Or 5. The answer is 5.", 0.8)));

        RunResult result = solve(new RpcParameters(3, null, null, null, null, true), solver);

        assertThat(result.solution().answer()).isEqualTo("5");
        assertThat(result.solution().confidence()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(vote(result).notes())
                .containsEntry("fallback", "degenerate: 1 distinct path probabilities, a two-component fit needs 3")
                .containsEntry("pruned", 0)
                .doesNotContainKey("fit");
    }

    @Test
    void aPathWithoutLogprobsWeighsNothingAndIsCounted() {
        var solver = endpoint(
                "local",
                List.of(
                        path(0, "So 4. The answer is 4.", 0.6),
                        bare(1, "Then 5. The answer is 5."),
                        bare(2, "Or 5. The answer is 5.")));

        RunResult result = solve(new RpcParameters(3, null, null, null, null, true), solver);

        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isEqualTo(1.0);
        Step vote = vote(result);
        assertThat(vote.notes()).containsEntry("without_logprobs", 2);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> samples =
                (List<Map<String, Object>>) vote.notes().get("samples");
        assertThat(samples.get(1)).containsEntry("logprobs", false).doesNotContainKey("p");
    }

    @Test
    void noLogprobsAtAllFailsTheVoteNamingTheEndpoint() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 4.", "The answer is 5.");
        var strategy = new RpcKind(Formats.shipped()).create(new RpcParameters(2, null, null, null, null, true));
        var service = new Runs().plan("rpc", strategy, Map.of("solver", solver)).service();

        RunEvent last = Runs.last(service, "rpc", Problem.of("What is 2+2?", null));

        assertThat(last).isInstanceOf(RunEvent.Failed.class);
        RunEvent.Failed failed = (RunEvent.Failed) last;
        assertThat(failed.error())
                .isInstanceOf(BackendException.BadReply.class)
                .hasMessageStartingWith("local: returned no token logprobs for any of 2 samples");
        Step vote = vote(failed.result());
        assertThat(vote.status()).isEqualTo(Step.Status.FAILED);
        assertThat((String) vote.notes().get("error")).startsWith("local: returned no token logprobs");
    }

    @Test
    void onAFanOutBackendSamplesOnlyWhatTheCallBudgetAllowsAndEndsTruncated() {
        var solver = endpoint("local", MAJORITY_IS_UNLIKELY)
                .withCapabilities(new Capabilities(false, true, 0, Capabilities.Source.CONFIGURED));
        var threeCalls = new BudgetLimits(3, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);

        RunResult result = solve(EIGHT, solver, threeCalls);

        assertThat(solver.requests().get(0).n()).isEqualTo(3);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().notes())
                .containsEntry(Solution.STOPPED_BY, "max_model_calls")
                .containsEntry("samples", 3);
    }

    @Test
    void onABackendWithNOneCallPaysForEverySample() {
        var solver = endpoint("local", MAJORITY_IS_UNLIKELY);
        var oneCall = new BudgetLimits(1, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);

        RunResult result = solve(EIGHT, solver, oneCall);

        assertThat(solver.requests().get(0).n()).isEqualTo(8);
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.usage().modelCalls()).isEqualTo(1);
    }
}
