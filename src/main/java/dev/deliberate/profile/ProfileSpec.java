package dev.deliberate.profile;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The shape of a profile file, parameters aside (they bind to the strategy's own record). */
record ProfileSpec(
        @Nullable String strategy,
        @Nullable String description,
        @Nullable Map<String, String> roles,
        @Nullable Map<String, Object> params,
        @Nullable BudgetSpec budget) {

    /** Budget values a profile sets; unset ones come from the server defaults. */
    record BudgetSpec(
            @Nullable Integer maxModelCalls,
            @Nullable Long maxTokens,
            @Nullable Duration deadline,
            @Nullable Integer maxDepth,
            @Nullable Integer maxBreadth,
            @Nullable Integer maxCodeExecutions) {}
}
