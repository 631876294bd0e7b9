package dev.deliberate.run;

import java.util.Map;
import java.util.Set;

/**
 * A strategy algorithm as a profile names it ({@code strategy: self-consistency}). It binds a profile's
 * {@code params} to the record {@code P}, declares the roles and capabilities it needs, and creates the stateless
 * {@link Strategy} once the profile has been validated.
 */
public interface StrategyKind<P extends Record> {

    /** The name profiles use, e.g. {@code self-consistency}. */
    String name();

    Class<P> parametersType();

    /** The roles this strategy calls; each must be mapped to an endpoint by the profile. */
    Set<String> roles(P params);

    /** Capabilities required of the endpoint behind each role. */
    default Map<String, Set<Requirement>> requirements(P params) {
        return Map.of();
    }

    /** Checks parameters beyond what their types say; returns problems as "field: message". */
    default java.util.List<String> validate(P params) {
        return java.util.List.of();
    }

    /**
     * Other profiles this strategy runs through {@link Run#solveWith}, by the parameter that names them (e.g.
     * {@code params.local -> adaptive}); startup checks that they exist and that no profile reaches itself.
     */
    default Map<String, String> subProfiles(P params) {
        return Map.of();
    }

    Strategy create(P params);
}
