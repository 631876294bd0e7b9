/**
 * The HTTP API: the OpenAI-compatible endpoints ({@code api.openai}), the native API ({@code api.reason}), and the
 * pieces they share: error rendering in the OpenAI shape, request guards (API keys, body size) and response writing
 * (JSON and server-sent events).
 *
 * <p>Depends on {@code run} and {@code profile}, and on {@code model} and {@code answer} for their value types.
 */
@NullMarked
package dev.deliberate.api;

import org.jspecify.annotations.NullMarked;
