package dev.deliberate.strategy.selfeval;

import static dev.deliberate.strategy.selfeval.Evaluations.SCORER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.openai.OpenAiEndpoint;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.run.RunStatus;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StartedRun;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.strategy.Formats;
import dev.deliberate.testkit.Eventually;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

class PruneStrategyTests {

    private static final Duration PAUSE = Duration.ofMillis(300);

    private static PruneParameters parameters(int n, int checkpoint, double keep) {
        return new PruneParameters(n, checkpoint, keep, 0.7, null, 256, AnswerKind.MATH);
    }

    private static RunService service(
            PruneParameters parameters, Endpoint solver, Endpoint evaluator, BudgetLimits budget) {
        var strategy = new PruneKind(Formats.shipped(), SCORER).create(parameters);
        return new Runs()
                .plan("prune", strategy, Map.of("solver", solver, "evaluator", evaluator), budget)
                .service();
    }

    private static RunResult solve(
            PruneParameters parameters, Endpoint solver, Endpoint evaluator, BudgetLimits budget) {
        return Runs.finished(
                Runs.last(service(parameters, solver, evaluator, budget), "prune", Problem.of("Go.", null)));
    }

    /** Call i streams {@code texts[i]}: the first {@code head} words at once, the rest after a pause. */
    private static ScriptedEndpoint streaming(int head, String... texts) {
        return ScriptedEndpoint.streaming("local", (request, call) -> Evaluations.stream(texts[call], head, PAUSE));
    }

    /** Scores by a response's first word, except that a response mentioning "solid" or "late" scores 0.1 or 0.6. */
    private static double scoreOf(String response) {
        if (response.contains("solid")) {
            return 0.1;
        }
        if (response.contains("late")) {
            return 0.6;
        }
        String first = response.split(" ")[0];
        return switch (first) {
            case "good" -> 0.2;
            case "fine" -> 0.4;
            case "poor" -> 0.8;
            case "bad" -> 0.9;
            default -> 0.3;
        };
    }

    private static List<Step> steps(RunResult result, StepKind kind) {
        return result.steps().stream().filter(s -> s.kind() == kind).toList();
    }

    private static Step groupOf(RunResult result, Step child) {
        return result.steps().stream()
                .filter(s -> s.id().equals(child.parentId()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void keepsTheBestFractionAtTheCheckpointCancelsTheRestAndChoosesAmongSurvivorsByFullScore() {
        var solver = streaming(
                3,
                "bad start here and then some. The answer is 1.",
                "good start here, so The answer is 7.",
                "fine start here, then solid. The answer is 8.",
                "poor start here then The answer is 9.");
        var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);

        RunResult result = solve(parameters(4, 3, 0.5), solver, evaluator, Runs.GENEROUS);

        Solution solution = result.solution();
        assertThat(solution.answer()).isEqualTo("8");
        assertThat(solution.text()).isEqualTo("fine start here, then solid. The answer is 8.");
        assertThat(solution.confidence()).isCloseTo(0.9, within(1e-12));
        assertThat(solution.notes())
                .containsEntry("samples", 4)
                .containsEntry("pruned", 2)
                .containsEntry("candidates", List.of(1, 2))
                .containsEntry("chosen", 2);
        assertThat(solver.calls()).isEqualTo(4);
        assertThat(solver.cancellations()).isEqualTo(2);
        assertThat(evaluator.calls()).isEqualTo(6);
        assertThat(result.usage().modelCalls()).isEqualTo(10);
        List<Step> groups = steps(result, StepKind.GROUP);
        assertThat(groups).extracting(s -> s.notes().get("sample")).containsExactly(0, 1, 2, 3);
        assertThat(groups)
                .extracting(Step::status)
                .containsExactly(Step.Status.CANCELLED, Step.Status.OK, Step.Status.OK, Step.Status.CANCELLED);
        assertThat(groups).extracting(s -> s.notes().get("pruned")).containsExactly(true, false, false, true);
        assertThat(groups.get(2).notes())
                .containsEntry("checkpoint_tokens", 3)
                .containsEntry("complete_at_checkpoint", false);
        assertThat((Double) groups.get(2).notes().get("checkpoint_score")).isCloseTo(0.4, within(1e-12));
        assertThat((Double) groups.get(2).notes().get("score")).isCloseTo(0.1, within(1e-12));
        List<Step> streams = steps(result, StepKind.STREAM);
        assertThat(streams)
                .extracting(s -> groupOf(result, s).notes().get("sample"), Step::status)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(0, Step.Status.CANCELLED),
                        org.assertj.core.groups.Tuple.tuple(1, Step.Status.OK),
                        org.assertj.core.groups.Tuple.tuple(2, Step.Status.OK),
                        org.assertj.core.groups.Tuple.tuple(3, Step.Status.CANCELLED));
        assertThat(steps(result, StepKind.EVALUATE)).hasSize(6);
        assertThat(solver.requests()).allMatch(r -> r.n() == 1 && r.temperature() == 0.7 && r.logprobs());
    }

    @Test
    void aStreamThatEndsBeforeTheCheckpointIsACandidateScoredOnce() {
        var solver = streaming(
                5,
                "The answer is 3.",
                "good one two three four, late: The answer is 4.",
                "bad one two three four, The answer is 5.");
        var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);

        RunResult result = solve(parameters(3, 5, 0.5), solver, evaluator, Runs.GENEROUS);

        assertThat(result.solution().answer()).isEqualTo("3");
        assertThat(result.solution().confidence()).isCloseTo(0.7, within(1e-12));
        assertThat(result.solution().notes())
                .containsEntry("pruned", 1)
                .containsEntry("candidates", List.of(0, 1))
                .containsEntry("chosen", 0);
        assertThat(evaluator.calls()).isEqualTo(4);
        assertThat(solver.cancellations()).isEqualTo(1);
        Step early = steps(result, StepKind.GROUP).get(0);
        assertThat(early.status()).isEqualTo(Step.Status.OK);
        assertThat(early.notes()).containsEntry("complete_at_checkpoint", true).doesNotContainKey("pruned");
    }

    @Test
    void startsOnlyTheStreamsTheCallBudgetPaysForWithTheirScoresAndEndsTruncated() {
        var solver = streaming(1, "good The answer is 1.", "fine The answer is 2.", "bad The answer is 3.", "x");
        var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);
        var eightCalls = new BudgetLimits(8, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);

        RunResult result = solve(parameters(4, 1, 0.5), solver, evaluator, eightCalls);

        assertThat(solver.calls()).isEqualTo(3);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().notes()).containsEntry(Solution.STOPPED_BY, "max_model_calls");
        assertThat(result.solution().answer()).isEqualTo("1");
        assertThat(result.usage().modelCalls()).isLessThanOrEqualTo(8);
    }

    @Test
    void startsNoMoreStreamsThanTheBreadthAllows() {
        var solver = streaming(1, "good The answer is 1.", "fine The answer is 2.", "x");
        var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);
        var narrow = new BudgetLimits(100, 1_000_000, Duration.ofSeconds(30), 3, 2, 10);

        RunResult result = solve(parameters(4, 1, 0.5), solver, evaluator, narrow);

        assertThat(solver.calls()).isEqualTo(2);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().notes()).containsEntry(Solution.STOPPED_BY, "max_breadth");
        assertThat(result.solution().answer()).isEqualTo("1");
    }

    @Test
    void roundsTheSurvivorsUpAndKeepsAtLeastOne() {
        assertThat(parameters(8, 64, 0.25).survivors(8)).isEqualTo(2);
        assertThat(parameters(8, 64, 0.25).survivors(7)).isEqualTo(2);
        assertThat(parameters(8, 64, 0.3).survivors(10)).isEqualTo(3);
        assertThat(parameters(8, 64, 0.1).survivors(3)).isEqualTo(1);
        assertThat(parameters(8, 64, 1.0).survivors(5)).isEqualTo(5);
        assertThat(parameters(8, 64, 0.5).survivors(0)).isZero();
        assertThat(new PruneKind(Formats.shipped(), SCORER).validate(parameters(8, 256, 0.25)))
                .containsExactly(
                        "checkpoint: must be below max-tokens (256), or every stream ends before it and nothing"
                                + " is pruned");
    }

    private static OpenAiEndpoint openAi(FakeOpenAiServer server) {
        EndpointSettings settings = EndpointSettings.of("openai", server.baseUri(), "test-model")
                .withCapabilities(new CapabilityOverrides(true, true, 20));
        return new OpenAiEndpoint("local", settings, WebClient.builder());
    }

    private static String words(String first, int count, String last) {
        StringBuilder text = new StringBuilder(first);
        for (int i = 0; i < count; i++) {
            text.append(" w").append(i);
        }
        return text.append(' ').append(last).toString();
    }

    @Test
    void prunedStreamsCloseTheirBackendConnectionsWhileTheSurvivorsRunOn() {
        try (var server = FakeOpenAiServer.start()) {
            // Every other stream opens weakly and then stalls, so only a cancel can end it; the others finish slowly.
            AtomicInteger arrivals = new AtomicInteger();
            server.reply(
                    request -> arrivals.getAndIncrement() % 2 == 0,
                    Reply.texts(words("bad", 30, "The answer is 1."), words("poor", 30, "The answer is 9."))
                            .fault(Fault.STALL_AFTER_FIRST_CHUNK));
            server.defaultReply(
                    Reply.texts(words("good", 30, "The answer is 7."), words("fine", 30, "The answer is 8."))
                            .drip(Duration.ofMillis(20)));
            OpenAiEndpoint solver = openAi(server);
            var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);
            RunService service = service(parameters(4, 1, 0.5), solver, evaluator, Runs.GENEROUS);
            List<Integer> closedWhenASurvivorEnded = Collections.synchronizedList(new ArrayList<>());

            RunEvent last = service.start(RunRequest.of("prune", Problem.of("Go.", null)))
                    .events()
                    .doOnNext(event -> {
                        if (event instanceof RunEvent.StepEvent stepEvent
                                && stepEvent.step().kind() == StepKind.STREAM
                                && stepEvent.step().status() == Step.Status.OK) {
                            closedWhenASurvivorEnded.add(server.closedConnections());
                        }
                    })
                    .last()
                    .block(Duration.ofSeconds(10));
            solver.close();

            RunResult result = Runs.finished(Objects.requireNonNull(last));
            assertThat(result.solution().answer()).isEqualTo("7");
            assertThat(result.solution().text()).isEqualTo(words("good", 30, "The answer is 7."));
            assertThat(result.solution().notes()).containsEntry("pruned", 2);
            assertThat(server.calls()).isEqualTo(4);
            assertThat(server.acceptedConnections()).isEqualTo(4);
            // Both pruned connections had closed before either survivor ended, and only they had.
            assertThat(closedWhenASurvivorEnded).containsExactly(2, 2);
            assertThat(steps(result, StepKind.STREAM))
                    .extracting(Step::status)
                    .containsExactlyInAnyOrder(
                            Step.Status.CANCELLED, Step.Status.CANCELLED, Step.Status.OK, Step.Status.OK);
        }
    }

    @Test
    void cancellingTheRunCancelsEveryStreamAndClosesItsConnection() {
        try (var server = FakeOpenAiServer.start()) {
            server.defaultReply(
                    Reply.texts(words("good", 100, "The answer is 1.")).fault(Fault.STALL_AFTER_FIRST_CHUNK));
            OpenAiEndpoint solver = openAi(server);
            var evaluator = Evaluations.scoring(PruneStrategyTests::scoreOf);
            RunService service = service(
                    new PruneParameters(4, 200, 0.5, 0.7, null, 1024, AnswerKind.MATH),
                    solver,
                    evaluator,
                    Runs.GENEROUS);
            StartedRun started = service.start(RunRequest.of("prune", Problem.of("Go.", null)));

            Disposable subscription = started.events().subscribe();
            server.awaitCalls(4, Duration.ofSeconds(5));
            Eventually.await(() -> server.openConnections() == 4, Duration.ofSeconds(5), "four open streams");
            subscription.dispose();

            server.awaitNoOpenConnections(Duration.ofSeconds(5));
            solver.close();
            assertThat(server.calls()).isEqualTo(4);
            assertThat(evaluator.calls()).isZero();
            RunResult snapshot = service.recent().find(started.runId()).orElseThrow();
            assertThat(snapshot.status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(steps(snapshot, StepKind.STREAM)).hasSize(4).allMatch(s -> s.status() == Step.Status.CANCELLED);
            assertThat(steps(snapshot, StepKind.GROUP)).hasSize(4).allMatch(s -> s.status() == Step.Status.CANCELLED);
        }
    }
}
