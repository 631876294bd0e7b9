package dev.deliberate.api;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.DeliberateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Validates client messages and turns them into the model's {@link ChatMessage}s, keeping every one. */
public final class Conversations {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    private Conversations() {}

    /**
     * @param field the name of the messages field in the request, for error messages
     * @throws DeliberateException 400 naming the offending field
     */
    public static List<ChatMessage> of(@Nullable List<WireMessage> messages, String field, ApiLimits limits) {
        if (messages == null || messages.isEmpty()) {
            throw DeliberateException.invalidRequest(field, "at least one message is required");
        }
        if (messages.size() > limits.maxMessages()) {
            throw DeliberateException.invalidRequest(
                    field, messages.size() + " messages; the limit is " + limits.maxMessages());
        }
        List<ChatMessage> conversation = new ArrayList<>(messages.size());
        long chars = 0;
        for (int i = 0; i < messages.size(); i++) {
            WireMessage message = messages.get(i);
            String at = field + "[" + i + "]";
            if (message == null) {
                throw DeliberateException.invalidRequest(at, "must be an object");
            }
            if (message.role() == null || !ROLES.contains(message.role())) {
                throw DeliberateException.invalidRequest(
                        at + ".role", "must be one of system, developer, user, assistant");
            }
            String content = text(message.content(), at + ".content");
            chars += content.length();
            if (chars > limits.maxChars()) {
                throw DeliberateException.invalidRequest(
                        field, "messages exceed " + limits.maxChars() + " characters in total");
            }
            // "developer" is the newer OpenAI name for the system role.
            String role = message.role().equals("developer") ? ChatMessage.SYSTEM : message.role();
            conversation.add(new ChatMessage(role, content));
        }
        if (conversation.stream().noneMatch(m -> m.role().equals(ChatMessage.USER))) {
            throw DeliberateException.invalidRequest(field, "at least one user message is required");
        }
        return conversation;
    }

    private static String text(@Nullable JsonNode content, String field) {
        if (content == null || content.isNull()) {
            throw DeliberateException.invalidRequest(field, "is required");
        }
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                String at = field + "[" + i + "]";
                if (!part.isObject() || !"text".equals(part.path("type").asString(""))) {
                    throw DeliberateException.invalidRequest(at + ".type", "only text parts are supported");
                }
                for (String key : part.propertyNames()) {
                    if (!key.equals("type") && !key.equals("text")) {
                        throw DeliberateException.invalidRequest(at + "." + key, "unknown field");
                    }
                }
                JsonNode text = part.get("text");
                if (text == null || !text.isString()) {
                    throw DeliberateException.invalidRequest(at + ".text", "must be a string");
                }
                if (joined.length() > 0) {
                    joined.append('\n');
                }
                joined.append(text.asString());
            }
            return joined.toString();
        }
        throw DeliberateException.invalidRequest(field, "must be a string or an array of text parts");
    }
}
