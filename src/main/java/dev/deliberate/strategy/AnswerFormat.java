package dev.deliberate.strategy;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.prompt.PromptLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Asks for an answer in a form the extractor can read, and reads it. The instruction for a kind lives in
 * {@code prompts/answer/<kind>.md}; an empty template means no instruction (free text).
 */
public final class AnswerFormat {

    private final PromptLibrary prompts;
    private final AnswerExtractor extractor;

    public AnswerFormat(PromptLibrary prompts, AnswerExtractor extractor) {
        this.prompts = prompts;
        this.extractor = extractor;
        for (AnswerKind kind : AnswerKind.values()) {
            prompts.require(key(kind));
        }
    }

    /**
     * The client's conversation with the answer-format instruction added. Every message is kept as sent; the
     * instruction joins the client's system prompt, or becomes the first message when there is none, because many
     * chat templates accept a single system message only, and only in first place.
     */
    public List<ChatMessage> frame(List<ChatMessage> conversation, AnswerKind kind) {
        String instruction = prompts.render(key(kind), Map.of());
        if (instruction.isEmpty()) {
            return conversation;
        }
        List<ChatMessage> framed = new ArrayList<>(conversation.size() + 1);
        ChatMessage first = conversation.get(0);
        if (first.role().equals(ChatMessage.SYSTEM)) {
            framed.add(ChatMessage.system(first.content() + "\n\n" + instruction));
            framed.addAll(conversation.subList(1, conversation.size()));
        } else {
            framed.add(ChatMessage.system(instruction));
            framed.addAll(conversation);
        }
        return framed;
    }

    public Optional<Answer> extract(AnswerKind kind, String response) {
        return extractor.extract(kind, response);
    }

    private static String key(AnswerKind kind) {
        return "answer/" + kind.wireName();
    }
}
