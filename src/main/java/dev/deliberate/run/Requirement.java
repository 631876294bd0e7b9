package dev.deliberate.run;

/** A capability a strategy needs from the endpoint behind one of its roles, checked at startup. */
public enum Requirement {
    LOGPROBS,
    TOP_LOGPROBS
}
