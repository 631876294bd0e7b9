package dev.deliberate.answer;

import dev.deliberate.answer.NumberReader.NumberToken;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link AnswerKind#MATH} answer. In order of preference: the last {@code \boxed{}}, the last answer phrase
 * that holds a number, the last GSM8K {@code ####} line that holds one, the last number in the text.
 */
final class MathAnswerReader {

    /** Longer boxed or delimited content is not an answer; the bound keeps normalisation cheap. */
    static final int MAX_LATEX_LENGTH = 10_000;

    /** Longer expressions (non-numeric answers) are not answers either. */
    static final int MAX_EXPRESSION_LENGTH = 1_000;

    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?![A-Za-z])");
    // [^{}]* stops at the next brace, so each match scans only its own wrapper.
    private static final Pattern WRAPPER =
            Pattern.compile("\\\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\\s*\\{([^{}]*)\\}");

    private static final String[][] DELIMITERS = {{"$$", "$$"}, {"$", "$"}, {"\\(", "\\)"}, {"\\[", "\\]"}};

    private MathAnswerReader() {}

    static Optional<Answer> read(String text) {
        Span boxed = AnswerMarkers.lastBoxed(text);
        if (boxed != null) {
            // The boxed answer is the model's own final word: when it is unreadable there is no answer.
            return fromLatex(boxed.of(text));
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterAnswerPhrases(text)) {
            Optional<Answer> answer = fromPhrase(text, marked.line());
            if (answer.isPresent()) {
                return answer;
            }
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterGsm8kMarks(text)) {
            Span span = marked.line();
            NumberToken token = NumberReader.first(text, span.start(), span.end());
            if (token != null && token.value() != null) {
                return Optional.of(number(text, token));
            }
        }
        NumberToken last = NumberReader.last(text, 0, text.length());
        return last == null || last.value() == null ? Optional.empty() : Optional.of(number(text, last));
    }

    /**
     * The answer after a phrase: a math-delimited segment ({@code $...$}, {@code \(...\)}, {@code \[...\]}) if one
     * opens the span, else the first number.
     */
    private static Optional<Answer> fromPhrase(String text, Span span) {
        Span segment = delimited(text, span);
        if (segment != null) {
            Optional<Answer> answer = fromLatex(segment.of(text));
            boolean currency = text.charAt(span.start()) == '$' && NumberReader.isDigit(charAt(text, span.start() + 1));
            if (answer.isPresent() && (answer.get().numericValue().isPresent() || !currency)) {
                return answer;
            }
        }
        NumberToken token = NumberReader.first(text, span.start(), span.end());
        return token == null || token.value() == null ? Optional.empty() : Optional.of(number(text, token));
    }

    private static @Nullable Span delimited(String text, Span span) {
        for (String[] pair : DELIMITERS) {
            if (text.startsWith(pair[0], span.start())) {
                int from = span.start() + pair[0].length();
                int close = indexOf(text, pair[1], from, span.end());
                return close < 0 ? null : new Span(from, close);
            }
        }
        return null;
    }

    /**
     * Reads LaTeX content such as {@code \frac{3}{4}}, {@code 1{,}000}, {@code 50\%}, {@code \$1,200.50},
     * {@code 72 \text{ clips}} or {@code x = 5} as a number; anything else becomes an expression answer whose key is
     * the content without blanks, sizing commands and text wrappers.
     */
    static Optional<Answer> fromLatex(String content) {
        if (content.length() > MAX_LATEX_LENGTH) {
            return Optional.empty();
        }
        String raw = content.strip();
        String base = normalise(content);
        String unwrapped = WRAPPER.matcher(base).replaceAll("$1");
        String unitless = WRAPPER.matcher(base).replaceAll("");
        for (String candidate : new String[] {unwrapped, unitless}) {
            String compact = withoutBlanks(candidate);
            Optional<Optional<Answer>> numeric = wholeNumber(raw, compact);
            if (numeric.isEmpty()) {
                numeric = wholeNumber(raw, rightOfEquals(compact));
            }
            if (numeric.isEmpty()) {
                numeric = numberWithWords(raw, candidate.strip());
            }
            if (numeric.isPresent()) {
                return numeric.get();
            }
        }
        String expression = withoutBlanks(unwrapped);
        if (expression.isEmpty() || expression.length() > MAX_EXPRESSION_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(new Answer(AnswerKind.MATH, raw, expression));
    }

    /** Empty when {@code s} is not one number; a present empty answer when it is one but out of range. */
    private static Optional<Optional<Answer>> wholeNumber(String raw, String s) {
        NumberToken token = NumberReader.whole(s);
        if (token == null) {
            return Optional.empty();
        }
        BigDecimal value = token.value();
        return Optional.of(
                value == null
                        ? Optional.empty()
                        : Optional.of(new Answer(AnswerKind.MATH, raw, NumberReader.canonical(value))));
    }

    /** "72 clips", "5 cm": a number followed by blank-separated words of letters only. */
    private static Optional<Optional<Answer>> numberWithWords(String raw, String s) {
        int space = 0;
        while (space < s.length() && !Character.isWhitespace(s.charAt(space))) {
            space++;
        }
        if (space == s.length()) {
            return Optional.empty();
        }
        for (int i = space; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isLetter(c) && !Character.isWhitespace(c)) {
                return Optional.empty();
            }
        }
        return wholeNumber(raw, s.substring(0, space));
    }

    /** "x=5" gives "5"; only for a single '=' with a plain left side, so "x=5,y=3" stays an expression. */
    private static String rightOfEquals(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0 || eq != s.lastIndexOf('=') || s.lastIndexOf(',', eq) >= 0) {
            return s;
        }
        return s.substring(eq + 1);
    }

    private static String normalise(String content) {
        String s = LEFT_RIGHT.matcher(content).replaceAll("");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replace("{,}", ",");
        s = s.replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\:", "");
        s = s.replace("\\ ", " ");
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\u00b0", "");
        s = s.replace("\\%", "").replace("%", "");
        s = s.replace("\\$", "").replace("$", "");
        s = s.strip();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }

    private static String withoutBlanks(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Answer number(String text, NumberToken token) {
        BigDecimal value = token.value();
        if (value == null) {
            throw new IllegalStateException("rejected numbers are not answers");
        }
        return new Answer(AnswerKind.MATH, text.substring(token.start(), token.end()), NumberReader.canonical(value));
    }

    private static int indexOf(String text, String literal, int from, int to) {
        for (int at = from; at + literal.length() <= to; at++) {
            if (text.startsWith(literal, at)) {
                return at;
            }
        }
        return -1;
    }

    private static char charAt(String text, int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }
}
