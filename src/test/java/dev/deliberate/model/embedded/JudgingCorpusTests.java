package dev.deliberate.model.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.djl.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The judging half of the embedded model's training corpus (EmbeddedModelTrainer.Judging). */
class JudgingCorpusTests {

    private static final List<ArithmeticCorpus.Problem> PROBLEMS =
            ArithmeticCorpus.splits(7, 0, 500).test();

    @Test
    void aResponseIsLabelledRestartExactlyWhenItHasLeftTheRightSolution() {
        SplittableRandom random = new SplittableRandom(9);
        int total = 5000;
        int restart = 0;
        int cut = 0;
        int cutRestart = 0;
        int stripped = 0;

        for (int i = 0; i < total; i++) {
            ArithmeticCorpus.Problem problem = PROBLEMS.get(i % PROBLEMS.size());
            EmbeddedModelTrainer.Judgment judgment = EmbeddedModelTrainer.Judging.judgment(problem, random);

            String right = EmbeddedModelTrainer.completion(problem);
            String response = judgment.response().startsWith(" ") ? judgment.response() : " " + judgment.response();
            assertThat(judgment.restart()).as(response).isEqualTo(!right.startsWith(response));
            boolean whole = response.matches("(?s).*\\nThe answer is \\d+\\.");
            restart += judgment.restart() ? 1 : 0;
            cut += whole ? 0 : 1;
            cutRestart += !whole && judgment.restart() ? 1 : 0;
            stripped += judgment.response().startsWith(" ") ? 0 : 1;
        }

        // Half flawed, of which the 70 % whole responses and the cut ones past the mistake say Yes.
        assertThat(restart / (double) total).isBetween(0.37, 0.47);
        assertThat(cut / (double) total).isBetween(0.27, 0.33);
        assertThat(cutRestart).isPositive().isLessThan(cut / 2);
        assertThat(stripped / (double) total).isBetween(0.22, 0.28);
    }

    @Test
    void judgmentsRepeatForTheSameSeed() {
        List<EmbeddedModelTrainer.Judgment> first = judgments(new SplittableRandom(4));

        List<EmbeddedModelTrainer.Judgment> second = judgments(new SplittableRandom(4));

        assertThat(second).isEqualTo(first);
    }

    @Test
    void judgingPromptIsTheConversationTheRestartQuestionSendsAsTheEndpointRendersIt() throws Exception {
        String instruction = Files.readString(Path.of("prompts/answer/math.md")).strip();
        String question =
                Files.readString(Path.of(EmbeddedModelTrainer.RESTART)).strip();
        String response = " 25 times 3 is 75.\n17 plus 75 is 82.\nThe answer is 82.";

        // RestartQuestion: the framed conversation, the response as the assistant's turn, the question as the user's.
        String rendered = ChatTemplate.DEFAULT.render(
                "embedded",
                List.of(
                        ChatMessage.system(instruction),
                        ChatMessage.user("What is 17 plus 25 times 3?"),
                        ChatMessage.assistant(response),
                        ChatMessage.user(question)),
                null);

        assertThat(EmbeddedModelTrainer.judgingPrompt(instruction, "What is 17 plus 25 times 3?", response, question))
                .isEqualTo(rendered);
    }

    private static List<EmbeddedModelTrainer.Judgment> judgments(SplittableRandom random) {
        List<EmbeddedModelTrainer.Judgment> judgments = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            judgments.add(EmbeddedModelTrainer.Judging.judgment(PROBLEMS.get(i), random));
        }
        return judgments;
    }
}
