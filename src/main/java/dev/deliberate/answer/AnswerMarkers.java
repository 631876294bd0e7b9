package dev.deliberate.answer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds where a response states its answer: after {@code the answer is}, {@code answer:}, {@code final answer:} (any
 * case, optional markdown bold), after a GSM8K {@code ####} line mark, and inside the last closed {@code \boxed{}}.
 *
 * <p>Each span runs from the first character after the marker (skipping blanks, {@code *} and {@code :}) to the end
 * of that line, and never past the next marker. Spans are therefore disjoint, which keeps looking at all of them
 * linear in the response.
 */
final class AnswerMarkers {

    // Unbounded \s runs are safe here: a match can only start at "answer", and each run is scanned from one such start.
    private static final Pattern ANSWER =
            Pattern.compile("\\banswer\\**(?:\\s+is\\b|\\s*[:=])", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final String GSM8K = "####";

    private AnswerMarkers() {}

    /** The answer after one marker: the rest of its line, and everything up to the next marker or the end. */
    record Marked(Span line, Span rest) {}

    /** What follows each answer phrase, last first. */
    static List<Marked> afterAnswerPhrases(String text) {
        Matcher m = ANSWER.matcher(text);
        List<int[]> found = new ArrayList<>();
        while (m.find()) {
            found.add(new int[] {m.start(), m.end()});
        }
        return lastFirst(text, found);
    }

    /** What follows each {@code ####}, last first. */
    static List<Marked> afterGsm8kMarks(String text) {
        List<int[]> found = new ArrayList<>();
        int at = text.indexOf(GSM8K);
        while (at >= 0) {
            found.add(new int[] {at, at + GSM8K.length()});
            at = text.indexOf(GSM8K, at + GSM8K.length());
        }
        return lastFirst(text, found);
    }

    /**
     * The content of the last (by opening position) {@code \boxed{...}} or {@code \fbox{...}} whose braces close and
     * whose content is not blank. One pass with a brace stack, so a response full of unclosed {@code \boxed{} costs
     * linear time; escaped braces {@code \{ \}} do not count.
     */
    static @Nullable Span lastBoxed(String text) {
        int[] stack = new int[16];
        int depth = 0;
        int bestStart = -1;
        int bestEnd = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c != '{' && c != '}') || (i > 0 && text.charAt(i - 1) == '\\')) {
                continue;
            }
            if (c == '{') {
                if (depth == stack.length) {
                    stack = Arrays.copyOf(stack, depth * 2);
                }
                // A boxed opening brace is stored negated (offset by one so position 0 stays distinguishable).
                stack[depth++] = opensBox(text, i) ? -(i + 1) : i;
            } else if (depth > 0) {
                int open = stack[--depth];
                if (open < 0) {
                    int contentStart = -open;
                    if (contentStart > bestStart && !isBlank(text, contentStart, i)) {
                        bestStart = contentStart;
                        bestEnd = i;
                    }
                }
            }
        }
        return bestStart < 0 ? null : new Span(bestStart, bestEnd);
    }

    private static boolean opensBox(String text, int brace) {
        return text.startsWith("\\boxed", brace - 6) || text.startsWith("\\fbox", brace - 5);
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<Marked> lastFirst(String text, List<int[]> markers) {
        List<Marked> spans = new ArrayList<>(markers.size());
        for (int k = markers.size() - 1; k >= 0; k--) {
            int bound = k + 1 < markers.size() ? markers.get(k + 1)[0] : text.length();
            int start = markers.get(k)[1];
            while (start < bound && isLeader(text.charAt(start))) {
                start++;
            }
            int end = start;
            while (end < bound && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            spans.add(new Marked(new Span(start, end), new Span(start, bound)));
        }
        return spans;
    }

    private static boolean isLeader(char c) {
        return Character.isWhitespace(c) || c == '*' || c == ':';
    }
}
