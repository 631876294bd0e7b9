package dev.deliberate.run;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one run may spend. A profile's budget is the default; a client may raise or lower it per request, and the
 * server caps bound both (an operator limits cost with the caps, not with profile files).
 *
 * @param maxModelCalls backend calls (a fan-out of n counts n)
 * @param maxTokens prompt plus completion tokens; calls reserve their worst case before they start
 * @param deadline wall time from admission
 * @param maxDepth nesting of sub-runs ({@link Run#solveWith})
 * @param maxBreadth samples per call ({@code n}) and concurrent calls per fan-out
 * @param maxCodeExecutions sandboxed executions
 */
public record BudgetLimits(
        int maxModelCalls, long maxTokens, Duration deadline, int maxDepth, int maxBreadth, int maxCodeExecutions) {

    public BudgetLimits {
        Objects.requireNonNull(deadline, "deadline");
        if (maxModelCalls < 1 || maxTokens < 1 || maxDepth < 0 || maxBreadth < 1 || maxCodeExecutions < 0) {
            throw new IllegalArgumentException("budget limits must be positive: " + this);
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive, was " + deadline);
        }
    }

    /** Each limit lowered to {@code caps} where it is higher. */
    public BudgetLimits within(BudgetLimits caps) {
        return new BudgetLimits(
                Math.min(maxModelCalls, caps.maxModelCalls),
                Math.min(maxTokens, caps.maxTokens),
                deadline.compareTo(caps.deadline) <= 0 ? deadline : caps.deadline,
                Math.min(maxDepth, caps.maxDepth),
                Math.min(maxBreadth, caps.maxBreadth),
                Math.min(maxCodeExecutions, caps.maxCodeExecutions));
    }

    /**
     * These limits with the client's overrides applied. An override above the server cap is refused (with the field
     * named) rather than silently lowered, so a client learns its request was not honoured.
     */
    public BudgetLimits override(BudgetOverrides overrides, BudgetLimits caps) {
        return new BudgetLimits(
                pick(
                        overrides.maxModelCalls(),
                        maxModelCalls,
                        1,
                        caps.maxModelCalls,
                        overrides.field() + ".max_model_calls"),
                pick(overrides.maxTokens(), maxTokens, 1, caps.maxTokens, overrides.field() + ".max_tokens"),
                pickDeadline(overrides.deadline(), caps.deadline, overrides.field() + ".deadline_ms"),
                pick(overrides.maxDepth(), maxDepth, 0, caps.maxDepth, overrides.field() + ".max_depth"),
                pick(overrides.maxBreadth(), maxBreadth, 1, caps.maxBreadth, overrides.field() + ".max_breadth"),
                pick(
                        overrides.maxCodeExecutions(),
                        maxCodeExecutions,
                        0,
                        caps.maxCodeExecutions,
                        overrides.field() + ".max_code_executions"));
    }

    private Duration pickDeadline(@Nullable Duration requested, Duration cap, String field) {
        if (requested == null) {
            return deadline;
        }
        if (requested.isNegative() || requested.isZero() || requested.compareTo(cap) > 0) {
            throw DeliberateException.invalidRequest(field, "must be between 1 and " + cap.toMillis() + " ms");
        }
        return requested;
    }

    private static int pick(@Nullable Integer requested, int current, int min, int cap, String field) {
        return (int) pick(requested == null ? null : requested.longValue(), current, min, (long) cap, field);
    }

    private static long pick(@Nullable Long requested, long current, long min, long cap, String field) {
        if (requested == null) {
            return current;
        }
        if (requested < min || requested > cap) {
            throw DeliberateException.invalidRequest(
                    field, "must be between " + min + " and " + cap + ", was " + requested);
        }
        return requested;
    }
}
