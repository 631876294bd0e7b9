package dev.deliberate.run;

import reactor.core.publisher.Mono;

/**
 * An algorithm that answers a problem. Stateless: every per-request value lives in the {@link Run}, so one instance
 * serves all requests of a profile concurrently. All model calls go through {@code run}, which charges the budget
 * and records the trace.
 */
@FunctionalInterface
public interface Strategy {

    Mono<Solution> solve(Problem problem, Run run);
}
