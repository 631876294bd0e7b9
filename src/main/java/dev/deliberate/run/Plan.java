package dev.deliberate.run;

import dev.deliberate.model.Endpoint;
import java.util.Map;

/**
 * A validated profile ready to run: its strategy, the endpoint behind each role and its budget.
 *
 * @param strategyName the strategy kind, e.g. {@code self-consistency}
 */
public record Plan(
        String profile, String strategyName, Strategy strategy, Map<String, Endpoint> roles, BudgetLimits budget) {

    public Plan {
        roles = Map.copyOf(roles);
    }
}
