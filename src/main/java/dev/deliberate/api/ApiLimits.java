package dev.deliberate.api;

/**
 * Request limits checked by the api before a run starts.
 *
 * @param maxChars characters over all messages of one request
 * @param maxTokensPerCall the largest {@code max_tokens} a client may ask for
 */
public record ApiLimits(int maxMessages, int maxChars, int maxTokensPerCall) {}
