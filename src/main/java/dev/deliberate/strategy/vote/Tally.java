package dev.deliberate.strategy.vote;

import dev.deliberate.answer.Answer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a vote.
 *
 * @param winner the answer with the most weight, or {@code null} when no ballot had an answer
 * @param text a response that gave the winning answer (the one of the largest weight, the first of equals), or the
 *     first response when none did
 * @param share the winner's weight over the counted weight of all ballots, readable or not
 * @param weights the weight of each answer by its canonical form, in first-seen order; an answer whose ballots all
 *     weigh 0 is listed with 0
 * @param ballots how many ballots were cast, counted or not
 */
public record Tally(@Nullable Answer winner, String text, double share, Map<String, Double> weights, int ballots) {

    public Tally {
        weights = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weights));
    }
}
