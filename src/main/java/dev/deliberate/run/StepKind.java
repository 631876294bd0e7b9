package dev.deliberate.run;

import java.util.Locale;

/** What a trace step did. */
public enum StepKind {
    RUN,
    GENERATE,
    STREAM,
    EVALUATE,
    VOTE,
    EXECUTE,
    JUDGE,
    DECOMPOSE,
    SYNTHESIZE,
    ESCALATE,
    GROUP;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
