package dev.deliberate.api.reason;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Endpoint;
import dev.deliberate.profile.Profile;
import dev.deliberate.run.BudgetLimits;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A profile on the wire: strategy, parameters, the endpoint behind each role with its capabilities, and budget. */
public record ProfileView(
        String name,
        String description,
        String strategy,
        String source,
        Record params,
        Map<String, RoleView> roles,
        BudgetView budget) {

    /** @param capabilities where they came from too: configured, probed, or assumed after a failed probe */
    public record RoleView(String endpoint, String kind, String model, CapabilitiesView capabilities) {}

    public record CapabilitiesView(boolean multipleChoices, boolean logprobs, int maxTopLogprobs, String source) {
        static CapabilitiesView of(Capabilities capabilities) {
            return new CapabilitiesView(
                    capabilities.multipleChoices(),
                    capabilities.logprobs(),
                    capabilities.maxTopLogprobs(),
                    capabilities.source().name().toLowerCase(Locale.ROOT));
        }
    }

    public record BudgetView(
            int maxModelCalls, long maxTokens, long deadlineMs, int maxDepth, int maxBreadth, int maxCodeExecutions) {
        static BudgetView of(BudgetLimits budget) {
            return new BudgetView(
                    budget.maxModelCalls(),
                    budget.maxTokens(),
                    budget.deadline().toMillis(),
                    budget.maxDepth(),
                    budget.maxBreadth(),
                    budget.maxCodeExecutions());
        }
    }

    public static ProfileView of(Profile profile) {
        Map<String, RoleView> roles = new LinkedHashMap<>();
        profile.plan().roles().forEach((role, endpoint) -> roles.put(role, role(endpoint)));
        return new ProfileView(
                profile.name(),
                profile.description(),
                profile.strategy(),
                profile.source(),
                profile.parameters(),
                roles,
                BudgetView.of(profile.budget()));
    }

    private static RoleView role(Endpoint endpoint) {
        return new RoleView(
                endpoint.name(), endpoint.kind(), endpoint.model(), CapabilitiesView.of(endpoint.capabilities()));
    }
}
