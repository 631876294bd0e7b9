package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TextAnswerExtractionTests {

    private final AnswerExtractor extractor = new AnswerExtractor();

    static Stream<Arguments> responses() {
        return Stream.of(
                Arguments.of("Hello there.", "Hello there.", "hello there"),
                Arguments.of("  Paris  ", "Paris", "paris"),
                Arguments.of("The capital is in the north. The answer is Paris.", "Paris.", "paris"),
                Arguments.of("Final answer: \"New   York\"", "\"New   York\"", "new york"),
                Arguments.of("Answer: **Mount Everest**!", "Mount Everest**!", "mount everest"),
                Arguments.of("The answer is\n  ‘Blue whale’.", "‘Blue whale’.", "blue whale"),
                Arguments.of("answer is 'Ａｌｉｃｅ'", "'Ａｌｉｃｅ'", "alice"),
                Arguments.of("So it is \\boxed{\\text{Jupiter}}.", "\\text{Jupiter}", "jupiter"),
                Arguments.of("The answer is Rome.\nI checked that the answer is: ", "Rome.", "rome"),
                Arguments.of("The answer is _A*_", "_A*_", "a"),
                Arguments.of("Answer: __snake_case__", "__snake_case__", "snake_case"),
                Arguments.of("The answer is x.\nMore text follows.", "x.", "x"),
                Arguments.of("Line one\n\tline   two ", "Line one\n\tline   two", "line one line two"),
                Arguments.of("Straße", "Straße", "straße"),
                Arguments.of("\"'It's'\"", "\"'It's'\"", "it's"),
                Arguments.of("The answer is '90s music", "'90s music", "90s music"),
                Arguments.of("The answer is:\n\nMarie Curie\n", "Marie Curie", "marie curie"),
                Arguments.of("The answer is \"\"\nwell, the answer is:\n.\n\nLisbon", ".\n\nLisbon", ". lisbon"),
                Arguments.of("Odd: the answer is \"\"", "Odd: the answer is \"\"", "odd: the answer is"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void extractsNormalisedText(String response, String raw, String canonical) {
        var answer = extractor.extract(AnswerKind.TEXT, response);

        assertThat(answer).contains(new Answer(AnswerKind.TEXT, raw, canonical));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("blankish")
    void findsNothingInBlankOrPunctuation(String response) {
        var answer = extractor.extract(AnswerKind.TEXT, response);

        assertThat(answer).isEmpty();
    }

    static Stream<String> blankish() {
        return Stream.of("", "   \n\t", "...", "\"\"", "**");
    }
}
