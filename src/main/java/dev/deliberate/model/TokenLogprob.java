package dev.deliberate.model;

import java.util.List;

/** One generated token with its log probability and the most likely alternatives at that position. */
public record TokenLogprob(String token, double logprob, List<Alternative> top) {

    public TokenLogprob {
        top = List.copyOf(top);
    }

    /** A candidate token at the same position. */
    public record Alternative(String token, double logprob) {}
}
