package dev.deliberate.model.djl;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How messages become a prompt: {@code begin}, then each message rendered with the pattern of its role, then
 * {@code generation} (the opening of the assistant's turn, which the model continues). In a pattern, {@code {content}}
 * stands for the message text; it is replaced once, by plain substitution, so that user text is never read as a
 * template. Unset values take the defaults below.
 *
 * @param begin text before the first message (e.g. a BOS token), default empty
 * @param system default {@code "System: {content}\n"}
 * @param user default {@code "User: {content}\n"}
 * @param assistant default {@code "Assistant: {content}\n"}
 * @param generation default {@code "Assistant:"}
 */
public record ChatTemplate(String begin, String system, String user, String assistant, String generation) {

    static final String CONTENT = "{content}";
    public static final ChatTemplate DEFAULT = new ChatTemplate(null, null, null, null, null);

    public ChatTemplate {
        begin = begin == null ? "" : begin;
        system = system == null ? "System: {content}\n" : system;
        user = user == null ? "User: {content}\n" : user;
        assistant = assistant == null ? "Assistant: {content}\n" : assistant;
        generation = generation == null ? "Assistant:" : generation;
        for (String pattern : List.of(system, user, assistant)) {
            if (!pattern.contains(CONTENT)) {
                throw new IllegalArgumentException("chat_template: pattern '" + pattern + "' lacks " + CONTENT);
            }
        }
    }

    /**
     * The prompt for {@code messages}, continuing from {@code prefix} (an assistant turn begun by the caller) when
     * given.
     *
     * @throws BackendException.Rejected for a role the template does not know
     */
    public String render(String endpoint, List<ChatMessage> messages, @Nullable String prefix) {
        StringBuilder prompt = new StringBuilder(begin);
        for (ChatMessage message : messages) {
            String pattern = switch (message.role()) {
                case ChatMessage.SYSTEM -> system;
                case ChatMessage.USER -> user;
                case ChatMessage.ASSISTANT -> assistant;
                default ->
                    throw new BackendException.Rejected(
                            endpoint, "unsupported message role '" + message.role() + "'", 400, false);
            };
            int at = pattern.indexOf(CONTENT);
            prompt.append(pattern, 0, at)
                    .append(message.content())
                    .append(pattern, at + CONTENT.length(), pattern.length());
        }
        prompt.append(generation);
        if (prefix != null) {
            prompt.append(prefix);
        }
        return prompt.toString();
    }
}
