package dev.deliberate.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptLibraryTests {

    @TempDir
    Path dir;

    @Test
    void userTextIsDataAndNeverReadAsATemplate() {
        var library = new PromptLibrary(Map.of("t/ask", "Question: {{question}}\nBe brief."));

        String rendered = library.render("t/ask", Map.of("question", "what is {{question}} and {{secret}}?"));

        assertThat(rendered).isEqualTo("Question: what is {{question}} and {{secret}}?\nBe brief.");
    }

    @Test
    void missingVariablesAndTemplatesFailLoudly() {
        var library = new PromptLibrary(Map.of("t/ask", "Q: {{question}}"));

        assertThatThrownBy(() -> library.render("t/ask", Map.of())).hasMessageContaining("question");
        assertThatThrownBy(() -> library.render("t/none", Map.of())).hasMessageContaining("t/none");
        assertThatThrownBy(() -> library.require("t/none")).hasMessageContaining("prompts/t/none.md");
    }

    @Test
    void directoryTemplatesReplaceShippedOnes() throws IOException {
        Files.createDirectories(dir.resolve("answer"));
        Files.writeString(dir.resolve("answer/math.md"), "Reply with a number only.");

        var library = PromptLibrary.load(dir);

        assertThat(library.render("answer/math", Map.of())).isEqualTo("Reply with a number only.");
        assertThat(library.keys()).contains("answer/choice", "answer/text", "answer/code");
    }
}
