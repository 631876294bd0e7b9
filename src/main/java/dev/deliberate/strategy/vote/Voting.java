package dev.deliberate.strategy.vote;

import dev.deliberate.answer.Answer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregates ballots: answers are grouped by their canonical form and their weights summed. Ties are broken by the
 * run seed (not by arrival order, which depends on the backend's timing), so a seeded run is reproducible.
 */
public final class Voting {

    private Voting() {}

    public static Tally tally(List<Ballot> ballots, long seed) {
        if (ballots.isEmpty()) {
            throw new IllegalArgumentException("a vote needs at least one ballot");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        Map<String, Ballot> firstByAnswer = new LinkedHashMap<>();
        double total = 0;
        for (Ballot ballot : ballots) {
            total += ballot.weight();
            Answer answer = ballot.answer();
            if (answer != null) {
                weights.merge(answer.canonical(), ballot.weight(), Double::sum);
                firstByAnswer.putIfAbsent(answer.canonical(), ballot);
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
        Ballot chosen = firstByAnswer.get(key);
        double share = total > 0 ? top / total : 0.0;
        return new Tally(chosen.answer(), chosen.text(), Math.min(1.0, share), weights, ballots.size());
    }

    private static int mix(long seed) {
        long z = seed * 0x9E3779B97F4A7C15L;
        return (int) (z ^ (z >>> 32));
    }
}
