package dev.deliberate.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.run.CriticalPath;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunStatus;
import dev.deliberate.run.RunUsage;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** Holding a streamed run's events until it makes progress, so that early failures keep their HTTP status. */
class HeldEventsTests {

    private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
    private static final BackendException DOWN =
            new BackendException.Unavailable("local", "connection refused", true, null);

    @Test
    void aRunFailingBeforeAnyStepSucceedsIsAnErrorNotAnEvent() {
        Flux<RunEvent> events = Flux.just(step("a", Step.Status.RUNNING), step("a", Step.Status.FAILED), failed());

        StepVerifier.create(ChatCompletionsController.heldUntilProgress(events, Duration.ofSeconds(5)))
                .expectErrorSatisfies(error -> assertThat(error).isSameAs(DOWN))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void eventsWaitForTheFirstSucceededStepThenFlowOneByOne() {
        TestPublisher<RunEvent> run = TestPublisher.create();
        RunEvent started = step("a", Step.Status.RUNNING);
        RunEvent succeeded = step("a", Step.Status.OK);
        RunEvent next = step("b", Step.Status.RUNNING);
        RunEvent failed = failed();

        // An hour's hold against a two-second verify: completion must not wait for the hold's timer.
        StepVerifier.create(ChatCompletionsController.heldUntilProgress(run.flux(), Duration.ofHours(1)))
                .then(() -> run.next(started))
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> run.next(succeeded))
                .expectNext(started, succeeded)
                .then(() -> run.next(next))
                .expectNext(next)
                .then(() -> run.next(failed).complete())
                .expectNext(failed)
                .expectComplete()
                .verify(Duration.ofSeconds(2));
    }

    @Test
    void afterTheHoldTheEventsFlowEvenWithoutProgress() {
        RunEvent started = step("a", Step.Status.RUNNING);
        RunEvent later = step("b", Step.Status.RUNNING);

        StepVerifier.withVirtualTime(() -> ChatCompletionsController.heldUntilProgress(
                        Flux.just(started).concatWith(Flux.never()), Duration.ofSeconds(5)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(4_999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(started)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        StepVerifier.withVirtualTime(() -> ChatCompletionsController.heldUntilProgress(
                        Flux.just(started).concatWith(Flux.just(later).delaySubscription(Duration.ofSeconds(6))),
                        Duration.ofSeconds(5)))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(started)
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(later)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void cancellingWhileHeldCancelsTheRun() {
        TestPublisher<RunEvent> run = TestPublisher.create();

        StepVerifier.create(ChatCompletionsController.heldUntilProgress(run.flux(), Duration.ofSeconds(5)))
                .then(() -> run.next(step("a", Step.Status.RUNNING)))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        run.assertCancelled();
    }

    private static RunEvent step(String id, Step.Status status) {
        return new RunEvent.StepEvent(new Step(
                id,
                "root",
                "run/" + id,
                StepKind.GENERATE,
                "solver",
                "local",
                T0,
                status == Step.Status.RUNNING ? null : T0.plusMillis(5),
                status,
                RunUsage.ZERO,
                Map.of()));
    }

    private static RunEvent failed() {
        RunResult result = new RunResult(
                "run-1",
                "direct",
                "direct",
                RunStatus.FAILED,
                null,
                RunUsage.ZERO,
                List.of(),
                CriticalPath.EMPTY,
                T0,
                Duration.ofMillis(5),
                DOWN);
        return new RunEvent.Failed(result, DOWN);
    }
}
