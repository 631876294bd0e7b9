package dev.deliberate.run;

import java.util.Locale;

/** Where a run stands. */
public enum RunStatus {
    RUNNING,
    SUCCEEDED,
    /** Stopped by its budget or deadline; the answer is the best offered before the stop. */
    TRUNCATED,
    FAILED,
    CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
