package dev.deliberate.strategy.selfeval;

import java.util.Comparator;
import java.util.List;

/**
 * One sampled response with its self-evaluation score.
 *
 * @param index the sample's position in drawing order
 * @param score P(restart would be better), in [0, 1]; lower is better
 * @param cut whether a token limit cut the response
 */
public record Scored(int index, String text, double score, boolean cut) {

    public Scored {
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("score must lie in [0, 1], was " + score);
        }
    }

    /** Best-of-N by self-evaluation: the lowest score, the earliest sample on a tie. */
    public static Scored best(List<Scored> samples) {
        return samples.stream()
                .min(Comparator.comparingDouble(Scored::score).thenComparingInt(Scored::index))
                .orElseThrow(() -> new IllegalArgumentException("best-of-N needs at least one sample"));
    }

    /** The confidence a strategy reports for this sample: 1 − s. */
    public double confidence() {
        return 1.0 - score;
    }
}
