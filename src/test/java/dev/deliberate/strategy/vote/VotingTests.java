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

    private static Ballot path(String canonical, String text, double weight) {
        return new Ballot(new Answer(AnswerKind.MATH, canonical, canonical), text, weight);
    }

    @Test
    void distinctTextsCountOnceWhereEveryBallotCountsEachCopy() {
        List<Ballot> ballots = List.of(
                path("4", "same path", 0.9),
                path("4", "same path", 0.9),
                path("5", "one path", 0.5),
                path("5", "another path", 0.6));

        Tally everyBallot = Voting.tally(ballots, Voting.Count.EVERY_BALLOT, 1L);
        Tally distinct = Voting.tally(ballots, Voting.Count.DISTINCT_TEXTS, 1L);

        assertThat(everyBallot.winner().canonical()).isEqualTo("4");
        assertThat(distinct.winner().canonical()).isEqualTo("5");
        assertThat(distinct.weights())
                .containsExactly(java.util.Map.entry("4", 0.9), java.util.Map.entry("5", 0.5 + 0.6));
        // 1.1 over the distinct total 0.9 + 0.5 + 0.6 = 2.0
        assertThat(distinct.share()).isCloseTo(0.55, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(distinct.ballots()).isEqualTo(4);
    }

    @Test
    void aZeroWeightBallotKeepsItsAnswerOnTheTallyWithNoWeight() {
        List<Ballot> ballots = List.of(path("4", "likely", 0.8), path("7", "pruned", 0.0));

        Tally tally = Voting.tally(ballots, Voting.Count.DISTINCT_TEXTS, 1L);

        assertThat(tally.weights()).containsExactly(java.util.Map.entry("4", 0.8), java.util.Map.entry("7", 0.0));
        assertThat(tally.winner().canonical()).isEqualTo("4");
        assertThat(tally.share()).isEqualTo(1.0);
    }

    @Test
    void aPrunedCopyOfATextDoesNotStopASurvivingCopyFromCounting() {
        List<Ballot> ballots = List.of(path("4", "same", 0.0), path("4", "same", 0.8), path("5", "other", 0.2));

        Tally tally = Voting.tally(ballots, Voting.Count.DISTINCT_TEXTS, 1L);

        assertThat(tally.weights()).containsEntry("4", 0.8);
        assertThat(tally.share()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void confidenceIsTheWinnersScoreOverAllCountedScoresUnreadableIncluded() {
        List<Ballot> ballots = List.of(
                path("4", "a", 0.6), path("5", "b", 0.3), new Ballot(null, "no answer here", 0.1), path("4", "c", 0.2));

        Tally tally = Voting.tally(ballots, Voting.Count.DISTINCT_TEXTS, 1L);

        assertThat(tally.share()).isCloseTo(0.8 / 1.2, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void theWinnersTextIsItsHeaviestResponse() {
        List<Ballot> ballots = List.of(path("4", "light", 0.2), path("4", "heavy", 0.9), path("4", "heavy too", 0.9));

        Tally tally = Voting.tally(ballots, Voting.Count.DISTINCT_TEXTS, 1L);

        assertThat(tally.text()).isEqualTo("heavy");
    }

    @Test
    void distinctTextTiesBreakBySeedNotByArrivalOrder() {
        List<Ballot> forward = List.of(path("1", "a", 0.5), path("2", "b", 0.5), path("2", "b", 0.5));
        List<Ballot> backward = List.of(path("2", "b", 0.5), path("1", "a", 0.5));

        for (long seed = 0; seed < 20; seed++) {
            assertThat(Voting.tally(forward, Voting.Count.DISTINCT_TEXTS, seed)
                            .winner()
                            .canonical())
                    .isEqualTo(Voting.tally(backward, Voting.Count.DISTINCT_TEXTS, seed)
                            .winner()
                            .canonical());
        }
        var winners = java.util.stream.LongStream.range(0, 20)
                .mapToObj(seed -> Voting.tally(forward, Voting.Count.DISTINCT_TEXTS, seed)
                        .winner()
                        .canonical())
                .distinct()
                .toList();
        assertThat(winners).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void numbersWithinTheEquivalenceToleranceVoteTogetherUnderTheFirstSeenForm() {
        // 0.3333333 and 0.33333333 differ by 3.3e-9 relative to 1e-6 tolerance: one cluster; 0.334 is another.
        List<Ballot> ballots =
                List.of(vote("0.334"), vote("0.3333333"), vote("0.33333333"), vote("0.334"), vote("0.3333333"));

        Tally tally = Voting.tally(ballots, 0L);

        assertThat(tally.winner().canonical()).isEqualTo("0.3333333");
        assertThat(tally.weights())
                .containsExactly(java.util.Map.entry("0.334", 2.0), java.util.Map.entry("0.3333333", 3.0));
        assertThat(tally.share()).isEqualTo(0.6);
    }

    @Test
    void equivalenceJoinsAnswersTransitively() {
        // 1000000 ~ 1000000.9 ~ 1000001.8 pairwise within 1e-6 relative, though the ends differ by 1.8e-6.
        List<Ballot> ballots = List.of(vote("1000000"), vote("1000001.8"), vote("1000000.9"), vote("5"), vote("5"));

        Tally tally = Voting.tally(ballots, 0L);

        assertThat(tally.weights()).containsExactly(java.util.Map.entry("1000000", 3.0), java.util.Map.entry("5", 2.0));
    }
}
