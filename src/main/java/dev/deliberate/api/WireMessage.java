package dev.deliberate.api;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A chat message as clients send it: {@code content} is a string or an array of {@code {"type": "text", "text": ...}}
 * parts (the form OpenAI SDKs send for multi-part messages).
 */
public record WireMessage(
        String role, @Nullable JsonNode content, @Nullable String name) {}
