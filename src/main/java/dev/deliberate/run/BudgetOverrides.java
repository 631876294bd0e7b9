package dev.deliberate.run;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A client's requested budget; {@code null} keeps the profile's value. */
public record BudgetOverrides(
        @Nullable Integer maxModelCalls,
        @Nullable Long maxTokens,
        @Nullable Duration deadline,
        @Nullable Integer maxDepth,
        @Nullable Integer maxBreadth,
        @Nullable Integer maxCodeExecutions) {

    public static final BudgetOverrides NONE = new BudgetOverrides(null, null, null, null, null, null);
}
