package dev.deliberate.strategy.vote;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.StepNotes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RPC's rule (Zhou et al. 2025): each path weighs its probability {@code p_i = exp(mean token logprob)}, after
 * {@link ReasoningPruning} has set the weight of unlikely paths to 0; an answer's score is the sum over its distinct
 * surviving texts ({@link Voting.Count#DISTINCT_TEXTS}) and the confidence is the winner's share of all scores.
 *
 * <p>A path without logprobs (the backend left them out for that choice) weighs 0 and stays out of the fit; the vote
 * step counts it. When no path has logprobs there is nothing to weigh by, and the vote fails with a
 * {@link BackendException.BadReply} that names the endpoint.
 */
final class PerplexityConsistency implements AggregationRule {

    private final boolean pruning;

    PerplexityConsistency(boolean pruning) {
        this.pruning = pruning;
    }

    @Override
    public boolean offloaded() {
        return true;
    }

    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public GenerationRequest request(GenerationRequest sampling) {
        return sampling.withLogprobs(0);
    }

    @Override
    public Vote vote(Generation generation, List<Ballot> ballots, long seed, StepNotes notes) {
        List<Choice> choices = generation.choices();
        double[] p = new double[choices.size()];
        List<Integer> withLogprobs = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(choices.get(i).meanLogprob());
            if (Double.isFinite(p[i])) {
                withLogprobs.add(i);
            }
        }
        if (withLogprobs.isEmpty()) {
            throw new BackendException.BadReply(
                    generation.endpoint(),
                    "returned no token logprobs for any of " + p.length
                            + " samples though asked; perplexity consistency weighs answers by them",
                    null);
        }
        double[] known = withLogprobs.stream().mapToDouble(i -> p[i]).toArray();
        ReasoningPruning pruned = pruning ? ReasoningPruning.of(known) : ReasoningPruning.off(known.length);
        boolean[] isPruned = new boolean[p.length];
        for (int j = 0; j < known.length; j++) {
            isPruned[withLogprobs.get(j)] = pruned.isPruned(j);
        }
        List<Ballot> weighted = new ArrayList<>(ballots.size());
        List<Map<String, Object>> samples = new ArrayList<>(ballots.size());
        for (int i = 0; i < ballots.size(); i++) {
            Ballot ballot = ballots.get(i);
            boolean hasLogprobs = Double.isFinite(p[i]);
            weighted.add(new Ballot(ballot.answer(), ballot.text(), hasLogprobs && !isPruned[i] ? p[i] : 0.0));
            Map<String, Object> sample = new LinkedHashMap<>();
            if (hasLogprobs) {
                sample.put("p", p[i]);
            } else {
                sample.put("logprobs", false);
            }
            sample.put(
                    "answer", ballot.answer() == null ? "none" : ballot.answer().canonical());
            sample.put("pruned", isPruned[i]);
            samples.add(sample);
        }
        Tally tally = Voting.tally(weighted, Voting.Count.DISTINCT_TEXTS, seed);
        notes.put("samples", samples);
        if (!pruning) {
            notes.put("pruning", "off");
        } else {
            if (pruned.mixture() != null) {
                notes.put("fit", fitNotes(pruned.mixture()));
            }
            if (pruned.fallback() != null) {
                notes.put("fallback", pruned.fallback());
            }
        }
        notes.put("scores", tally.weights()).put("ballots", tally.ballots()).put("pruned", pruned.count());
        if (withLogprobs.size() < p.length) {
            notes.put("without_logprobs", p.length - withLogprobs.size());
        }
        Map<String, Object> solutionNotes = new LinkedHashMap<>();
        solutionNotes.put("scores", tally.weights());
        solutionNotes.put("pruned", pruned.count());
        return new Vote(tally, solutionNotes);
    }

    private static Map<String, Object> fitNotes(WeibullMixture mixture) {
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("w", mixture.w());
        fit.put("k1", mixture.k1());
        fit.put("lambda1", mixture.lambda1());
        fit.put("k2", mixture.k2());
        fit.put("lambda2", mixture.lambda2());
        fit.put("high_mean", mixture.mean1());
        fit.put("low_mean", mixture.mean2());
        return fit;
    }
}
