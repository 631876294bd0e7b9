package dev.deliberate.testkit.synthetic;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Reads an OpenAI chat completions request body as the {@link GenerationRequest} the synthetic model answers. */
final class SyntheticWire {

    private SyntheticWire() {}

    /**
     * {@code choices} completions of the body's conversation. Logprobs are always asked for, since the fake server
     * cuts the reply into tokens at them; it renders them only when the body asked. A final assistant message with
     * {@code continue_final_message} becomes the prefix to continue.
     */
    static GenerationRequest request(JsonNode body, int choices) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            messages.add(new ChatMessage(message.path("role").asString("user"), content(message.path("content"))));
        }
        String prefix = null;
        if (body.path("continue_final_message").asBoolean(false)
                && !messages.isEmpty()
                && ChatMessage.ASSISTANT.equals(
                        messages.get(messages.size() - 1).role())) {
            prefix = messages.remove(messages.size() - 1).content();
        }
        List<String> stop = new ArrayList<>();
        JsonNode stopNode = body.path("stop");
        if (stopNode.isString()) {
            stop.add(stopNode.asString());
        } else {
            stopNode.forEach(s -> stop.add(s.asString()));
        }
        JsonNode maxTokens = body.has("max_tokens") ? body.path("max_tokens") : body.path("max_completion_tokens");
        return new GenerationRequest(
                messages,
                choices,
                number(body.path("temperature")),
                number(body.path("top_p")),
                maxTokens.isNumber() ? maxTokens.asInt() : null,
                stop,
                body.path("seed").isNumber() ? body.path("seed").asLong() : null,
                true,
                Math.max(0, body.path("top_logprobs").asInt(0)),
                prefix);
    }

    private static @Nullable Double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : null;
    }

    /** A string, or the text parts of a content array. */
    private static String content(JsonNode content) {
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            content.forEach(part -> text.append(part.path("text").asString("")));
            return text.toString();
        }
        return content.asString("");
    }
}
