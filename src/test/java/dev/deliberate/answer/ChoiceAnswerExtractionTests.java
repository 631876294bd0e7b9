package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChoiceAnswerExtractionTests {

    private final AnswerExtractor extractor = new AnswerExtractor();

    static Stream<Arguments> responses() {
        return Stream.of(
                Arguments.of("The answer is (B).", "B"),
                Arguments.of("the answer is C", "C"),
                Arguments.of("Answer: d", "D"),
                Arguments.of("Answer: (e)", "E"),
                Arguments.of("**Answer:** A", "A"),
                Arguments.of("The final answer is option C.", "C"),
                Arguments.of("The answer is choice (D)", "D"),
                Arguments.of("The answer is $\\boxed{B}$", "B"),
                Arguments.of("\\boxed{\\text{(C)}}", "C"),
                Arguments.of("\\boxed{42} but the answer is D", "D"),
                Arguments.of("I pick **E**", "E"),
                Arguments.of("Let me think.\nB\n", "B"),
                Arguments.of("Let me think.\n  (c)  \n", "C"),
                Arguments.of("D", "D"),
                Arguments.of("d.", "D"),
                Arguments.of("(A) is wrong and (B) is wrong, so the answer is C. Not (D).", "C"),
                Arguments.of("Options (A) and (D) fit, but (D) is better.", "D"),
                Arguments.of("A careful reading shows the answer is B.", "B"),
                Arguments.of("The answer is B. A quick check confirms it.", "B"),
                Arguments.of("The answer is C. I am sure the answer is correct.", "C"),
                Arguments.of("The answer is a bit unclear, but (B) fits best.", "B"),
                Arguments.of("I think B is correct. A good reason is the units.", "B"),
                Arguments.of("I think C is right.", "C"),
                Arguments.of("E.g. the first one. So D", "D"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void extractsUpperCaseLetter(String response, String canonical) {
        var answer = extractor.extract(AnswerKind.CHOICE, response);

        assertThat(answer).map(Answer::canonical).contains(canonical);
    }

    static Stream<String> unanswered() {
        return Stream.of(
                "",
                "A good question with no clear winner.",
                "The answer is a bit unclear.",
                "Option F is best.",
                "Bob and Eve disagree.");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unanswered")
    void findsNoLetter(String response) {
        var answer = extractor.extract(AnswerKind.CHOICE, response);

        assertThat(answer).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void keepsTheLetterAsWrittenInRaw(String response, String canonical) {
        var answer = extractor.extract(AnswerKind.CHOICE, response).orElseThrow();

        assertThat(answer.raw()).isEqualToIgnoringCase(canonical).hasSize(1);
    }
}
