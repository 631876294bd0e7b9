package dev.deliberate.answer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a {@link AnswerKind#TEXT} answer: the content of the last {@code \boxed{}}, else the rest of the line after
 * the last answer phrase that has any (or, when that line is empty, the text up to the next phrase), else the whole
 * response.
 */
final class TextAnswerReader {

    private static final Pattern WRAPPER =
            Pattern.compile("\\\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox)\\s*\\{([^{}]*)\\}");
    private static final String QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u300c\u300d";
    private static final String TRAILING_PUNCTUATION = ".,;:!?\u3002";
    private static final String EMPHASIS = "*_";

    private TextAnswerReader() {}

    static Optional<Answer> read(String text) {
        Span boxed = AnswerMarkers.lastBoxed(text);
        if (boxed != null) {
            String raw = boxed.of(text).strip();
            Optional<Answer> answer = answer(raw, WRAPPER.matcher(raw).replaceAll("$1"));
            if (answer.isPresent()) {
                return answer;
            }
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterAnswerPhrases(text)) {
            // The rest of the line; when that is only punctuation ("The answer is:\n"), everything up to the next
            // marker. Falling back to the whole response only when every marker is followed by nothing keeps the
            // canonical form stable when it is read again.
            for (Span span : new Span[] {marked.line(), marked.rest()}) {
                String raw = span.of(text).strip();
                Optional<Answer> answer = answer(raw, raw);
                if (answer.isPresent()) {
                    return answer;
                }
            }
        }
        String raw = text.strip();
        return answer(raw, raw);
    }

    private static Optional<Answer> answer(String raw, String source) {
        String canonical = canonical(source);
        return canonical.isEmpty() ? Optional.empty() : Optional.of(new Answer(AnswerKind.TEXT, raw, canonical));
    }

    /**
     * NFKC, lower case, blanks collapsed to one space, then surrounding quotes, markdown emphasis and trailing
     * punctuation peeled off until none is left. Index-based peeling keeps it linear even for a megabyte of quotes.
     */
    static String canonical(String source) {
        String s = Normalizer.normalize(source, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = b.length() > 0;
            } else {
                if (pendingSpace) {
                    b.append(' ');
                    pendingSpace = false;
                }
                b.append(c);
            }
        }
        int lo = 0;
        int hi = b.length();
        boolean changed = true;
        while (changed) {
            changed = false;
            while (hi > lo && (TRAILING_PUNCTUATION.indexOf(b.charAt(hi - 1)) >= 0 || b.charAt(hi - 1) == ' ')) {
                hi--;
                changed = true;
            }
            while (lo < hi && b.charAt(lo) == ' ') {
                lo++;
                changed = true;
            }
            // Quotes and emphasis marks go one by one, paired or not, so that a stray closing mark cannot survive
            // into the key and make it read differently the second time.
            if (hi > lo && isWrapping(b.charAt(lo))) {
                lo++;
                changed = true;
            }
            if (hi > lo && isWrapping(b.charAt(hi - 1))) {
                hi--;
                changed = true;
            }
        }
        return b.substring(lo, hi);
    }

    private static boolean isWrapping(char c) {
        return QUOTES.indexOf(c) >= 0 || EMPHASIS.indexOf(c) >= 0;
    }
}
