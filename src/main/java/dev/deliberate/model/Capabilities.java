package dev.deliberate.model;

/**
 * What a backend can do. {@code multipleChoices}: it honours {@code n > 1} in one request (otherwise the endpoint
 * fans out). {@code maxTopLogprobs}: how many alternatives per token it returns (0 when none). {@code source} says
 * whether the values were configured, probed or assumed after a failed probe.
 */
public record Capabilities(boolean multipleChoices, boolean logprobs, int maxTopLogprobs, Source source) {

    /** Where the capability values came from. */
    public enum Source {
        CONFIGURED,
        PROBED,
        /** The probe failed; conservative values are assumed until configured. */
        ASSUMED
    }

    public static Capabilities assumedMinimal() {
        return new Capabilities(false, false, 0, Source.ASSUMED);
    }

    public static Capabilities full(Source source) {
        return new Capabilities(true, true, 20, source);
    }
}
