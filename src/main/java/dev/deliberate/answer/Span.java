package dev.deliberate.answer;

/** A region {@code [start, end)} of a response. */
record Span(int start, int end) {

    String of(String text) {
        return text.substring(start, end);
    }
}
