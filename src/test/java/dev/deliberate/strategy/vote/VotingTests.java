package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class VotingTests {

    private static Ballot vote(String canonical) {
        return new Ballot(new Answer(AnswerKind.MATH, canonical, canonical), "text " + canonical, 1.0);
    }

    @Test
    void majorityWinsWithShareOfAllBallots() {
        List<Ballot> ballots = List.of(vote("7"), vote("3"), vote("7"), new Ballot(null, "no idea", 1.0), vote("7"));

        Tally tally = Voting.tally(ballots, 1L);

        assertThat(tally.winner().canonical()).isEqualTo("7");
        assertThat(tally.share()).isEqualTo(0.6);
        assertThat(tally.text()).isEqualTo("text 7");
        assertThat(tally.weights()).containsExactly(java.util.Map.entry("7", 3.0), java.util.Map.entry("3", 1.0));
        assertThat(tally.ballots()).isEqualTo(5);
    }

    @Test
    void weightsReplaceCounts() {
        List<Ballot> ballots = List.of(
                new Ballot(new Answer(AnswerKind.MATH, "1", "1"), "a", 0.9),
                new Ballot(new Answer(AnswerKind.MATH, "2", "2"), "b", 0.2),
                new Ballot(new Answer(AnswerKind.MATH, "2", "2"), "c", 0.2));

        Tally tally = Voting.tally(ballots, 0L);

        assertThat(tally.winner().canonical()).isEqualTo("1");
        assertThat(tally.share()).isCloseTo(0.9 / 1.3, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void tiesBreakBySeedNotByArrivalOrder() {
        List<Ballot> forward = List.of(vote("1"), vote("2"));
        List<Ballot> backward = List.of(vote("2"), vote("1"));

        for (long seed = 0; seed < 20; seed++) {
            assertThat(Voting.tally(forward, seed).winner().canonical())
                    .isEqualTo(Voting.tally(backward, seed).winner().canonical());
        }
        var winners = java.util.stream.LongStream.range(0, 20)
                .mapToObj(seed -> Voting.tally(forward, seed).winner().canonical())
                .distinct()
                .toList();
        assertThat(winners).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void noReadableAnswerGivesNoWinnerAndZeroShare() {
        Tally tally = Voting.tally(List.of(new Ballot(null, "first", 1.0), new Ballot(null, "second", 1.0)), 3L);

        assertThat(tally.winner()).isNull();
        assertThat(tally.share()).isZero();
        assertThat(tally.text()).isEqualTo("first");
    }
}
