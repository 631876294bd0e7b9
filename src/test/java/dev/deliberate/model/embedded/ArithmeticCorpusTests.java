package dev.deliberate.model.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArithmeticCorpusTests {

    private static final Path MODEL = Path.of("src/main/resources/models/embedded");

    @Test
    void sameSeedGivesTheSameProblems() {
        ArithmeticCorpus.Splits first = ArithmeticCorpus.splits(7, 2000, 500);

        ArithmeticCorpus.Splits second = ArithmeticCorpus.splits(7, 2000, 500);

        assertThat(second.train()).isEqualTo(first.train());
        assertThat(second.test()).isEqualTo(first.test());
        assertThat(ArithmeticCorpus.splits(8, 2000, 500).test()).isNotEqualTo(first.test());
    }

    @Test
    void splitsAreDisjointAndFreeOfRepeats() {
        ArithmeticCorpus.Splits splits = ArithmeticCorpus.splits(7, 20_000, 500);

        Set<String> test = new HashSet<>();
        splits.test().forEach(problem -> test.add(problem.question()));
        Set<String> train = new HashSet<>();
        splits.train().forEach(problem -> train.add(problem.question()));

        assertThat(test).hasSize(500);
        assertThat(train).hasSize(20_000);
        assertThat(train).doesNotContainAnyElementsOf(test);
    }

    @Test
    void solutionsHaveOneLinePerOperationAndTheAnswerLast() {
        List<ArithmeticCorpus.Problem> problems =
                ArithmeticCorpus.splits(7, 0, 500).test();

        for (ArithmeticCorpus.Problem problem : problems) {
            String[] lines = problem.solution().split("\n");
            long operations = problem.question()
                            .chars()
                            .filter(c -> c == '+' || c == '-' || c == '*')
                            .count()
                    + countWords(problem.question());
            assertThat(lines).hasSize((int) operations + 1);
            assertThat(lines[lines.length - 1]).isEqualTo("The answer is " + problem.answer() + ".");
            assertThat(problem.gsm8kAnswer()).endsWith("\n#### " + problem.answer());
            assertThat(problem.answer()).isBetween(0L, (long) ArithmeticCorpus.MAX_VALUE);
        }
    }

    @Test
    void knownQuestionIsSolvedWithPrecedence() {
        ArithmeticCorpus.Problem problem = ArithmeticCorpus.splits(7, 0, 500).test().stream()
                .filter(p -> p.question().contains("(") && p.steps().size() == 3)
                .findFirst()
                .orElseThrow();

        String first = problem.steps().get(0);
        String inside = problem.question()
                .substring(
                        problem.question().indexOf('(') + 1, problem.question().indexOf(')'));

        // The parenthesized run is evaluated first: its first operand opens the first step.
        assertThat(first).startsWith(inside.split(" ")[0] + " ");
    }

    @Test
    void committedHeldOutSplitIsTheGeneratorsInGsm8kFormat() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(EmbeddedModelTrainer.DATA));
        List<ArithmeticCorpus.Problem> test = ArithmeticCorpus.splits(7, 0, 500).test();

        assertThat(lines).hasSize(500);
        tools.jackson.databind.json.JsonMapper json =
                tools.jackson.databind.json.JsonMapper.builder().build();
        for (int i = 0; i < lines.size(); i++) {
            Map<?, ?> row = json.readValue(lines.get(i), Map.class);
            assertThat(row.get("question")).isEqualTo(test.get(i).question());
            assertThat(row.get("answer")).isEqualTo(test.get(i).gsm8kAnswer());
        }
    }

    @Test
    void committedTokenizerRoundTripsTheCorpusWithoutUnknownPieces() throws Exception {
        String instruction = Files.readString(Path.of("prompts/answer/math.md")).strip();
        ArithmeticCorpus.Splits splits = ArithmeticCorpus.splits(7, 2000, 500);
        List<String> texts = new ArrayList<>();
        for (ArithmeticCorpus.Problem problem : splits.train()) {
            texts.add(EmbeddedModelTrainer.prompt(instruction, problem.question())
                    + EmbeddedModelTrainer.completion(problem));
        }
        for (ArithmeticCorpus.Problem problem : splits.test()) {
            texts.add(EmbeddedModelTrainer.prompt("", problem.question()) + EmbeddedModelTrainer.completion(problem));
        }

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                MODEL.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            for (String text : texts) {
                long[] ids = tokenizer.encode(text, false, false).getIds();

                assertThat(ids).doesNotContain(0L);
                assertThat(tokenizer.decode(ids, true)).isEqualTo(text);
            }
        }
        assertThat(texts).hasSize(2500);
    }

    private static long countWords(String question) {
        long count = 0;
        for (String word : question.replaceAll("[?.]", "").split(" ")) {
            if (word.equals("plus") || word.equals("minus") || word.equals("times")) {
                count++;
            }
        }
        return count;
    }
}
