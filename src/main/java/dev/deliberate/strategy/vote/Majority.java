package dev.deliberate.strategy.vote;

import dev.deliberate.model.Generation;
import dev.deliberate.run.StepNotes;
import java.util.List;
import java.util.Map;

/** Self-consistency's rule: one vote per path, the most frequent answer wins, confidence is its share. */
final class Majority implements AggregationRule {

    @Override
    public String name() {
        return "majority";
    }

    @Override
    public Vote vote(Generation generation, List<Ballot> ballots, long seed, StepNotes notes) {
        Tally tally = Voting.tally(ballots, seed);
        notes.put("votes", tally.weights()).put("ballots", tally.ballots());
        return new Vote(tally, Map.of("votes", tally.weights()));
    }
}
