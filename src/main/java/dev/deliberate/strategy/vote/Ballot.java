package dev.deliberate.strategy.vote;

import dev.deliberate.answer.Answer;
import org.jspecify.annotations.Nullable;

/**
 * One sampled response as a vote.
 *
 * @param answer the extracted answer, or {@code null} when none could be read (the ballot still counts in the total)
 * @param weight 1 for a plain majority; other aggregation rules weigh by probability
 */
public record Ballot(@Nullable Answer answer, String text, double weight) {

    public Ballot {
        if (!(weight >= 0.0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be finite and non-negative, was " + weight);
        }
    }
}
