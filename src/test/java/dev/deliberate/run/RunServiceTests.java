package dev.deliberate.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class RunServiceTests {

    private static final Problem PROBLEM = Problem.of("What is 2+2?", AnswerKind.MATH);

    /** Calls the solver {@code calls} times in sequence, offering each answer with a rising confidence. */
    private static Strategy sequential(int calls) {
        return (problem, run) -> Flux.range(0, calls)
                .concatMap(i -> run.generate("solver", GenerationRequest.of(problem.messages()))
                        .doOnNext(g -> run.offer(new Candidate(g.text(), g.text(), 0.1 * (i + 1)))))
                .last()
                .map(g -> Solution.of(g.text(), g.text(), 1.0));
    }

    @Test
    void finishesWithSolutionUsageAndTrace() {
        var solver = ScriptedEndpoint.cycling("local", "four");
        var service =
                new Runs().plan("p", sequential(2), Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "p", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("four");
        assertThat(result.usage().modelCalls()).isEqualTo(2);
        assertThat(result.usage().promptTokens()).isEqualTo(20);
        assertThat(result.usage().completionTokens()).isEqualTo(2);
        assertThat(result.steps())
                .extracting(Step::kind)
                .containsExactly(StepKind.RUN, StepKind.GENERATE, StepKind.GENERATE);
        assertThat(result.steps()).allMatch(step -> step.status() == Step.Status.OK);
        String root = result.steps().get(0).id();
        assertThat(result.steps().subList(1, 3)).allMatch(step -> root.equals(step.parentId()));
        assertThat(result.criticalPath().stepIds()).hasSize(2);
        assertThat(service.recent().find(result.runId()))
                .get()
                .extracting(RunResult::status)
                .isEqualTo(RunStatus.SUCCEEDED);
        assertThat(solver.calls()).isEqualTo(2);
    }

    @Test
    void publishesEachStepStartAndEndBeforeTheSolution() {
        var service = new Runs()
                .plan("p", sequential(1), Map.of("solver", ScriptedEndpoint.cycling("local", "4")))
                .service();

        List<RunEvent> events = service.start(RunRequest.of("p", PROBLEM))
                .events()
                .collectList()
                .block(Duration.ofSeconds(5));

        assertThat(events).hasSize(5);
        assertThat(events.subList(0, 4)).allMatch(e -> e instanceof RunEvent.StepEvent);
        assertThat(events.get(4)).isInstanceOf(RunEvent.Finished.class);
        var statuses = events.subList(0, 4).stream()
                .map(e -> ((RunEvent.StepEvent) e).step())
                .map(s -> s.kind() + ":" + s.status())
                .toList();
        assertThat(statuses).containsExactly("RUN:RUNNING", "GENERATE:RUNNING", "GENERATE:OK", "RUN:OK");
    }

    @Test
    void stopsAtCallBudgetWithBestAnswerSoFar() {
        var solver = ScriptedEndpoint.cycling("local", "one", "two", "three", "four");
        BudgetLimits twoCalls = new BudgetLimits(2, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        var service = new Runs()
                .plan("p", sequential(4), Map.of("solver", solver), twoCalls)
                .service();

        RunResult result = Runs.finished(Runs.last(service, "p", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.truncated()).isTrue();
        assertThat(result.solution().answer()).isEqualTo("two");
        assertThat(result.solution().notes()).containsEntry("stopped_by", "max_model_calls");
        assertThat(solver.calls()).isEqualTo(2);
        assertThat(result.usage().modelCalls()).isEqualTo(2);
    }

    @Test
    void failsWithBudgetErrorWhenNothingWasOffered() {
        Strategy greedy = (problem, run) -> run.generate(
                        "solver", GenerationRequest.of(problem.messages()).withN(5))
                .map(g -> Solution.of(g.text(), g.text(), 1.0));
        BudgetLimits oneCall = new BudgetLimits(1, 1_000_000, Duration.ofSeconds(30), 3, 4, 10);
        var solver = ScriptedEndpoint.cycling("local", "x");
        var service =
                new Runs().plan("p", greedy, Map.of("solver", solver), oneCall).service();

        RunEvent event = Runs.last(service, "p", PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        var error = (BudgetExhaustedException) ((RunEvent.Failed) event).error();
        assertThat(error.limit()).isEqualTo("max_breadth");
        assertThat(error.status()).isEqualTo(429);
        assertThat(solver.calls()).isZero();
    }

    @Test
    void reservesWorstCaseTokensAndLowersMaxTokensToWhatIsLeft() {
        var solver = ScriptedEndpoint.cycling("local", "ok");
        BudgetLimits tokens = new BudgetLimits(10, 300, Duration.ofSeconds(30), 3, 64, 10);
        Strategy strategy = (problem, run) -> run.generate(
                        "solver", GenerationRequest.of(problem.messages()).withMaxTokens(1000))
                .map(g -> Solution.of(g.text(), g.text(), 1.0));
        var service =
                new Runs().plan("p", strategy, Map.of("solver", solver), tokens).service();

        Runs.finished(Runs.last(service, "p", PROBLEM));

        int sent = solver.requests().get(0).maxTokens();
        assertThat(sent).isLessThan(300).isGreaterThan(250);
    }

    @Test
    void deadlineReturnsBestCandidateAndCancelsTheCallInFlight() {
        AtomicInteger cancelled = new AtomicInteger();
        var slow = new ScriptedEndpoint(
                "local",
                dev.deliberate.model.Capabilities.full(dev.deliberate.model.Capabilities.Source.CONFIGURED),
                (request, call) -> call == 0
                        ? Mono.just(ScriptedEndpoint.generation("local", List.of(ScriptedEndpoint.choice(0, "early"))))
                        : Mono.<dev.deliberate.model.Generation>never().doOnCancel(cancelled::incrementAndGet));
        BudgetLimits shortDeadline = new BudgetLimits(10, 1_000_000, Duration.ofMillis(300), 3, 64, 10);
        var service = new Runs()
                .plan("p", sequential(2), Map.of("solver", slow), shortDeadline)
                .service();

        RunResult result = Runs.finished(Runs.last(service, "p", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("early");
        assertThat(result.solution().notes()).containsEntry("stopped_by", "deadline");
        assertThat(cancelled).hasValue(1);
        assertThat(result.steps()).extracting(Step::status).contains(Step.Status.CANCELLED);
    }

    @Test
    void cancellingTheSubscriptionCancelsBackendCalls() {
        AtomicInteger cancelled = new AtomicInteger();
        var stalled = new ScriptedEndpoint(
                "local",
                dev.deliberate.model.Capabilities.full(dev.deliberate.model.Capabilities.Source.CONFIGURED),
                (request, call) ->
                        Mono.<dev.deliberate.model.Generation>never().doOnCancel(cancelled::incrementAndGet));
        Strategy fanOut = (problem, run) -> Flux.range(0, 3)
                .flatMap(i -> run.generate("solver", GenerationRequest.of(problem.messages())))
                .then(Mono.just(Solution.of("x", "x", 1.0)));
        var service = new Runs().plan("p", fanOut, Map.of("solver", stalled)).service();

        StepVerifier.create(service.start(RunRequest.of("p", PROBLEM)).events())
                .expectNextCount(4)
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        assertThat(cancelled).hasValue(3);
        assertThat(service.running()).isZero();
        RunResult stored = service.recent().find(service.recent().ids().get(0)).orElseThrow();
        assertThat(stored.status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void backendFailureFailsTheRunWithTheClassifiedError() {
        var down = ScriptedEndpoint.failing(
                "local", new BackendException.Unavailable("local", "connection refused", true, null));
        var service =
                new Runs().plan("p", sequential(1), Map.of("solver", down)).service();

        RunEvent event = Runs.last(service, "p", PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        assertThat(((RunEvent.Failed) event).error()).isInstanceOf(BackendException.Unavailable.class);
        RunResult result = ((RunEvent.Failed) event).result();
        assertThat(result.status()).isEqualTo(RunStatus.FAILED);
        assertThat(result.steps().get(1).status()).isEqualTo(Step.Status.FAILED);
        assertThat(result.steps().get(1).notes().get("error")).asString().contains("connection refused");
    }

    @Test
    void unknownProfileAndBudgetAboveCapsFailBeforeAnyCall() {
        var solver = ScriptedEndpoint.cycling("local", "x");
        var service =
                new Runs().plan("p", sequential(1), Map.of("solver", solver)).service();

        assertThatThrownBy(() -> service.start(RunRequest.of("nope", PROBLEM)))
                .isInstanceOfSatisfying(DeliberateException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.param()).isEqualTo("model");
                });
        var tooMany = new RunRequest(
                "p", PROBLEM, new BudgetOverrides("budget", 1000, null, null, null, null, null), null, null, null);
        assertThatThrownBy(() -> service.start(tooMany)).isInstanceOfSatisfying(DeliberateException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo("budget.max_model_calls");
        });
        assertThat(solver.calls()).isZero();
        assertThat(service.running()).isZero();
    }

    @Test
    void refusesRunsBeyondTheConcurrencyLimit() {
        var stalled = new ScriptedEndpoint(
                "local",
                dev.deliberate.model.Capabilities.full(dev.deliberate.model.Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.never());
        var service =
                new Runs().plan("p", sequential(1), Map.of("solver", stalled)).service();
        var subscriptions = new java.util.ArrayList<reactor.core.Disposable>();
        for (int i = 0; i < 8; i++) {
            subscriptions.add(
                    service.start(RunRequest.of("p", PROBLEM)).events().subscribe());
        }

        assertThatThrownBy(() -> service.start(RunRequest.of("p", PROBLEM)))
                .isInstanceOfSatisfying(DeliberateException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                });

        subscriptions.forEach(reactor.core.Disposable::dispose);
        assertThat(service.running()).isZero();
    }

    @Test
    void seedsDeriveFromRunSeedAndStepPath() {
        var solver = ScriptedEndpoint.cycling("local", "x");
        var service =
                new Runs().plan("p", sequential(2), Map.of("solver", solver)).service();
        var seeded = new RunRequest("p", PROBLEM, null, 42L, null, null);

        service.start(seeded).events().blockLast(Duration.ofSeconds(5));
        service.start(seeded).events().blockLast(Duration.ofSeconds(5));

        List<Long> seeds =
                solver.requests().stream().map(GenerationRequest::seed).toList();
        assertThat(seeds).hasSize(4);
        assertThat(seeds.get(0)).isNotEqualTo(seeds.get(1));
        assertThat(seeds.subList(2, 4)).isEqualTo(seeds.subList(0, 2));
    }

    @Test
    void aCallIsRefusedWhenTheProbedEndpointLacksWhatTheProfileNeeds() {
        var probed = ScriptedEndpoint.cycling("local", "four")
                .withCapabilities(new Capabilities(true, false, 0, Capabilities.Source.PROBED));
        var service = new Runs()
                .plan("rpc", sequential(1), Map.of("solver", probed), Map.of("solver", Set.of(Requirement.LOGPROBS)))
                .service();

        RunEvent event = Runs.last(service, "rpc", PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        DeliberateException error = (DeliberateException) ((RunEvent.Failed) event).error();
        assertThat(error.status()).isEqualTo(503);
        assertThat(error.code()).isEqualTo("endpoint_lacks_capability");
        assertThat(error.getMessage())
                .isEqualTo("endpoint 'local' lacks logprobs, which profile 'rpc' needs for role 'solver'; "
                        + "use an endpoint that has it");
        assertThat(probed.calls()).isZero();
    }

    @Test
    void anEndpointWithAssumedCapabilitiesIsCalledAnyway() {
        var unprobed = ScriptedEndpoint.cycling("local", "four").withCapabilities(Capabilities.assumedMinimal());
        var service = new Runs()
                .plan("rpc", sequential(1), Map.of("solver", unprobed), Map.of("solver", Set.of(Requirement.LOGPROBS)))
                .service();

        RunResult result = Runs.finished(Runs.last(service, "rpc", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("four");
        assertThat(unprobed.calls()).isEqualTo(1);
    }

    @Test
    void aStreamCancelledMidwayCountsThePromptAndTheTokensItSent() {
        var solver = ScriptedEndpoint.streaming(
                "local",
                (request, call) -> Flux.concat(
                        Flux.just(
                                GenerationChunk.delta(0, "one "),
                                GenerationChunk.delta(0, "two "),
                                GenerationChunk.delta(0, "")),
                        Flux.never()));
        Strategy firstTwoChunks = (problem, run) -> run.stream("solver", GenerationRequest.of(problem.messages()))
                .take(3)
                .map(GenerationChunk::delta)
                .reduce(String::concat)
                .map(text -> Solution.of(text, text, 0.5));
        var service =
                new Runs().plan("p", firstTwoChunks, Map.of("solver", solver)).service();

        RunResult result = Runs.finished(Runs.last(service, "p", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("one two ");
        assertThat(solver.cancellations()).isEqualTo(1);
        assertThat(result.usage().completionTokens()).isEqualTo(2);
        // the prompt estimate: (11 characters + 16 of framing) / 3 + 8
        assertThat(result.usage().promptTokens()).isEqualTo(17);
        Step stream = result.steps().get(1);
        assertThat(stream.kind()).isEqualTo(StepKind.STREAM);
        assertThat(stream.status()).isEqualTo(Step.Status.CANCELLED);
        assertThat(stream.notes()).containsEntry("usage", "estimated");
    }

    @Test
    void aSubRunStoppedByTheBudgetAnswersWithItsBestOfferMarked() {
        var solver = ScriptedEndpoint.cycling("local", "first", "second", "third");
        Strategy outer = (problem, run) -> run.solveWith("inner", problem)
                .map(inner -> new Solution(inner.answer(), inner.text(), inner.confidence(), inner.notes()));
        var twoCalls = new BudgetLimits(2, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        var service = new Runs()
                .plan("outer", outer, Map.of(), twoCalls)
                .plan("inner", sequential(3), Map.of("solver", solver))
                .service();

        RunResult result = Runs.finished(Runs.last(service, "outer", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("second");
        assertThat(result.solution().notes()).containsEntry("stopped_by", "max_model_calls");
        assertThat(solver.calls()).isEqualTo(2);
        Step subRun = result.steps().get(1);
        assertThat(subRun.kind()).isEqualTo(StepKind.RUN);
        assertThat(subRun.status()).isEqualTo(Step.Status.OK);
        assertThat(subRun.notes()).containsEntry("answer", "second");
    }

    @Test
    void aSubRunStoppedByTheBudgetBeforeAnyOfferFails() {
        var solver = ScriptedEndpoint.cycling("local", "first");
        Strategy outer = (problem, run) -> run.solveWith("inner", problem);
        Strategy twoCallsNoOffer = (problem, run) -> run.generate("solver", GenerationRequest.of(problem.messages()))
                .then(run.generate("solver", GenerationRequest.of(problem.messages())))
                .map(g -> Solution.of(g.text(), g.text(), 1.0));
        var oneCall = new BudgetLimits(1, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        var service = new Runs()
                .plan("outer", outer, Map.of(), oneCall)
                .plan("inner", twoCallsNoOffer, Map.of("solver", solver))
                .service();

        RunEvent event = Runs.last(service, "outer", PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        assertThat(((RunEvent.Failed) event).error()).isInstanceOf(BudgetExhaustedException.class);
        assertThat(solver.calls()).isEqualTo(1);
    }

    @Test
    void aStreamThatFailsMidwayCountsTheTokensItSent() {
        var solver = ScriptedEndpoint.streaming(
                "local",
                (request, call) -> Flux.concat(
                        Flux.just(GenerationChunk.delta(0, "one "), GenerationChunk.delta(0, "two ")),
                        Flux.error(new BackendException.BadReply("local", "stream cut short", null))));
        Strategy streamAll = (problem, run) -> run.stream("solver", GenerationRequest.of(problem.messages()))
                .then(Mono.just(Solution.of("x", "x", 1.0)));
        var service = new Runs().plan("p", streamAll, Map.of("solver", solver)).service();

        RunEvent event = Runs.last(service, "p", PROBLEM);

        RunResult result = ((RunEvent.Failed) event).result();
        assertThat(result.usage().completionTokens()).isEqualTo(2);
        assertThat(result.usage().promptTokens()).isEqualTo(17);
        assertThat(result.steps().get(1).status()).isEqualTo(Step.Status.FAILED);
        assertThat(result.steps().get(1).usage().completionTokens()).isEqualTo(2);
    }
}
