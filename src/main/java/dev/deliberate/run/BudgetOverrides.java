package dev.deliberate.run;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A client's requested budget; {@code null} keeps the profile's value.
 *
 * @param field where the client wrote it ({@code budget}, {@code deliberate.budget}), to name it in errors
 */
public record BudgetOverrides(
        String field,
        @Nullable Integer maxModelCalls,
        @Nullable Long maxTokens,
        @Nullable Duration deadline,
        @Nullable Integer maxDepth,
        @Nullable Integer maxBreadth,
        @Nullable Integer maxCodeExecutions) {

    public static final BudgetOverrides NONE = new BudgetOverrides("budget", null, null, null, null, null, null);
}
