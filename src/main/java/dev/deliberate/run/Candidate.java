package dev.deliberate.run;

import org.jspecify.annotations.Nullable;

/**
 * An answer offered while a run is still going, so that a budget or deadline stop can return the best one so far.
 * Higher confidence wins; on equal confidence the later offer wins.
 */
public record Candidate(@Nullable String answer, String text, double confidence) {

    Solution toSolution() {
        return Solution.of(answer, text, confidence);
    }
}
