package dev.deliberate.api;

import dev.deliberate.run.BudgetOverrides;
import dev.deliberate.run.DeliberateException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A client's budget for one run; unset values keep the profile's, values above the server caps are refused. */
public record WireBudget(
        @Nullable Integer maxModelCalls,
        @Nullable Long maxTokens,
        @Nullable Long deadlineMs,
        @Nullable Integer maxDepth,
        @Nullable Integer maxBreadth,
        @Nullable Integer maxCodeExecutions) {

    public static BudgetOverrides toOverrides(@Nullable WireBudget budget, String field) {
        if (budget == null) {
            return BudgetOverrides.NONE;
        }
        if (budget.deadlineMs != null && budget.deadlineMs < 1) {
            throw DeliberateException.invalidRequest(field + ".deadline_ms", "must be positive");
        }
        return new BudgetOverrides(
                field,
                budget.maxModelCalls,
                budget.maxTokens,
                budget.deadlineMs == null ? null : Duration.ofMillis(budget.deadlineMs),
                budget.maxDepth,
                budget.maxBreadth,
                budget.maxCodeExecutions);
    }
}
