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
import java.util.SplittableRandom;
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
    void flawedSolutionsStateAWrongAnswerInTheRightFormat() {
        List<ArithmeticCorpus.Problem> problems =
                ArithmeticCorpus.splits(7, 0, 500).test();
        SplittableRandom random = new SplittableRandom(3);

        for (ArithmeticCorpus.Problem problem : problems) {
            ArithmeticCorpus.Attempt attempt = ArithmeticCorpus.flawed(problem, random);

            String[] lines = attempt.solution().split("\n");
            assertThat(lines).hasSize(problem.steps().size() + 1);
            for (int i = 0; i < lines.length - 1; i++) {
                assertThat(lines[i]).matches(STEP);
            }
            assertThat(lines[lines.length - 1]).isEqualTo("The answer is " + attempt.answer() + ".");
            assertThat(attempt.answer()).isNotEqualTo(problem.answer()).isNotNegative();
        }
    }

    @Test
    void flawedSolutionsRepeatForTheSameSeed() {
        ArithmeticCorpus.Problem problem = readmeProblem();

        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        SplittableRandom a = new SplittableRandom(5);
        SplittableRandom b = new SplittableRandom(5);
        for (int i = 0; i < 20; i++) {
            first.add(ArithmeticCorpus.flawed(problem, a).solution());
            second.add(ArithmeticCorpus.flawed(problem, b).solution());
        }

        assertThat(second).isEqualTo(first);
        assertThat(new HashSet<>(first).size()).isGreaterThan(5);
    }

    @Test
    void slipGetsOneStepWrongAndCarriesItsValueToTheEnd() {
        int seen = 0;
        SplittableRandom random = new SplittableRandom(1);
        for (ArithmeticCorpus.Problem problem :
                ArithmeticCorpus.splits(7, 0, 200).test()) {
            ArithmeticCorpus.Attempt attempt = ArithmeticCorpus.attempt(problem, ArithmeticCorpus.Mistake.SLIP, random);
            if (attempt == null) {
                continue;
            }
            seen++;

            List<String> steps = steps(attempt);
            assertThat(steps.stream().filter(step -> !isArithmeticRight(step))).hasSize(1);
            assertThat(attempt.answer()).isEqualTo(result(steps.get(steps.size() - 1)));
        }
        assertThat(seen).isGreaterThan(150);
    }

    @Test
    void slipInTheReadmeProblemIsCarriedIntoTheNextStep() {
        ArithmeticCorpus.Problem problem = readmeProblem();
        SplittableRandom random = new SplittableRandom(2);

        for (int i = 0; i < 20; i++) {
            ArithmeticCorpus.Attempt attempt = ArithmeticCorpus.attempt(problem, ArithmeticCorpus.Mistake.SLIP, random);

            List<String> steps = steps(attempt);
            if (!isArithmeticRight(steps.get(0))) {
                // 25 times 3 came out wrong: the sum adds 17 to that wrong product, correctly
                assertThat(steps.get(1)).startsWith("17 plus " + result(steps.get(0)) + " is ");
                assertThat(isArithmeticRight(steps.get(1))).isTrue();
            } else {
                assertThat(steps.get(0)).isEqualTo("25 times 3 is 75.");
                assertThat(steps.get(1)).startsWith("17 plus 75 is ").isNotEqualTo("17 plus 75 is 92.");
            }
        }
    }

    @Test
    void miscopyComputesEveryStepRightFromAWrongOperand() {
        SplittableRandom random = new SplittableRandom(4);
        int seen = 0;
        for (ArithmeticCorpus.Problem problem :
                ArithmeticCorpus.splits(7, 0, 200).test()) {
            ArithmeticCorpus.Attempt attempt =
                    ArithmeticCorpus.attempt(problem, ArithmeticCorpus.Mistake.MISCOPY, random);
            if (attempt == null || attempt.answer() == problem.answer()) {
                continue;
            }
            seen++;

            List<String> steps = steps(attempt);
            assertThat(steps).allMatch(ArithmeticCorpusTests::isArithmeticRight);
            assertThat(steps).isNotEqualTo(problem.steps());
        }
        assertThat(seen).isGreaterThan(150);
    }

    @Test
    void orderMistakeWorksLeftToRightIgnoringPrecedence() {
        ArithmeticCorpus.Attempt attempt =
                ArithmeticCorpus.attempt(readmeProblem(), ArithmeticCorpus.Mistake.ORDER, new SplittableRandom(1));

        assertThat(attempt.solution()).isEqualTo("17 plus 25 is 42.\n42 times 3 is 126.\nThe answer is 126.");
        assertThat(attempt.answer()).isEqualTo(126);
    }

    @Test
    void finalLineMistakeKeepsTheRightStepsAndStatesAnotherNumber() {
        ArithmeticCorpus.Problem problem = readmeProblem();

        ArithmeticCorpus.Attempt attempt =
                ArithmeticCorpus.attempt(problem, ArithmeticCorpus.Mistake.FINAL_LINE, new SplittableRandom(1));

        assertThat(steps(attempt)).isEqualTo(problem.steps());
        assertThat(attempt.answer()).isNotEqualTo(92);
        assertThat(attempt.solution()).endsWith("\nThe answer is " + attempt.answer() + ".");
    }

    private static final String STEP = "\\d+ (plus|minus|times) \\d+ is \\d+\\.";

    /** "What is 17 plus 25 times 3?", built as the generator builds it. */
    static ArithmeticCorpus.Problem readmeProblem() {
        return new ArithmeticCorpus.Problem(
                "What is 17 plus 25 times 3?",
                List.of("25 times 3 is 75.", "17 plus 75 is 92."),
                92,
                new ArithmeticCorpus.Expression(List.of(17L, 25L, 3L), List.of('+', '*'), -1, -1));
    }

    private static List<String> steps(ArithmeticCorpus.Attempt attempt) {
        List<String> lines = List.of(attempt.solution().split("\n"));
        return lines.subList(0, lines.size() - 1);
    }

    private static long result(String step) {
        String[] words = step.replace(".", "").split(" ");
        return Long.parseLong(words[4]);
    }

    private static boolean isArithmeticRight(String step) {
        String[] words = step.replace(".", "").split(" ");
        long left = Long.parseLong(words[0]);
        long right = Long.parseLong(words[2]);
        long expected = switch (words[1]) {
            case "plus" -> left + right;
            case "minus" -> left - right;
            default -> left * right;
        };
        return expected == Long.parseLong(words[4]);
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
        String question =
                Files.readString(Path.of(EmbeddedModelTrainer.RESTART)).strip();
        SplittableRandom random = new SplittableRandom(1);
        for (ArithmeticCorpus.Problem problem : splits.test()) {
            String flawed = " " + ArithmeticCorpus.flawed(problem, random).solution();
            texts.add(EmbeddedModelTrainer.judgingPrompt(instruction, problem.question(), flawed, question)
                    + EmbeddedModelTrainer.YES);
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
        assertThat(texts).hasSize(3000);
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
