package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MathAnswerExtractionTests {

    private final AnswerExtractor extractor = new AnswerExtractor();

    static Stream<Arguments> responses() {
        return Stream.of(
                // \boxed{} wins over everything else
                Arguments.of("So the total is \\boxed{42}.", "42", "42"),
                Arguments.of("First \\boxed{7}, then corrected: \\boxed{8}", "8", "8"),
                Arguments.of("The answer is 5, so \\boxed{6}", "6", "6"),
                Arguments.of("$\\boxed{\\frac{3}{4}}$", "\\frac{3}{4}", "0.75"),
                Arguments.of("\\boxed{\\dfrac{1}{2}}", "\\dfrac{1}{2}", "0.5"),
                Arguments.of("\\boxed{-\\frac{6}{4}}", "-\\frac{6}{4}", "-1.5"),
                Arguments.of("\\boxed{\\frac{-1}{3}}", "\\frac{-1}{3}", "-0.333333333333"),
                Arguments.of("\\boxed{1,234,567}", "1,234,567", "1234567"),
                Arguments.of("\\boxed{1{,}000}", "1{,}000", "1000"),
                Arguments.of("\\boxed{\\$1,200.50}", "\\$1,200.50", "1200.5"),
                Arguments.of("\\boxed{50\\%}", "50\\%", "50"),
                Arguments.of("\\boxed{30^\\circ}", "30^\\circ", "30"),
                Arguments.of("\\boxed{72 \\text{ clips}}", "72 \\text{ clips}", "72"),
                Arguments.of("\\boxed{\\text{5}}", "\\text{5}", "5"),
                Arguments.of("\\boxed{x = 5}", "x = 5", "5"),
                Arguments.of("\\boxed{ 12 }", "12", "12"),
                Arguments.of("\\boxed{\\sqrt{2}}", "\\sqrt{2}", "\\sqrt{2}"),
                Arguments.of("\\boxed{\\left( 2, 3 \\right)}", "\\left( 2, 3 \\right)", "(2,3)"),
                Arguments.of("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{2}"),
                Arguments.of("\\boxed{\\boxed{9}}", "9", "9"),
                Arguments.of("Unclosed \\boxed{3 but the answer is 4.", "4", "4"),
                // answer phrases
                Arguments.of("The answer is 1,080.", "1,080", "1080"),
                Arguments.of("The final answer is $42$. I hope it is correct.", "42", "42"),
                Arguments.of("So the answer is **42**.", "42", "42"),
                Arguments.of("Answer: -3", "-3", "-3"),
                Arguments.of("FINAL ANSWER: 0.750", "0.750", "0.75"),
                Arguments.of("**Answer:** 17", "17", "17"),
                Arguments.of("The answer is: 3/4", "3/4", "0.75"),
                Arguments.of("The answer is $\\frac{3}{4}$.", "\\frac{3}{4}", "0.75"),
                Arguments.of("The answer is \\frac{3}{4}.", "\\frac{3}{4}", "0.75"),
                Arguments.of("The answer is $1,200.50 in total.", "$1,200.50", "1200.5"),
                Arguments.of("The answer is 50%.", "50", "50"),
                Arguments.of("The answer is \\(2.5\\)", "2.5", "2.5"),
                Arguments.of("The answer is 1.5e3.", "1.5e3", "1500"),
                Arguments.of("The answer is -0.", "-0", "0"),
                Arguments.of("The answer is\n\n12 apples", "12", "12"),
                Arguments.of("The answer is 7 because 3 + 4 = 7", "7", "7"),
                Arguments.of("The answer is 6. Then again, the answer is 9.", "9", "9"),
                Arguments.of("The answer is 6. I am sure the answer is correct.", "6", "6"),
                Arguments.of("answer = 13", "13", "13"),
                Arguments.of("The answer is $\\sqrt{2}$.", "\\sqrt{2}", "\\sqrt{2}"),
                // GSM8K
                Arguments.of(
                        "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and"
                                + " May.\n#### 72",
                        "72",
                        "72"),
                Arguments.of("Weng earns 12/60 = $0.2 per minute.\nShe earned 0.2 x 50 = $10.\n#### 10", "10", "10"),
                Arguments.of("It costs $1,080 in all.\n#### 1,080", "1,080", "1080"),
                Arguments.of("#### -4\n", "-4", "-4"),
                // the last number
                Arguments.of("Natalia sold 48/2 = 24 clips in May. Altogether 48+24 = 72 clips.", "72", "72"),
                Arguments.of("It is 42.", "42", "42"),
                Arguments.of("So x = -5", "-5", "-5"),
                Arguments.of("10-5 leaves 5", "5", "5"),
                Arguments.of("Compute 10-3", "3", "3"),
                Arguments.of("The values are 1,2", "2", "2"),
                Arguments.of("Then 2,3456 follows", "3456", "3456"),
                Arguments.of("The bill is $1,200.50.", "$1,200.50", "1200.5"),
                Arguments.of("Roughly 0.5 of them, i.e. .5", ".5", "0.5"),
                Arguments.of("Each gets 2/3", "2/3", "0.666666666667"),
                Arguments.of("Each gets 1/3 of it", "1/3", "0.333333333333"),
                Arguments.of("A third is 0.333333333333333", "0.333333333333333", "0.333333333333"),
                Arguments.of("It is 3.14159265358979", "3.14159265358979", "3.14159265359"),
                Arguments.of(
                        "Exactly 123456789012345678901234567890",
                        "123456789012345678901234567890",
                        "123456789012345678901234567890"),
                Arguments.of("We get 10.000", "10.000", "10"),
                Arguments.of("Divide by zero: 5/0", "0", "0"),
                Arguments.of("minus \u22127", "\u22127", "-7"),
                Arguments.of("1e5 cells", "1e5", "100000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void extractsRawAndCanonicalNumber(String response, String raw, String canonical) {
        var answer = extractor.extract(AnswerKind.MATH, response);

        assertThat(answer).contains(new Answer(AnswerKind.MATH, raw, canonical));
    }

    static Stream<String> unanswered() {
        return Stream.of(
                "",
                "   ",
                "I do not know.",
                "The answer is 1e999999999",
                "It is 1e999999999",
                "Here: " + "9".repeat(101),
                "\\boxed{" + "9".repeat(101) + "}",
                "\\boxed{1e999999999} but the answer is 4",
                "\\boxed{ }");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unanswered")
    void findsNoAnswer(String response) {
        var answer = extractor.extract(AnswerKind.MATH, response);

        assertThat(answer).isEmpty();
    }

    @Test
    void acceptsExactlyOneHundredDigits() {
        String hundred = "1" + "0".repeat(99);

        var answer = extractor.extract(AnswerKind.MATH, "It is " + hundred);

        assertThat(answer).map(Answer::canonical).contains(hundred);
    }

    @Test
    void numericValueOfExpressionIsEmptyAndOfNumberIsTheValue() {
        var number = extractor.extract(AnswerKind.MATH, "The answer is 3/4.").orElseThrow();
        var expression = extractor.extract(AnswerKind.MATH, "\\boxed{\\pi}").orElseThrow();

        assertThat(number.numericValue()).contains(new BigDecimal("0.75"));
        assertThat(expression.numericValue()).isEmpty();
    }
}
