package dev.deliberate.run;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request to run a profile on a problem.
 *
 * @param seed the run seed, from which every call's seed derives; {@code null} for a random one
 * @param maxTokensPerCall the client's cap on each model call's completion ({@code max_tokens}), if any
 */
public record RunRequest(
        String profile,
        Problem problem,
        BudgetOverrides budget,
        @Nullable Long seed,
        @Nullable Integer maxTokensPerCall,
        Sampling sampling) {

    public RunRequest {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(problem, "problem");
        budget = budget == null ? BudgetOverrides.NONE : budget;
        sampling = sampling == null ? Sampling.DEFAULT : sampling;
    }

    public static RunRequest of(String profile, Problem problem) {
        return new RunRequest(profile, problem, BudgetOverrides.NONE, null, null, Sampling.DEFAULT);
    }

    /**
     * The client's own sampling settings. Only strategies that pass a conversation straight through
     * ({@code direct}) use them; sampling strategies keep their profile's settings.
     */
    public record Sampling(
            @Nullable Double temperature, @Nullable Double topP, java.util.List<String> stop) {
        public static final Sampling DEFAULT = new Sampling(null, null, java.util.List.of());

        public Sampling {
            stop = stop == null ? java.util.List.of() : java.util.List.copyOf(stop);
        }
    }
}
