package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTests {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        return Files.writeString(dir.resolve("data.jsonl"), String.join("\n", lines) + "\n");
    }

    @Test
    void readsGsm8kQuestionsAndTheirHashLineAnswers() throws IOException {
        Path data = file(
                "{\"question\": \"How many eggs?\", \"answer\": \"16 - 3 = <<16-3=13>>13\\n#### 13\"}",
                "",
                "{\"question\": \"How much money?\", \"answer\": \"It costs $1,080.\\n#### 1,080\"}");

        Dataset dataset = Dataset.read(data, null, null);

        assertThat(dataset.format()).isEqualTo(DatasetFormat.GSM8K);
        assertThat(dataset.problems()).extracting(EvalProblem::id).containsExactly("line 1", "line 3");
        EvalProblem first = dataset.problems().get(0);
        assertThat(first.problem()).isEqualTo(Problem.of("How many eggs?", AnswerKind.MATH));
        assertThat(((EvalProblem.Number) first.expected()).answer().canonical()).isEqualTo("13");
        assertThat(((EvalProblem.Number) dataset.problems().get(1).expected())
                        .answer()
                        .canonical())
                .isEqualTo("1080");
    }

    @Test
    void readsTheSharedGsm8kSampleUpToTheLimit() {
        Dataset dataset = Dataset.read(Path.of("/work/shared/data/gsm8k-test-1000.jsonl"), null, 3);

        assertThat(dataset.problems()).hasSize(3);
        assertThat(((EvalProblem.Number) dataset.problems().get(0).expected())
                        .answer()
                        .canonical())
                .isEqualTo("18");
    }

    @Test
    void readsHumanEvalTasksAsCodeProblemsWithTheirEntryPoint() {
        Dataset dataset = Dataset.read(Path.of("src/test/resources/humaneval/sample.jsonl"), null, null);

        assertThat(dataset.format()).isEqualTo(DatasetFormat.HUMANEVAL);
        assertThat(dataset.problems())
                .extracting(EvalProblem::id)
                .containsExactly("HumanEval/0", "HumanEval/34", "HumanEval/53");
        EvalProblem add = dataset.problems().get(2);
        assertThat(add.problem().kind()).isEqualTo(AnswerKind.CODE);
        assertThat(add.problem().code()).isEqualTo(new Problem.CodeSpec("add", null, List.of()));
        EvalProblem.Tests tests = (EvalProblem.Tests) add.expected();
        assertThat(tests.entryPoint()).isEqualTo("add");
        assertThat(tests.test()).contains("def check(candidate)");
        assertThat(add.problem().messages()).containsExactly(ChatMessage.user(tests.prompt()));
    }

    @Test
    void aLineThatIsNotJsonNamesFileAndLine() throws IOException {
        Path data = file("{\"question\": \"q\", \"answer\": \"#### 1\"}", "{\"question\": \"q\", \"answer\"");

        assertThatThrownBy(() -> Dataset.read(data, null, null))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(data + ":2: not JSON");
    }

    @Test
    void aGsm8kAnswerWithoutItsHashLineNamesTheLine() throws IOException {
        Path data = file(
                "{\"question\": \"q\", \"answer\": \"#### 1\"}",
                "{\"question\": \"q\", \"answer\": \"#### 2\"}",
                "{\"question\": \"q\", \"answer\": \"it is 3\"}");

        assertThatThrownBy(() -> Dataset.read(data, null, null))
                .isInstanceOf(DatasetException.class)
                .hasMessage(data + ":3: answer: the last line must be '#### N', was 'it is 3'");
    }

    @Test
    void aMissingFieldNamesTheFieldAndLine() throws IOException {
        Path data = file("{\"task_id\": \"T/1\", \"prompt\": \"def f():\\n\", \"entry_point\": \"f\"}");

        assertThatThrownBy(() -> Dataset.read(data, null, null))
                .isInstanceOf(DatasetException.class)
                .hasMessage(data + ":1: test: missing or not a non-empty string");
    }

    @Test
    void anExplicitFormatOverridesTheGuess() throws IOException {
        Path data = file("{\"question\": \"q\", \"answer\": \"#### 1\"}");

        assertThatThrownBy(() -> Dataset.read(data, DatasetFormat.HUMANEVAL, null))
                .isInstanceOf(DatasetException.class)
                .hasMessage(data + ":1: task_id: missing or not a non-empty string");
    }

    @Test
    void anUnrecognisableFirstLineAsksForTheFormat() throws IOException {
        Path data = file("{\"text\": \"q\"}");

        assertThatThrownBy(() -> Dataset.read(data, null, null))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("cannot tell the format from line 1")
                .hasMessageEndingWith("set --format");
    }
}
