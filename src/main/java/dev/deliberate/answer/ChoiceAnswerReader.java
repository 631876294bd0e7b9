package dev.deliberate.answer;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link AnswerKind#CHOICE} answer, a letter from {@value #FIRST} to {@value #LAST}. In order of preference:
 * the last {@code \boxed{}} holding a letter; the last answer phrase followed by a letter ({@code The answer is (C)},
 * {@code Answer: d}); the last marked letter anywhere ({@code (B)}, {@code **E**}, or a line holding only the letter);
 * the last stand-alone capital letter, skipping a sentence-opening article "A".
 */
final class ChoiceAnswerReader {

    static final char FIRST = 'A';
    static final char LAST = 'E';

    private static final Pattern WRAPPER =
            Pattern.compile("\\\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox)\\s*\\{([^{}]*)\\}");
    private static final Pattern BOXED_LETTER = Pattern.compile("\\(?([A-Ea-e])\\)?\\.?");
    // Each pattern is anchored on a fixed opening, so a failed attempt costs a few characters.
    private static final Pattern PARENTHESISED = Pattern.compile("\\(([A-E])\\)");
    private static final Pattern BOLD = Pattern.compile("\\*\\*\\(?([A-Ea-e])\\)?[.:]?\\*\\*");
    private static final Pattern LONE_LINE =
            Pattern.compile("^[ \\t]*(?:\\*\\*)?\\(?([A-Ea-e])[.)]?(?:\\*\\*)?[ \\t]*$", Pattern.MULTILINE);
    private static final String[] OPTION_WORDS = {"option", "choice"};
    private static final String[] LATEX_OPENERS = {"\\text{", "\\textbf{", "\\mathbf{", "\\mathrm{", "\\boxed{"};

    private ChoiceAnswerReader() {}

    static Optional<Answer> read(String text) {
        Span boxed = AnswerMarkers.lastBoxed(text);
        if (boxed != null) {
            String raw = boxed.of(text).strip();
            String content =
                    WRAPPER.matcher(raw).replaceAll("$1").replace("$", "").strip();
            Matcher m = BOXED_LETTER.matcher(content);
            if (m.matches()) {
                return Optional.of(answer(m.group(1)));
            }
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterAnswerPhrases(text)) {
            int at = letterAfterPhrase(text, marked.line());
            if (at >= 0) {
                return Optional.of(answer(text.substring(at, at + 1)));
            }
        }
        int marked = Math.max(
                lastGroupStart(PARENTHESISED, text),
                Math.max(lastGroupStart(BOLD, text), lastGroupStart(LONE_LINE, text)));
        if (marked >= 0) {
            return Optional.of(answer(text.substring(marked, marked + 1)));
        }
        int stray = lastStandAloneCapital(text);
        return stray < 0 ? Optional.empty() : Optional.of(answer(text.substring(stray, stray + 1)));
    }

    /** The position of the option letter that opens the span, or -1. */
    private static int letterAfterPhrase(String text, Span span) {
        int i = span.start();
        int end = span.end();
        boolean skipped = true;
        while (i < end && skipped) {
            skipped = false;
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || "*_:([{$".indexOf(c) >= 0) {
                i++;
                skipped = true;
                continue;
            }
            for (String word : OPTION_WORDS) {
                if (text.regionMatches(true, i, word, 0, word.length())
                        && !Character.isLetter(charAt(text, i + word.length()))) {
                    i += word.length();
                    skipped = true;
                }
            }
            for (String opener : LATEX_OPENERS) {
                if (text.startsWith(opener, i)) {
                    i += opener.length();
                    skipped = true;
                }
            }
        }
        if (i >= end) {
            return -1;
        }
        char c = text.charAt(i);
        char next = charAt(text, i + 1);
        if (c >= FIRST && c <= LAST) {
            return Character.isLetterOrDigit(next) ? -1 : i;
        }
        // A lower-case letter could be the word "a": accept it only with nothing but punctuation after it.
        if (c >= Character.toLowerCase(FIRST) && c <= Character.toLowerCase(LAST)) {
            for (int k = i + 1; k < end; k++) {
                if (Character.isLetterOrDigit(text.charAt(k))) {
                    return -1;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastGroupStart(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        int last = -1;
        while (m.find()) {
            last = m.start(1);
        }
        return last;
    }

    /** The last capital A-E standing alone, except "A" opening a sentence before a lower-case word (an article). */
    private static int lastStandAloneCapital(String text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (c < FIRST || c > LAST) {
                continue;
            }
            char before = i > 0 ? text.charAt(i - 1) : ' ';
            char next = charAt(text, i + 1);
            if (Character.isLetterOrDigit(before)
                    || Character.isLetterOrDigit(next)
                    || next == '\''
                    || next == '\u2019') {
                continue;
            }
            // "E.g." and "A.B." are abbreviations, not answers.
            if (next == '.' && Character.isLetter(charAt(text, i + 2))) {
                continue;
            }
            if (c == 'A' && next == ' ' && Character.isLowerCase(charAt(text, i + 2)) && opensSentence(text, i)) {
                continue;
            }
            return i;
        }
        return -1;
    }

    private static boolean opensSentence(String text, int i) {
        int k = i - 1;
        while (k >= 0 && (text.charAt(k) == ' ' || text.charAt(k) == '\t' || text.charAt(k) == '*')) {
            k--;
        }
        return k < 0 || ".!?\n\r:".indexOf(text.charAt(k)) >= 0;
    }

    private static Answer answer(String letter) {
        return new Answer(AnswerKind.CHOICE, letter, letter.toUpperCase(Locale.ROOT));
    }

    private static char charAt(String text, int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }
}
