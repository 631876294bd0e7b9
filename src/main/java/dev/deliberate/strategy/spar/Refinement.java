package dev.deliberate.strategy.spar;

import org.jspecify.annotations.Nullable;

/**
 * Reads the refined response out of a refiner's reply: the text after the reply's last start marker and before the
 * first end marker that follows it. Only the refiner's own reply is read, so markers inside the instruction or an
 * earlier response (which the refiner saw only in the fenced first turn) change nothing.
 */
final class Refinement {

    static final String START = "<<<REFINED RESPONSE>>>";
    static final String END = "<<<END REFINED RESPONSE>>>";

    private Refinement() {}

    /** The refined text, stripped, or {@code null} when a marker is missing or nothing stands between them. */
    static @Nullable String extract(String reply) {
        int start = reply.lastIndexOf(START);
        if (start < 0) {
            return null;
        }
        int from = start + START.length();
        int end = reply.indexOf(END, from);
        if (end < 0) {
            return null;
        }
        String text = reply.substring(from, end).strip();
        return text.isEmpty() ? null : text;
    }
}
