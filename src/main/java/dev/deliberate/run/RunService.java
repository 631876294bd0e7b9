package dev.deliberate.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Admits runs and executes them: looks up the profile, fixes the budget within the server caps, runs the strategy
 * under the deadline, publishes the trace live and keeps the run in {@link RecentRuns}.
 *
 * <p>A budget or deadline stop returns the best candidate the strategy offered, marked truncated, so strategies never
 * write their own truncation logic. A cancelled subscription (client gone) cancels the strategy and with it every
 * backend call in flight.
 */
public final class RunService {

    private final ProfileLookup profiles;
    private final BudgetLimits caps;
    private final RecentRuns recent;
    private final Clock clock;
    private final int maxConcurrentRuns;
    private final Scheduler timer;
    private final MeterRegistry meters;
    private final AtomicInteger running = new AtomicInteger();

    public RunService(
            ProfileLookup profiles,
            BudgetLimits caps,
            RecentRuns recent,
            Clock clock,
            int maxConcurrentRuns,
            Scheduler timer,
            MeterRegistry meters) {
        this.profiles = profiles;
        this.caps = caps;
        this.recent = recent;
        this.clock = clock;
        this.maxConcurrentRuns = maxConcurrentRuns;
        this.timer = timer;
        this.meters = meters;
    }

    public RunService(ProfileLookup profiles, BudgetLimits caps, RecentRuns recent, MeterRegistry meters) {
        this(profiles, caps, recent, Clock.systemUTC(), 1024, Schedulers.parallel(), meters);
    }

    public RecentRuns recent() {
        return recent;
    }

    public int running() {
        return running.get();
    }

    /**
     * Validates and admits {@code request} at once (unknown profile, budget above the caps and overload fail here,
     * before any response is committed) and returns the run with its events: trace steps as they happen, then exactly
     * one {@link RunEvent.Finished} or {@link RunEvent.Failed}. Subscribe exactly once.
     *
     * @throws DeliberateException 404 for an unknown profile, 400 for a budget above the caps, 429 when overloaded
     */
    public StartedRun start(RunRequest request) {
        Plan plan = profiles.find(request.profile())
                .orElseThrow(() -> DeliberateException.notFound(
                        "model", "model_not_found", "no profile named '" + request.profile() + "'"));
        BudgetLimits limits = plan.budget().within(caps).override(request.budget(), caps);
        if (running.incrementAndGet() > maxConcurrentRuns) {
            running.decrementAndGet();
            throw DeliberateException.overloaded(
                    "too many runs in progress (" + maxConcurrentRuns + "); retry shortly", Duration.ofSeconds(1));
        }
        try {
            return execute(plan, request, limits);
        } catch (RuntimeException e) {
            running.decrementAndGet();
            throw e;
        }
    }

    private StartedRun execute(Plan plan, RunRequest request, BudgetLimits limits) {
        // Not UUID.randomUUID(): SecureRandom may read /dev/urandom, a blocking call on the event loop.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String runId = "run-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
        long seed = request.seed() != null
                ? request.seed()
                : ThreadLocalRandom.current().nextLong();
        Trace trace = new Trace(clock);
        Budget budget = new Budget(limits, clock);
        Instant startedAt = clock.instant();
        Step root = trace.open(
                null,
                StepKind.RUN,
                plan.profile(),
                null,
                Map.of("strategy", plan.strategyName(), "seed", seed, "budget", limits));
        Run run = new Run(
                runId,
                plan,
                budget,
                trace,
                seed,
                0,
                root.id(),
                profiles,
                request.sampling(),
                request.maxTokensPerCall());
        AtomicReference<@Nullable RunResult> outcome = new AtomicReference<>();
        recent.put(runId, () -> {
            RunResult done = outcome.get();
            return done != null ? done : snapshot(run, plan, RunStatus.RUNNING, null, startedAt, null);
        });
        Timer.Sample sample = Timer.start(meters);

        Mono<RunEvent> result = Mono.defer(() -> plan.strategy().solve(request.problem(), run))
                .contextWrite(context -> context.put(Run.parentKey(), root.id()))
                .timeout(remaining(budget), timer)
                .map(solution -> finish(run, plan, root, solution, startedAt))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("strategy returned no solution")))
                .onErrorResume(error -> Mono.just(salvage(run, plan, root, error, startedAt)))
                .doOnNext(event -> {
                    RunResult done = event instanceof RunEvent.Finished finished
                            ? finished.result()
                            : ((RunEvent.Failed) event).result();
                    outcome.set(done);
                    sample.stop(meters.timer(
                            "deliberate.runs",
                            "profile",
                            plan.profile(),
                            "outcome",
                            done.status().wireName()));
                })
                .doFinally(signal -> {
                    if (signal == SignalType.CANCEL && outcome.get() == null) {
                        trace.close(root.id(), Step.Status.CANCELLED, budget.used(), Map.of());
                        outcome.set(snapshot(run, plan, RunStatus.CANCELLED, null, startedAt, null));
                        sample.stop(meters.timer("deliberate.runs", "profile", plan.profile(), "outcome", "cancelled"));
                    }
                    trace.complete();
                    running.decrementAndGet();
                });

        return new StartedRun(runId, Flux.merge(trace.live().map(RunEvent.StepEvent::new), result));
    }

    private Duration remaining(Budget budget) {
        Duration left = Duration.between(clock.instant(), budget.deadline());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** A solution that a budget limit cut short ends the run truncated; any other, succeeded. */
    private RunEvent finish(Run run, Plan plan, Step root, Solution solution, Instant startedAt) {
        RunStatus status = solution.isStoppedByBudget() ? RunStatus.TRUNCATED : RunStatus.SUCCEEDED;
        Map<String, Object> notes = new LinkedHashMap<>(Run.solutionNotes(solution));
        notes.put("status", status.wireName());
        run.trace().close(root.id(), Step.Status.OK, run.budget().used(), notes);
        return new RunEvent.Finished(snapshot(run, plan, status, solution, startedAt, null));
    }

    private RunEvent salvage(Run run, Plan plan, Step root, Throwable error, Instant startedAt) {
        Throwable cause = error instanceof TimeoutException ? deadlinePassed(run.budget()) : error;
        if (cause instanceof BudgetExhaustedException exhausted) {
            var best = run.best();
            if (best.isPresent()) {
                Solution solution = best.get().toSolution();
                return finish(run, plan, root, solution.stoppedBy(exhausted.limit()), startedAt);
            }
        }
        run.trace().close(root.id(), Step.Status.FAILED, run.budget().used(), Run.errorNotes(Map.of(), cause));
        return new RunEvent.Failed(snapshot(run, plan, RunStatus.FAILED, null, startedAt, cause), cause);
    }

    private static BudgetExhaustedException deadlinePassed(Budget budget) {
        return new BudgetExhaustedException(
                "deadline", "deadline of " + budget.limits().deadline().toMillis() + " ms passed");
    }

    private RunResult snapshot(
            Run run,
            Plan plan,
            RunStatus status,
            @Nullable Solution solution,
            Instant startedAt,
            @Nullable Throwable error) {
        return new RunResult(
                run.id(),
                plan.profile(),
                plan.strategyName(),
                status,
                solution,
                run.budget().used(),
                run.trace().steps(),
                run.trace().criticalPath(),
                startedAt,
                status == RunStatus.RUNNING ? null : Duration.between(startedAt, clock.instant()),
                error);
    }
}
