package dev.deliberate.sandbox;

import org.jspecify.annotations.Nullable;

/**
 * The result of one call of a {@link Program}.
 *
 * @param value for {@link Outcome#RETURNED}, the returned value as canonical JSON, serialised inside the box (sorted
 *     keys, tuples as lists, sets as sorted lists, other objects as their type and repr, with size and depth caps); for
 *     a statement, {@code null}
 * @param error for {@link Outcome#RAISED}, the exception's type and message (e.g. {@code ZeroDivisionError: division
 *     by zero}), cut short
 */
public record CallResult(
        Outcome outcome, @Nullable String value, @Nullable String error) {

    public enum Outcome {
        RETURNED,
        RAISED,
        TIMEOUT,
        NOT_RUN
    }

    public boolean returned() {
        return outcome == Outcome.RETURNED;
    }
}
