package dev.deliberate.strategy.selfeval;

import static dev.deliberate.strategy.selfeval.Evaluations.SCORER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.TokenLogprob.Alternative;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.Strategy;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class RestartQuestionTests {

    private static final String RESPONSE = "2 + 2 = 4. The answer is 4.";
    private static final Choice NO = Evaluations.answering(List.of(new Alternative("No", -0.01)));

    private static ScriptedEndpoint replying(Capabilities capabilities, Choice choice) {
        return new ScriptedEndpoint(
                "judge",
                capabilities,
                (request, call) -> Mono.just(ScriptedEndpoint.generation("judge", List.of(choice))));
    }

    private static ScriptedEndpoint replying(List<Alternative> top) {
        return replying(Capabilities.full(Capabilities.Source.CONFIGURED), Evaluations.answering(top));
    }

    private static Alternative alternative(String token, double probability) {
        return new Alternative(token, Math.log(probability));
    }

    /** Scores {@link #RESPONSE} to "What is 2+2?" and returns the run, the score as the solution's confidence. */
    private static RunResult score(ScriptedEndpoint evaluator) {
        Strategy scoring = (problem, run) ->
                SCORER.score(run, problem.messages(), RESPONSE).map(s -> Solution.of(null, RESPONSE, s));
        var service = new Runs()
                .plan("score", scoring, Map.of("evaluator", evaluator))
                .service();
        return Runs.finished(Runs.last(service, "score", Problem.of("What is 2+2?", null)));
    }

    private static Step evaluateStep(RunResult result) {
        return result.steps().stream()
                .filter(s -> s.kind() == StepKind.EVALUATE)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void foldsTokenVariantsAndRenormalisesOverYesAndNo() {
        var evaluator = replying(List.of(
                alternative(" Yes", 0.30),
                alternative("Maybe", 0.20),
                alternative("No", 0.20),
                alternative("yes", 0.10),
                alternative("NO.", 0.05),
                alternative("▁no", 0.05),
                alternative("Yesterday", 0.05)));

        RunResult result = score(evaluator);

        assertThat(result.solution().confidence()).isCloseTo(0.4 / 0.7, within(1e-12));
        Map<String, Object> notes = evaluateStep(result).notes();
        assertThat((Double) notes.get("score")).isCloseTo(0.4 / 0.7, within(1e-12));
        assertThat((Double) notes.get("p_yes")).isCloseTo(0.4, within(1e-12));
        assertThat((Double) notes.get("p_no")).isCloseTo(0.3, within(1e-12));
        assertThat(notes).doesNotContainKey("uninformative");
    }

    @Test
    void onlyYesAmongTheAlternativesScoresOne() {
        RunResult result = score(replying(List.of(alternative("Yes", 0.6), alternative("Sure", 0.3))));

        assertThat(result.solution().confidence()).isEqualTo(1.0);
    }

    @Test
    void onlyNoAmongTheAlternativesScoresZero() {
        RunResult result = score(replying(List.of(alternative("No", 0.7), alternative("Nah", 0.2))));

        assertThat(result.solution().confidence()).isEqualTo(0.0);
    }

    @Test
    void neitherYesNorNoScoresOneHalfAndSaysItWasUninformative() {
        RunResult result = score(replying(List.of(alternative("Maybe", 0.5), alternative("Perhaps", 0.3))));

        assertThat(result.solution().confidence()).isEqualTo(0.5);
        Map<String, Object> notes = evaluateStep(result).notes();
        assertThat(notes)
                .containsEntry("score", 0.5)
                .containsEntry("p_yes", 0.0)
                .containsEntry("p_no", 0.0)
                .containsEntry("uninformative", "neither Yes nor No among the top alternatives");
    }

    @Test
    void aTokenWithoutAlternativesIsReadAlone() {
        var alone = replying(
                Capabilities.full(Capabilities.Source.CONFIGURED),
                new Choice(0, "No", "length", List.of(new TokenLogprob("No", Math.log(0.8), List.of()))));

        assertThat(score(alone).solution().confidence()).isEqualTo(0.0);
    }

    @Test
    void aReplyWithoutTheLogprobsAskedForIsABadReplyNotAGuess() {
        var none = replying(Capabilities.full(Capabilities.Source.CONFIGURED), ScriptedEndpoint.choice(0, "Yes"));
        Strategy scoring = (problem, run) ->
                SCORER.score(run, problem.messages(), RESPONSE).map(s -> Solution.of(null, RESPONSE, s));
        var service =
                new Runs().plan("score", scoring, Map.of("evaluator", none)).service();

        RunEvent event = Runs.last(service, "score", Problem.of("What is 2+2?", null));

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        assertThat(((RunEvent.Failed) event).error())
                .isInstanceOf(BackendException.BadReply.class)
                .hasMessage("judge: returned no token logprobs for the self-evaluation though asked; the score is"
                        + " P(Yes) among them");
    }

    @Test
    void byteLevelBpeMarkersFoldLikeSpaces() {
        var gpt2 =
                replying(List.of(alternative("\u0120Yes", 0.3), alternative("\u0120No", 0.6), alternative("No", 0.1)));

        assertThat(score(gpt2).solution().confidence()).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void asksForAFewAlternativesWhileTheEvaluatorsCapabilitiesAreOnlyAssumed() {
        var unprobed = replying(Capabilities.assumedMinimal(), NO);

        score(unprobed);

        assertThat(unprobed.requests().get(0).topLogprobs()).isEqualTo(5);
    }

    @Test
    void asksForOneGreedyTokenAfterTheResponseAndTheRestartQuestion() {
        var evaluator = replying(List.of(alternative("No", 0.9)));

        score(evaluator);

        GenerationRequest sent = evaluator.requests().get(0);
        assertThat(sent.n()).isEqualTo(1);
        assertThat(sent.maxTokens()).isEqualTo(1);
        assertThat(sent.temperature()).isEqualTo(0.0);
        assertThat(sent.logprobs()).isTrue();
        assertThat(sent.topLogprobs()).isEqualTo(20);
        assertThat(sent.messages())
                .containsExactly(
                        ChatMessage.user("What is 2+2?"),
                        ChatMessage.assistant(RESPONSE),
                        ChatMessage.user(Evaluations.PROMPTS.render(RestartQuestion.PROMPT, Map.of())));
        assertThat(sent.messages().get(2).content()).contains("Yes or No");
    }

    @Test
    void asksForAsManyAlternativesAsTheEndpointGivesUpToTwenty() {
        var five = replying(new Capabilities(true, true, 5, Capabilities.Source.PROBED), NO);
        var fifty = replying(new Capabilities(true, true, 50, Capabilities.Source.CONFIGURED), NO);

        score(five);
        score(fifty);

        assertThat(five.requests().get(0).topLogprobs()).isEqualTo(5);
        assertThat(fifty.requests().get(0).topLogprobs()).isEqualTo(20);
    }

    @Test
    void recordsTheScoreAsAnEvaluateStepAroundItsModelCall() {
        RunResult result = score(replying(List.of(alternative("No", 0.75), alternative("Yes", 0.25))));

        Step evaluate = evaluateStep(result);
        Step call = result.steps().stream()
                .filter(s -> s.kind() == StepKind.GENERATE)
                .findFirst()
                .orElseThrow();
        assertThat(evaluate.status()).isEqualTo(Step.Status.OK);
        assertThat(evaluate.name()).isEqualTo("self-evaluation");
        assertThat((Double) evaluate.notes().get("score")).isCloseTo(0.25, within(1e-12));
        assertThat(call.parentId()).isEqualTo(evaluate.id());
        assertThat(call.name()).isEqualTo("evaluator");
        assertThat(call.endpoint()).isEqualTo("judge");
        assertThat(result.usage().modelCalls()).isEqualTo(1);
    }
}
