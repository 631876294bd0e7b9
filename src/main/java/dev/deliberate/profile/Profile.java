package dev.deliberate.profile;

import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Plan;
import java.util.Map;

/**
 * A loaded, validated profile.
 *
 * @param source where it was defined (a file, or the jar for shipped profiles)
 * @param parameters the strategy's bound parameter record
 * @param roles the endpoint name behind each role
 * @param subProfiles the profiles it runs as sub-runs, by the parameter that names them
 */
public record Profile(
        String name,
        String description,
        String strategy,
        String source,
        Record parameters,
        Map<String, String> roles,
        Map<String, String> subProfiles,
        BudgetLimits budget,
        Plan plan) {

    public Profile {
        roles = Map.copyOf(roles);
        subProfiles = Map.copyOf(subProfiles);
    }
}
