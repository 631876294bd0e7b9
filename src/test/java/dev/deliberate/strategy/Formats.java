package dev.deliberate.strategy;

import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.prompt.PromptLibrary;
import java.nio.file.Path;

/** The answer format with the project's own prompt templates, for strategy tests. */
public final class Formats {

    private Formats() {}

    public static AnswerFormat shipped() {
        return new AnswerFormat(PromptLibrary.load(Path.of("prompts")), new AnswerExtractor());
    }
}
