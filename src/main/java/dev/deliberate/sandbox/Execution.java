package dev.deliberate.sandbox;

import java.time.Duration;
import java.util.List;

/**
 * What one box run did.
 *
 * @param verdict how the process ended
 * @param calls one result per call of the program, in order; calls the process never reached are {@link
 *     CallResult.Outcome#NOT_RUN} (or {@link CallResult.Outcome#TIMEOUT} for the one running when time ran out)
 * @param output the program's stdout and stderr together, as text, cut at the configured cap
 * @param wall how long the box ran
 */
public record Execution(Verdict verdict, List<CallResult> calls, Output output, Duration wall) {

    public Execution {
        calls = List.copyOf(calls);
    }

    /** How a box run ended. Only {@link #COMPLETED} means that the program loaded and every call reported back. */
    public enum Verdict {
        /** The module loaded and every call reported a result (a call that raised still counts as reported). */
        COMPLETED,
        /** The module itself raised (syntax error, exception at import time). */
        RUNTIME_ERROR,
        /** The wall deadline or the CPU limit ended it. */
        TIMEOUT,
        /** It ran out of its memory limit. */
        MEMORY,
        /** Its output passed the cap; it was killed. */
        OUTPUT_LIMIT,
        /** It exited, or was killed by a signal, without reporting all its results. */
        NO_RESULT
    }

    /** The program's combined output, cut at a byte cap and decoded with replacement characters. */
    public record Output(String text, boolean truncated) {
        public static final Output EMPTY = new Output("", false);
    }
}
