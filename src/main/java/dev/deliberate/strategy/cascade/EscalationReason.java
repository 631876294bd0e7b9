package dev.deliberate.strategy.cascade;

import java.util.Locale;

/** Why the cascade sent a problem to the server profile; the wire name tags the trace, the solution and the metrics. */
public enum EscalationReason {
    /** The local answer's confidence is below the threshold. */
    LOW_CONFIDENCE,
    /** The local strategy gave no confidence at all. */
    NO_CONFIDENCE,
    /** No answer of the problem's kind could be read from the local response. */
    UNPARSABLE,
    /** The local endpoint refused or failed the call: connection refused, 5xx, circuit open, bulkhead full. */
    UNAVAILABLE,
    /** The local endpoint did not answer in time. */
    TIMEOUT,
    /** The local endpoint kept answering 429 after the retries. */
    RATE_LIMITED,
    /** The local endpoint kept answering with replies that could not be used (malformed, in-band error). */
    BAD_REPLY,
    /** The prompt does not fit the local model's context; only when the profile allows it. */
    CONTEXT_OVERFLOW;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
