package dev.deliberate.strategy.vote;

import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.StepNotes;
import java.util.List;
import java.util.Map;

/**
 * How a vote weighs the sampled paths: the one thing that self-consistency ({@link Majority}) and RPC
 * ({@link PerplexityConsistency}) do differently. Sampling, answer reading, offering and the solution are
 * {@link VotingStrategy}'s.
 */
interface AggregationRule {

    /** The vote step's name in the trace. */
    String name();

    /**
     * Whether the vote is CPU work worth moving off the event loop that delivered the samples (RPC's mixture fit
     * takes milliseconds); a plain count is cheaper than the hop to another thread.
     */
    default boolean offloaded() {
        return false;
    }

    /** The sampling request with whatever this rule needs from the backend added (logprobs, say). */
    default GenerationRequest request(GenerationRequest sampling) {
        return sampling;
    }

    /**
     * Weighs and tallies the paths of {@code generation}; {@code ballots.get(i)} is the answer of choice {@code i}
     * with weight 1. Notes what it decided on the vote step.
     *
     * @param seed the run's seed, which breaks ties
     */
    Vote vote(Generation generation, List<Ballot> ballots, long seed, StepNotes notes);

    /**
     * @param tally the outcome
     * @param solutionNotes what the solution reports besides the sample count (vote counts or scores)
     */
    record Vote(Tally tally, Map<String, Object> solutionNotes) {}
}
