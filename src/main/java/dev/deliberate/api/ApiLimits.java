package dev.deliberate.api;

import java.time.Duration;

/**
 * Request limits checked by the api before a run starts.
 *
 * @param maxChars characters over all messages of one request
 * @param maxTokensPerCall the largest {@code max_tokens} a client may ask for
 * @param streamHold how long a streamed reply may keep its status back waiting for the run's first progress
 */
public record ApiLimits(int maxMessages, int maxChars, int maxTokensPerCall, Duration streamHold) {}
