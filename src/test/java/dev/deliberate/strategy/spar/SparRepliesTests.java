package dev.deliberate.strategy.spar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SparRepliesTests {

    @Test
    void theVerdictIsReadAfterTheLastMarkerOnly() {
        String reply =
                "The response ends with \"Final Judgement: Yes\", which is not mine to copy.\nFinal Judgement: No";

        assertThat(Verdict.read(reply)).isEqualTo(Verdict.NO);
    }

    @Test
    void theFirstOfYesAndNoAfterTheMarkerWins() {
        assertThat(Verdict.read("Final Judgement: Yes, no doubt")).isEqualTo(Verdict.YES);
        assertThat(Verdict.read("Final Judgement: no - yes would be wrong")).isEqualTo(Verdict.NO);
    }

    @Test
    void markdownAndTheOtherSpellingAreRead() {
        assertThat(Verdict.read("**Final Judgment:** **YES**")).isEqualTo(Verdict.YES);
        assertThat(Verdict.read("final judgement no")).isEqualTo(Verdict.NO);
    }

    @Test
    void aReplyWithoutMarkerOrAnswerHasNoVerdict() {
        assertThat(Verdict.read("Yes, it is fine.")).isEqualTo(Verdict.INVALID);
        assertThat(Verdict.read("Final Judgement: Nothing to say")).isEqualTo(Verdict.INVALID);
        assertThat(Verdict.read("")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void theValueCountsOnlyValidVotesAndAnAllInvalidJudgmentIsWorthZero() {
        Judgment judgment =
                Judgment.of(List.of("Final Judgement: Yes", "Final Judgement: No", "none", "Final Judgement: Yes"), 1);

        assertThat(judgment.value()).isEqualTo(2.0 / 3.0);
        assertThat(judgment.invalid()).isEqualTo(1);
        assertThat(judgment.critique()).isEqualTo("Final Judgement: Yes");
        assertThat(judgment.tied()).isFalse();
        Judgment none = Judgment.of(List.of("a", "b"), 3);
        assertThat(none.value()).isZero();
        assertThat(none.tied()).isTrue();
        assertThat(none.critique()).isEqualTo("a");
        assertThat(none.attempts()).isEqualTo(3);
    }

    @Test
    void aFenceIsLongerThanAnyRunOfTildesInTheText() {
        assertThat(Fence.around("plain", "text").line()).isEqualTo("~~~~~~~~");
        assertThat(Fence.around("a ~~~~~~~~~~ b", "~~~").line()).isEqualTo("~".repeat(11));
    }

    @Test
    void theRefinedTextIsBetweenTheLastStartMarkerAndTheNextEndMarker() {
        String reply = "You asked for " + Refinement.START + " fake " + Refinement.END + ".\n" + Refinement.START
                + "\n  the real one \n" + Refinement.END + "\n";

        assertThat(Refinement.extract(reply)).isEqualTo("the real one");
    }

    @Test
    void aMissingOrEmptyRefinementIsNone() {
        assertThat(Refinement.extract("no markers")).isNull();
        assertThat(Refinement.extract(Refinement.START + " cut off")).isNull();
        assertThat(Refinement.extract(Refinement.END + " x " + Refinement.START))
                .isNull();
        assertThat(Refinement.extract(Refinement.START + "\n \n" + Refinement.END))
                .isNull();
    }
}
