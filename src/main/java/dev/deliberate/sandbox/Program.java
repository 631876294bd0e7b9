package dev.deliberate.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A program to run: a module and the calls to make once it has loaded.
 *
 * @param source Python module text, run first; a failure there fails every call
 * @param calls one line of Python each: an expression, whose value is returned (e.g. {@code f(1, [2])}), or a
 *     statement, which returns nothing (e.g. {@code assert f(1) == 2})
 * @param callTimeout wall time allowed to each call
 * @param seed seeds {@code random} before each call, so that runs repeat
 */
public record Program(String source, List<String> calls, Duration callTimeout, long seed) {

    public Program {
        Objects.requireNonNull(source, "source");
        calls = List.copyOf(calls);
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
    }
}
