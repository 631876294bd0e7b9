package dev.deliberate.run;

import dev.deliberate.model.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import reactor.core.scheduler.Schedulers;

/** Builds run services over in-memory plans for unit tests of the engine and of strategies. */
public final class Runs {

    public static final BudgetLimits GENEROUS = new BudgetLimits(100, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);

    private final Map<String, Plan> plans = new HashMap<>();
    private BudgetLimits caps = GENEROUS;

    public Runs plan(String profile, Strategy strategy, Map<String, Endpoint> roles) {
        return plan(profile, strategy, roles, GENEROUS);
    }

    public Runs plan(String profile, Strategy strategy, Map<String, Endpoint> roles, BudgetLimits budget) {
        plans.put(profile, new Plan(profile, profile, strategy, roles, budget));
        return this;
    }

    /** A plan whose roles need capabilities, checked before each call. */
    public Runs plan(
            String profile,
            Strategy strategy,
            Map<String, Endpoint> roles,
            Map<String, java.util.Set<Requirement>> requirements) {
        plans.put(profile, new Plan(profile, profile, strategy, roles, requirements, GENEROUS));
        return this;
    }

    public Runs caps(BudgetLimits newCaps) {
        this.caps = newCaps;
        return this;
    }

    public RunService service() {
        ProfileLookup lookup = name -> Optional.ofNullable(plans.get(name));
        return new RunService(
                lookup,
                caps,
                new RecentRuns(100),
                Clock.systemUTC(),
                8,
                Schedulers.parallel(),
                new SimpleMeterRegistry());
    }

    /** Runs {@code profile} on {@code problem} and returns the terminal event. */
    public static RunEvent last(RunService service, String profile, Problem problem) {
        return service.start(RunRequest.of(profile, problem)).events().last().block(Duration.ofSeconds(10));
    }

    public static RunResult finished(RunEvent event) {
        if (event instanceof RunEvent.Finished finished) {
            return finished.result();
        }
        throw new AssertionError("run failed: " + ((RunEvent.Failed) event).error(), ((RunEvent.Failed) event).error());
    }
}
