package dev.deliberate.answer;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link AnswerKind#CODE} answer: the last closed fenced block ({@code ```} or {@code ~~~}, any info string),
 * else the content of a fence left open at the end (a reply cut off by its token limit), else the whole response.
 */
final class CodeAnswerReader {

    private CodeAnswerReader() {}

    static Optional<Answer> read(String text) {
        Span block = lastFencedBlock(text);
        String raw = block == null ? text.strip() : block.of(text);
        // The canonical form comes from the untrimmed text so that the first line keeps its indentation.
        String canonical = canonical(block == null ? text : raw);
        return canonical.isEmpty() ? Optional.empty() : Optional.of(new Answer(AnswerKind.CODE, raw, canonical));
    }

    /** Line endings as {@code \n}, trailing blanks stripped from every line, leading and trailing blank lines dropped. */
    static String canonical(String code) {
        String[] lines = code.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        StringBuilder b = new StringBuilder(code.length());
        int pendingBlankLines = 0;
        for (String line : lines) {
            String trimmed = line.stripTrailing();
            if (trimmed.isEmpty()) {
                pendingBlankLines++;
                continue;
            }
            if (b.length() > 0) {
                b.append("\n".repeat(pendingBlankLines + 1));
            }
            pendingBlankLines = 0;
            b.append(trimmed);
        }
        return b.toString();
    }

    private static @Nullable Span lastFencedBlock(String text) {
        Span last = null;
        boolean open = false;
        char fence = 0;
        int fenceLength = 0;
        int contentStart = 0;
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            int p = lineStart;
            // CommonMark: a fence may be indented by up to three spaces.
            while (p < lineEnd && p - lineStart < 3 && text.charAt(p) == ' ') {
                p++;
            }
            char c = p < lineEnd ? text.charAt(p) : 0;
            int run = 0;
            while (p + run < lineEnd && text.charAt(p + run) == c && (c == '`' || c == '~')) {
                run++;
            }
            String rest = text.substring(p + run, lineEnd);
            if (!open && run >= 3 && !(c == '`' && rest.indexOf('`') >= 0)) {
                open = true;
                fence = c;
                fenceLength = run;
                contentStart = Math.min(lineEnd + 1, text.length());
            } else if (open && c == fence && run >= fenceLength && rest.isBlank()) {
                open = false;
                last = new Span(contentStart, Math.max(contentStart, lineStart - 1));
            }
            lineStart = lineEnd + 1;
        }
        if (last == null && open) {
            last = new Span(contentStart, text.length());
        }
        return last;
    }
}
