package dev.deliberate.run;

import dev.deliberate.model.Endpoint;
import java.util.Map;
import java.util.Set;

/**
 * A validated profile ready to run: its strategy, the endpoint behind each role, the capabilities each role needs and
 * its budget.
 *
 * @param strategyName the strategy kind, e.g. {@code self-consistency}
 * @param requirements capabilities per role; checked again before each call, because an endpoint whose startup probe
 *     failed was accepted on assumed capabilities
 */
public record Plan(
        String profile,
        String strategyName,
        Strategy strategy,
        Map<String, Endpoint> roles,
        Map<String, Set<Requirement>> requirements,
        BudgetLimits budget) {

    public Plan {
        roles = Map.copyOf(roles);
        requirements = Map.copyOf(requirements);
    }

    public Plan(
            String profile, String strategyName, Strategy strategy, Map<String, Endpoint> roles, BudgetLimits budget) {
        this(profile, strategyName, strategy, roles, Map.of(), budget);
    }
}
