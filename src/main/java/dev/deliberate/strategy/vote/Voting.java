package dev.deliberate.strategy.vote;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerEquivalence;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Aggregates ballots: answers are clustered by the answer kind's equivalence ({@link AnswerEquivalence}: the same
 * canonical form, or numbers within its tolerance, joined transitively) and each cluster's weights summed under its
 * first-seen canonical form. Ties are broken by the run seed (not by arrival order, which depends on the backend's
 * timing), so a seeded run is reproducible.
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

    private static final AnswerEquivalence EQUIVALENCE = AnswerEquivalence.DEFAULT;

    private Voting() {}

    /** A vote in which every ballot counts. */
    public static Tally tally(List<Ballot> ballots, long seed) {
        return tally(ballots, Count.EVERY_BALLOT, seed);
    }

    public static Tally tally(List<Ballot> ballots, Count count, long seed) {
        if (ballots.isEmpty()) {
            throw new IllegalArgumentException("a vote needs at least one ballot");
        }
        Map<String, String> clusterOf = clusters(ballots);
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
                String cluster = clusterOf.get(answer.canonical());
                weights.merge(cluster, weight, Double::sum);
                Ballot heaviest = heaviestByAnswer.get(cluster);
                if (heaviest == null || ballot.weight() > heaviest.weight()) {
                    heaviestByAnswer.put(cluster, ballot);
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

    /**
     * Each distinct canonical answer mapped to its cluster's name, the first-seen canonical form of the cluster:
     * union-find over the pairwise equivalence of distinct answers (at most n² / 2 checks for n samples).
     */
    private static Map<String, String> clusters(List<Ballot> ballots) {
        List<Answer> distinct = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Ballot ballot : ballots) {
            if (ballot.answer() != null && seen.add(ballot.answer().canonical())) {
                distinct.add(ballot.answer());
            }
        }
        int[] parent = new int[distinct.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < distinct.size(); i++) {
            for (int j = i + 1; j < distinct.size(); j++) {
                if (EQUIVALENCE.equivalent(distinct.get(i), distinct.get(j))) {
                    int a = root(parent, i);
                    int b = root(parent, j);
                    // The earlier answer names the cluster, so names follow first-seen order.
                    parent[Math.max(a, b)] = Math.min(a, b);
                }
            }
        }
        Map<String, String> clusterOf = new LinkedHashMap<>();
        for (int i = 0; i < distinct.size(); i++) {
            clusterOf.put(
                    distinct.get(i).canonical(), distinct.get(root(parent, i)).canonical());
        }
        return clusterOf;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static int mix(long seed) {
        long z = seed * 0x9E3779B97F4A7C15L;
        return (int) (z ^ (z >>> 32));
    }
}
