package dev.deliberate.strategy.vote;

import dev.deliberate.answer.Answer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Aggregates ballots: answers are grouped by their canonical form and their weights summed. Ties are broken by the
 * run seed (not by arrival order, which depends on the backend's timing), so a seeded run is reproducible.
 */
public final class Voting {

    /** Which ballots' weights add up. */
    public enum Count {
        /** Every ballot counts: a majority counts an answer given twice twice. */
        EVERY_BALLOT,
        /**
         * A response text counts once however often it was sampled (perplexity consistency: a repeated path is one
         * path whose probability the vote already holds). The first ballot of a text with a weight above 0 counts; a
         * ballot of weight 0 (a pruned path) still puts its answer on the tally.
         */
        DISTINCT_TEXTS
    }

    private Voting() {}

    /** A vote in which every ballot counts. */
    public static Tally tally(List<Ballot> ballots, long seed) {
        return tally(ballots, Count.EVERY_BALLOT, seed);
    }

    public static Tally tally(List<Ballot> ballots, Count count, long seed) {
        if (ballots.isEmpty()) {
            throw new IllegalArgumentException("a vote needs at least one ballot");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, Ballot> heaviestByAnswer = new LinkedHashMap<>();
        Set<String> countedTexts = new HashSet<>();
        double total = 0;
        for (Ballot ballot : ballots) {
            double weight = ballot.weight();
            if (count == Count.DISTINCT_TEXTS && weight > 0 && !countedTexts.add(ballot.text())) {
                weight = 0;
            }
            total += weight;
            Answer answer = ballot.answer();
            if (answer != null) {
                weights.merge(answer.canonical(), weight, Double::sum);
                Ballot heaviest = heaviestByAnswer.get(answer.canonical());
                if (heaviest == null || ballot.weight() > heaviest.weight()) {
                    heaviestByAnswer.put(answer.canonical(), ballot);
                }
            }
        }
        if (weights.isEmpty()) {
            return new Tally(null, ballots.get(0).text(), 0.0, weights, ballots.size());
        }
        double top =
                weights.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        List<String> tied = new ArrayList<>();
        weights.forEach((key, weight) -> {
            if (weight == top) {
                tied.add(key);
            }
        });
        tied.sort(null);
        String key = tied.get(Math.floorMod(mix(seed), tied.size()));
        Ballot chosen = heaviestByAnswer.get(key);
        double share = total > 0 ? top / total : 0.0;
        return new Tally(chosen.answer(), chosen.text(), Math.min(1.0, share), weights, ballots.size());
    }

    private static int mix(long seed) {
        long z = seed * 0x9E3779B97F4A7C15L;
        return (int) (z ^ (z >>> 32));
    }
}
