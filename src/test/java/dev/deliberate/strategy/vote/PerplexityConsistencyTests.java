package dev.deliberate.strategy.vote;

import static dev.deliberate.strategy.vote.LogprobPaths.bare;
import static dev.deliberate.strategy.vote.LogprobPaths.generation;
import static dev.deliberate.strategy.vote.LogprobPaths.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.run.StepNotes;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerplexityConsistencyTests {

    private static List<Ballot> ballots(String... answers) {
        return java.util.Arrays.stream(answers)
                .map(a -> new Ballot(a == null ? null : new Answer(AnswerKind.MATH, a, a), "text " + a, 1.0))
                .toList();
    }

    @Test
    void asksForTokenLogprobsWithoutAlternatives() {
        GenerationRequest sampling = GenerationRequest.of(List.of(ChatMessage.user("2+2?")));

        GenerationRequest request = new PerplexityConsistency(true).request(sampling);

        assertThat(request.logprobs()).isTrue();
        assertThat(request.topLogprobs()).isZero();
    }

    @Test
    void weighsEachPathByExpOfItsMeanTokenLogprob() {
        // Tokens -0.1 and -0.3: mean -0.2, so p = exp(-0.2) = 0.818731; the other path has p = exp(-1) = 0.367879.
        Choice first = new Choice(
                0,
                "text 4",
                "stop",
                List.of(new TokenLogprob("a", -0.1, List.of()), new TokenLogprob("b", -0.3, List.of())));
        Choice second = new Choice(1, "text 5", "stop", List.of(new TokenLogprob("c", -1.0, List.of())));

        AggregationRule.Vote vote = new PerplexityConsistency(false)
                .vote(generation("local", List.of(first, second)), ballots("4", "5"), 1L, new StepNotes());

        assertThat(vote.tally().weights().get("4")).isCloseTo(Math.exp(-0.2), within(1e-15));
        assertThat(vote.tally().weights().get("5")).isCloseTo(Math.exp(-1.0), within(1e-15));
        assertThat(vote.tally().share()).isCloseTo(Math.exp(-0.2) / (Math.exp(-0.2) + Math.exp(-1.0)), within(1e-15));
        assertThat(vote.solutionNotes()).containsEntry("pruned", 0);
    }

    @Test
    void prunedPathsKeepTheirClusterWithNoWeight() {
        double[] p = {0.91, 0.93, 0.92, 0.94, 0.90, 0.35, 0.40, 0.30};
        String[] answers = {"4", "4", "4", "5", "5", "5", "5", "6"};
        List<Choice> choices = new java.util.ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            choices.add(path(i, "path " + i + " gives " + answers[i], p[i]));
        }
        List<Ballot> ballots = new java.util.ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            ballots.add(new Ballot(
                    new Answer(AnswerKind.MATH, answers[i], answers[i]),
                    choices.get(i).text(),
                    1.0));
        }

        AggregationRule.Vote vote =
                new PerplexityConsistency(true).vote(generation("local", choices), ballots, 1L, new StepNotes());

        // Paths 5, 6 and 7 are pruned: 5 keeps 0.94 + 0.90, and 6 stays on the tally with 0.
        assertThat(vote.tally().weights().get("4")).isCloseTo(0.91 + 0.93 + 0.92, within(1e-12));
        assertThat(vote.tally().weights().get("5")).isCloseTo(0.94 + 0.90, within(1e-12));
        assertThat(vote.tally().weights()).containsEntry("6", 0.0);
        assertThat(vote.tally().winner().canonical()).isEqualTo("4");
        assertThat(vote.tally().share()).isCloseTo(2.76 / 4.60, within(1e-12));
        assertThat(vote.solutionNotes()).containsEntry("pruned", 3);
    }

    @Test
    void aPathWithoutLogprobsWeighsNothing() {
        List<Choice> choices = List.of(path(0, "text 4", 0.5), bare(1, "text 5"), bare(2, "text 5"));

        AggregationRule.Vote vote = new PerplexityConsistency(true)
                .vote(generation("local", choices), ballots("4", "5", "5"), 1L, new StepNotes());

        assertThat(vote.tally().winner().canonical()).isEqualTo("4");
        assertThat(vote.tally().weights()).containsEntry("5", 0.0);
        assertThat(vote.tally().share()).isEqualTo(1.0);
    }

    @Test
    void noLogprobsAtAllIsABadReplyThatNamesTheEndpoint() {
        List<Choice> choices = List.of(bare(0, "text 4"), bare(1, "text 5"));
        var rule = new PerplexityConsistency(true);

        assertThatThrownBy(() -> rule.vote(generation("gpu-box", choices), ballots("4", "5"), 1L, new StepNotes()))
                .isInstanceOf(BackendException.BadReply.class)
                .hasMessage("gpu-box: returned no token logprobs for any of 2 samples though asked; perplexity"
                        + " consistency weighs answers by them")
                .extracting(e -> ((BackendException) e).endpoint())
                .isEqualTo("gpu-box");
    }
}
