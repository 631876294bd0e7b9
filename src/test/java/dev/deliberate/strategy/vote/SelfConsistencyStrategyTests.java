package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Usage;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
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
import reactor.core.publisher.Mono;

class SelfConsistencyStrategyTests {

    private static final SelfConsistencyParameters FIVE =
            new SelfConsistencyParameters(5, 0.7, null, 256, AnswerKind.MATH);

    @Test
    void samplesInOneRequestAndReturnsTheMajorityWithItsShare() {
        var solver = ScriptedEndpoint.cycling(
                "local",
                "2+2 is 4. The answer is 4.",
                "I think 5. The answer is 5.",
                "The answer is 4.",
                "Hmm.",
                "Four: The answer is 4.");
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isEqualTo(0.6);
        assertThat(result.solution().text()).isEqualTo("2+2 is 4. The answer is 4.");
        assertThat(solver.calls()).isEqualTo(1);
        GenerationRequest sent = solver.requests().get(0);
        assertThat(sent.n()).isEqualTo(5);
        assertThat(sent.temperature()).isEqualTo(0.7);
        assertThat(sent.maxTokens()).isEqualTo(256);
        Step vote = result.steps().stream()
                .filter(s -> s.kind() == StepKind.VOTE)
                .findFirst()
                .orElseThrow();
        assertThat(vote.notes()).containsEntry("winner", "4").containsEntry("ballots", 5);
    }

    @Test
    void onAFanOutBackendSamplesOnlyWhatTheCallBudgetAllowsAndEndsTruncated() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 4.", "The answer is 5.", "The answer is 4.")
                .withCapabilities(new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED));
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var threeCalls = new BudgetLimits(3, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        var service = new Runs()
                .plan("sc", strategy, Map.of("solver", solver), threeCalls)
                .service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(solver.requests().get(0).n()).isEqualTo(3);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.truncated()).isTrue();
        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isEqualTo(2.0 / 3);
        assertThat(result.solution().notes()).containsEntry(Solution.STOPPED_BY, "max_model_calls");
    }

    @Test
    void onABackendWithNOneCallPaysForEverySample() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 4.");
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var oneCall = new BudgetLimits(1, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        var service = new Runs()
                .plan("sc", strategy, Map.of("solver", solver), oneCall)
                .service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(solver.requests().get(0).n()).isEqualTo(5);
        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.usage().modelCalls()).isEqualTo(1);
    }

    @Test
    void aWinnerCutByATokenLimitSaysSo() {
        var solver = new ScriptedEndpoint(
                "local",
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.just(new Generation(
                        List.of(
                                new Choice(0, "The answer is 4.", "length", List.of()),
                                new Choice(1, "The answer is 4. Done", "stop", List.of())),
                        Usage.ZERO,
                        Duration.ofMillis(5),
                        "local",
                        1)));
        var strategy = new SelfConsistencyKind(Formats.shipped())
                .create(new SelfConsistencyParameters(2, 0.7, null, 64, AnswerKind.MATH));
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(result.solution().text()).isEqualTo("The answer is 4.");
        assertThat(result.solution().isTextCut()).isTrue();
    }

    @Test
    void samplesOnlyWhatTheBreadthAllowsWhenThatIsTheTighterLimit() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 4.");
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var narrow = new BudgetLimits(100, 1_000_000, Duration.ofSeconds(30), 3, 2, 10);
        var service = new Runs()
                .plan("sc", strategy, Map.of("solver", solver), narrow)
                .service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(solver.requests().get(0).n()).isEqualTo(2);
        assertThat(result.solution().notes()).containsEntry(Solution.STOPPED_BY, "max_breadth");
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
    }

    @Test
    void aFullBudgetRunIsNotTruncated() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 4.");
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("What is 2+2?", null)));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().notes()).doesNotContainKey(Solution.STOPPED_BY);
    }

    @Test
    void keepsTheClientConversationAndJoinsItsSystemPrompt() {
        var solver = ScriptedEndpoint.cycling("local", "The answer is 1.");
        var strategy = new SelfConsistencyKind(Formats.shipped()).create(FIVE);
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();
        var conversation = List.of(
                ChatMessage.system("You are terse."),
                ChatMessage.user("Earlier question"),
                ChatMessage.assistant("Earlier answer"),
                ChatMessage.user("What is 0+1?"));

        Runs.finished(Runs.last(service, "sc", new Problem(conversation, AnswerKind.MATH, null)));

        List<ChatMessage> sent = solver.requests().get(0).messages();
        assertThat(sent).hasSize(4);
        assertThat(sent.get(0).role()).isEqualTo("system");
        assertThat(sent.get(0).content()).startsWith("You are terse.\n\n").contains("The answer is N.");
        assertThat(sent.subList(1, 4)).isEqualTo(conversation.subList(1, 4));
    }

    @Test
    void noExtractableAnswerGivesNullAnswerAndZeroConfidence() {
        var solver = ScriptedEndpoint.cycling("local", "no idea", "cannot say");
        var strategy = new SelfConsistencyKind(Formats.shipped())
                .create(new SelfConsistencyParameters(2, 0.7, null, 64, AnswerKind.MATH));
        var service = new Runs().plan("sc", strategy, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "sc", Problem.of("?", AnswerKind.MATH)));

        assertThat(result.solution().answer()).isNull();
        assertThat(result.solution().confidence()).isZero();
    }
}
