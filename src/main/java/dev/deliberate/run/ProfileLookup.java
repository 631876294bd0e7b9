package dev.deliberate.run;

import java.util.Optional;

/** Finds the plan of a profile by name. Implemented by the profile registry. */
@FunctionalInterface
public interface ProfileLookup {

    Optional<Plan> find(String profile);
}
