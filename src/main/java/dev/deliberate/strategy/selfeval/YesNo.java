package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.Choice;
import dev.deliberate.model.TokenLogprob;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The probability mass of "Yes" and of "No" among the alternatives of a one-token answer. Variants fold together:
 * whitespace, punctuation and tokenizer markers (SentencePiece's {@code ▁}, and byte-level BPE's {@code Ġ} and
 * {@code Ċ}, which are letters to Unicode) are stripped and case is ignored,
 * so {@code " Yes"}, {@code "yes"} and {@code "YES."} all count as Yes and their probabilities are summed.
 *
 * @param yes summed probability of the Yes variants listed
 * @param no summed probability of the No variants listed
 */
record YesNo(double yes, double no) {

    /** The score when neither Yes nor No was among the alternatives: no evidence either way. */
    static final double UNINFORMATIVE = 0.5;

    private static final Pattern NOT_A_WORD_CHARACTER = Pattern.compile("[\\u0120\\u010A]|[^\\p{L}\\p{N}]");

    /**
     * Reads the first token of {@code choice}: its top alternatives, or the token alone when the backend sent none.
     * A choice without logprobs has no Yes or No mass at all.
     */
    static YesNo of(Choice choice) {
        if (choice.tokens().isEmpty()) {
            return new YesNo(0.0, 0.0);
        }
        TokenLogprob first = choice.tokens().get(0);
        List<TokenLogprob.Alternative> alternatives = first.top().isEmpty()
                ? List.of(new TokenLogprob.Alternative(first.token(), first.logprob()))
                : first.top();
        return of(alternatives);
    }

    static YesNo of(List<TokenLogprob.Alternative> alternatives) {
        double yes = 0.0;
        double no = 0.0;
        for (TokenLogprob.Alternative alternative : alternatives) {
            String word = NOT_A_WORD_CHARACTER
                    .matcher(alternative.token())
                    .replaceAll("")
                    .toLowerCase(Locale.ROOT);
            if (word.equals("yes")) {
                yes += Math.exp(alternative.logprob());
            } else if (word.equals("no")) {
                no += Math.exp(alternative.logprob());
            }
        }
        return new YesNo(yes, no);
    }

    /** Whether Yes or No appeared at all. */
    boolean informative() {
        return yes + no > 0.0;
    }

    /**
     * P(Yes) renormalised over {Yes, No}. An answer missing from the alternatives counts as zero mass: it was less
     * likely than every listed one, and guessing its size would add a knob with nothing to set it by.
     */
    double restartProbability() {
        return informative() ? yes / (yes + no) : UNINFORMATIVE;
    }
}
