package dev.deliberate.run;

import java.util.LinkedHashMap;
import java.util.Map;

/** Facts a strategy attaches to the step it is running (vote counts, a verdict); shown in the trace. */
public final class StepNotes {

    private final Map<String, Object> notes = new LinkedHashMap<>();

    /** {@code text} cut to {@code limit} characters (marked with "…") for a note, which must stay small. */
    public static String excerpt(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "…";
    }

    public synchronized StepNotes put(String key, Object value) {
        notes.put(key, value);
        return this;
    }

    synchronized Map<String, Object> snapshot() {
        return new LinkedHashMap<>(notes);
    }
}
