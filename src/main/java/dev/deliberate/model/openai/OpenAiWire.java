package dev.deliberate.model.openai;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Chat Completions wire format: our request records to the JSON body, and the JSON replies back to choices, token
 * logprobs and usage. Lenient where servers differ harmlessly (a missing index, a null content); the strict checks
 * (in-band errors, missing choices, early ends) belong to the endpoint.
 */
final class OpenAiWire {

    private final JsonMapper mapper;
    private final String model;

    OpenAiWire(JsonMapper mapper, String model) {
        this.mapper = mapper;
        this.model = model;
    }

    /** The request body; sends only the fields that are set, so that each server keeps its own defaults. */
    ObjectNode body(GenerationRequest request, boolean stream) {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        if (request.prefix() != null) {
            // Continuation: vLLM and SGLang need these flags; llama.cpp and Ollama continue a final assistant turn.
            messages.addObject().put("role", ChatMessage.ASSISTANT).put("content", request.prefix());
            body.put("continue_final_message", true);
            body.put("add_generation_prompt", false);
        }
        if (request.n() > 1) {
            body.put("n", request.n());
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        if (request.logprobs()) {
            body.put("logprobs", true);
            if (request.topLogprobs() > 0) {
                body.put("top_logprobs", request.topLogprobs());
            }
        }
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        }
        return body;
    }

    byte[] bytes(ObjectNode body) {
        return mapper.writeValueAsBytes(body);
    }

    JsonNode parse(String text) {
        return mapper.readTree(text);
    }

    /** The choices of a {@code chat.completion}, ordered by their index and renumbered 0..k-1. */
    List<Choice> choices(JsonNode root) {
        List<Choice> parsed = new ArrayList<>();
        int position = 0;
        for (JsonNode node : root.path("choices")) {
            int index = node.path("index").asInt(position++);
            parsed.add(new Choice(
                    index,
                    node.path("message").path("content").asString(""),
                    finishReason(node),
                    tokens(node.path("logprobs"))));
        }
        parsed.sort(Comparator.comparingInt(Choice::index));
        List<Choice> renumbered = new ArrayList<>(parsed.size());
        for (int i = 0; i < parsed.size(); i++) {
            Choice choice = parsed.get(i);
            renumbered.add(new Choice(i, choice.text(), choice.finishReason(), choice.tokens()));
        }
        return renumbered;
    }

    static @Nullable String finishReason(JsonNode choice) {
        JsonNode reason = choice.path("finish_reason");
        return reason.isString() ? reason.stringValue() : null;
    }

    /** {@code {"content":[{"token","logprob","top_logprobs":[...]}]}}, or no tokens when absent or null. */
    List<TokenLogprob> tokens(JsonNode logprobs) {
        JsonNode content = logprobs.path("content");
        if (!content.isArray()) {
            return List.of();
        }
        List<TokenLogprob> tokens = new ArrayList<>(content.size());
        for (JsonNode token : content) {
            List<TokenLogprob.Alternative> top = new ArrayList<>();
            for (JsonNode alternative : token.path("top_logprobs")) {
                top.add(new TokenLogprob.Alternative(
                        alternative.path("token").asString(""),
                        alternative.path("logprob").asDouble(Double.NEGATIVE_INFINITY)));
            }
            tokens.add(new TokenLogprob(
                    token.path("token").asString(""), token.path("logprob").asDouble(Double.NEGATIVE_INFINITY), top));
        }
        return tokens;
    }

    /** The usage object, or {@code null} when the reply has none. */
    static @Nullable Usage usage(JsonNode root) {
        JsonNode usage = root.path("usage");
        if (!usage.isObject()) {
            return null;
        }
        return new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }
}
