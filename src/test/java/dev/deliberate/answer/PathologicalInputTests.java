package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Megabyte responses built to trigger quadratic scans or huge numbers; each must be read in well under a second. */
class PathologicalInputTests {

    private static final int MEGABYTE = 1 << 20;
    private static final Duration BOUND = Duration.ofSeconds(2);

    private final AnswerExtractor extractor = new AnswerExtractor();

    /**
     * Runs every input at a sixteenth of the size first, so the bound measures the algorithm and not class loading and
     * the JIT on a busy machine: a quadratic scan of a megabyte would take minutes, far beyond any warm-up.
     */
    @BeforeAll
    static void warmUp() {
        AnswerExtractor warm = new AnswerExtractor();
        adversarial().forEach(arguments -> {
            String response = (String) arguments.get()[1];
            String sample = response.substring(0, response.length() / 16);
            for (AnswerKind kind : AnswerKind.values()) {
                warm.extract(kind, sample);
            }
        });
    }

    private static String fill(String unit) {
        return unit.repeat(MEGABYTE / unit.length());
    }

    static Stream<Arguments> adversarial() {
        return Stream.of(
                Arguments.of("1, repeated", fill("1,")),
                Arguments.of("unclosed boxes", fill("\\boxed{")),
                Arguments.of("unclosed boxes then a number", fill("\\boxed{") + " 7"),
                Arguments.of("open braces", fill("{")),
                Arguments.of("close braces", fill("}")),
                Arguments.of("nested boxes", fill("\\boxed{") + "3" + fill("}")),
                Arguments.of("one huge grouped number", "1" + fill(",000")),
                Arguments.of("one huge digit run", fill("9")),
                Arguments.of("huge exponent", "1e" + fill("9")),
                Arguments.of("unclosed fraction", fill("\\frac{1")),
                Arguments.of("fraction chain", fill("1/")),
                Arguments.of("dots", fill(".")),
                Arguments.of("minus signs", fill("-")),
                Arguments.of("answer phrases", fill("the answer is ")),
                Arguments.of("answer then blanks", "answer" + fill(" ")),
                Arguments.of("answer phrases with dollars", fill("answer: $")),
                Arguments.of("phrase then open dollar", "The answer is $" + fill("x")),
                Arguments.of("phrase then open parentheses", "The answer is " + fill("(")),
                Arguments.of("phrase then a long sum", "The answer is " + fill("1 + ")),
                Arguments.of("phrase then a long chain", "The answer is " + fill("x = ")),
                Arguments.of("phrase then implicit products", "The answer is " + fill("x(")),
                Arguments.of("phrase then bare roots", "The answer is " + fill("\\sqrt(")),
                Arguments.of("phrase then powers", "The answer is " + fill("10^")),
                Arguments.of("phrase then assignments", "The answer is " + fill("x = 1, ")),
                Arguments.of("phrase then commands", "The answer is " + fill("\\pi ")),
                Arguments.of("boxed bare roots", "\\boxed{" + "\\sqrt(".repeat(1_400) + "}"),
                Arguments.of("boxed long chain", "\\boxed{" + "x=".repeat(4_990) + "1}"),
                Arguments.of("gsm8k marks", fill("#")),
                Arguments.of("parenthesised letters", fill("(A")),
                Arguments.of("bold marks", fill("**")),
                Arguments.of("blank lines", fill("\n")),
                Arguments.of("articles", fill("A ")),
                Arguments.of("fences", fill("```\n")),
                Arguments.of("quotes", fill("'")),
                Arguments.of("tildes", fill("~")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adversarial")
    void readsEveryKindInLinearTime(String name, String response) {
        Map<AnswerKind, Optional<Answer>> answers = new EnumMap<>(AnswerKind.class);

        assertTimeoutPreemptively(BOUND, () -> {
            for (AnswerKind kind : AnswerKind.values()) {
                answers.put(kind, extractor.extract(kind, response));
            }
        });

        assertThat(answers).hasSize(4);
    }

    @Test
    void listOfDigitsGivesTheLastOne() {
        String response = fill("1,");

        var answer = assertTimeoutPreemptively(BOUND, () -> extractor.extract(AnswerKind.MATH, response));

        assertThat(answer).map(Answer::canonical).contains("1");
    }

    @Test
    void unclosedBoxesFallBackToTheLastNumber() {
        String response = fill("\\boxed{") + " 7";

        var answer = assertTimeoutPreemptively(BOUND, () -> extractor.extract(AnswerKind.MATH, response));

        assertThat(answer).map(Answer::canonical).contains("7");
    }

    @Test
    void deeplyNestedBoxesGiveTheInnermost() {
        String response = fill("\\boxed{") + "3" + fill("}");

        var answer = assertTimeoutPreemptively(BOUND, () -> extractor.extract(AnswerKind.MATH, response));

        assertThat(answer).map(Answer::canonical).contains("3");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oversized")
    void rejectsOversizedNumbers(String name, String response) {
        var answer = assertTimeoutPreemptively(BOUND, () -> extractor.extract(AnswerKind.MATH, response));

        assertThat(answer).isEmpty();
    }

    static Stream<Arguments> oversized() {
        return Stream.of(
                Arguments.of("grouped", "1" + fill(",000")),
                Arguments.of("digits", fill("9")),
                Arguments.of("exponent digits", "1e" + fill("9")),
                Arguments.of("exponent", "The answer is 1e999999999"),
                Arguments.of("boxed exponent", "\\boxed{1e999999999}"),
                Arguments.of("fraction", "The answer is " + "7".repeat(101) + "/3"));
    }

    @Test
    void longTextIsCanonicalisedInFull() {
        String response = fill("'") + "x" + fill(" ");

        var answer = assertTimeoutPreemptively(BOUND, () -> extractor.extract(AnswerKind.TEXT, response));

        assertThat(answer).map(Answer::canonical).contains("x");
    }
}
