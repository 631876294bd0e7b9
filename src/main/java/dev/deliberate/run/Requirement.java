package dev.deliberate.run;

import dev.deliberate.model.Capabilities;
import java.util.Locale;

/** A capability a strategy needs from the endpoint behind one of its roles, checked at startup and before calls. */
public enum Requirement {
    LOGPROBS,
    TOP_LOGPROBS;

    public boolean metBy(Capabilities capabilities) {
        return switch (this) {
            case LOGPROBS -> capabilities.logprobs();
            case TOP_LOGPROBS -> capabilities.maxTopLogprobs() > 0;
        };
    }

    /** The name as configuration and messages spell it, e.g. {@code top_logprobs}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
