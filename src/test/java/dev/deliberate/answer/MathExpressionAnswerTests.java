package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An answer phrase, a {@code \boxed{}} or a {@code final answer:} states a whole expression, not its first number:
 * {@code The answer is \sqrt{2}} must never vote for 2.
 */
class MathExpressionAnswerTests {

    private static final List<String> PHRASES =
            List.of("The answer is ", "The final answer is ", "Final answer: ", "**Answer:** ", "answer = ");
    private static final int CASES = 200;

    private final AnswerExtractor extractor = new AnswerExtractor();

    static Stream<Arguments> expressions() {
        return Stream.of(
                // the reported cases
                Arguments.of("The answer is \\sqrt{2}", "\\sqrt{2}", "\\sqrt{2}"),
                Arguments.of("The answer is 10^6", "10^6", "1000000"),
                Arguments.of("The answer is 2\\pi", "2\\pi", "2\\pi"),
                Arguments.of("The answer is 3 + 4 = 7", "7", "7"),
                Arguments.of("The answer is 42 = 6 x 7", "42 = 6 x 7", "42"),
                Arguments.of("\\boxed{42 = 6 \\times 7}", "42 = 6 \\times 7", "42"),
                // the same through "final answer:" phrasings
                Arguments.of("Final answer: \\sqrt{2}.", "\\sqrt{2}", "\\sqrt{2}"),
                Arguments.of("The final answer is 10^6.", "10^6", "1000000"),
                Arguments.of("FINAL ANSWER: 2\\pi", "2\\pi", "2\\pi"),
                Arguments.of("**Final Answer:** 3 + 4 = 7", "7", "7"),
                // the same inside \boxed{}
                Arguments.of("\\boxed{10^6}", "10^6", "1000000"),
                Arguments.of("\\boxed{10^{6}}", "10^{6}", "1000000"),
                Arguments.of("\\boxed{2\\pi}", "2\\pi", "2\\pi"),
                Arguments.of("\\boxed{3 + 4 = 7}", "3 + 4 = 7", "7"),
                Arguments.of("\\boxed{x = y = 5}", "x = y = 5", "5"),
                Arguments.of("\\boxed{\\sqrt 2}", "\\sqrt 2", "\\sqrt{2}"),
                // square roots written every way share one key
                Arguments.of("The answer is \\sqrt 2.", "\\sqrt 2", "\\sqrt{2}"),
                Arguments.of("The answer is \\sqrt2", "\\sqrt2", "\\sqrt{2}"),
                Arguments.of("The answer is \u221a2", "\u221a2", "\\sqrt{2}"),
                Arguments.of("The answer is sqrt(2).", "sqrt(2)", "\\sqrt{2}"),
                Arguments.of("The answer is 3\\sqrt{2} apples", "3\\sqrt{2}", "3\\sqrt{2}"),
                Arguments.of("The answer is \\frac{\\sqrt{3}}{2}.", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{3}}{2}"),
                // pi every way
                Arguments.of("The answer is 2 \\pi.", "2 \\pi", "2\\pi"),
                Arguments.of("The answer is 2\u03c0", "2\u03c0", "2\\pi"),
                Arguments.of("The answer is 2pi", "2pi", "2\\pi"),
                Arguments.of("The answer is 2 pi.", "2 pi", "2\\pi"),
                Arguments.of("The answer is \\pi r^2", "\\pi r^2", "\\pi r^2"),
                // powers
                Arguments.of("The answer is 2^{10}.", "2^{10}", "1024"),
                Arguments.of("The answer is 10**6", "10**6", "1000000"),
                Arguments.of("The answer is -2^2", "-2^2", "-4"),
                Arguments.of("The answer is 10^{-3}", "10^{-3}", "0.001"),
                Arguments.of("The answer is 3 \\times 10^8 m/s.", "3 \\times 10^8", "300000000"),
                Arguments.of("The answer is 1.5 \u00d7 10^3.", "1.5 \u00d7 10^3", "1500"),
                Arguments.of("The answer is 2^{1/2}", "2^{1/2}", "2^{1/2}"),
                Arguments.of("The answer is x^2", "x^2", "x^2"),
                Arguments.of("The answer is 10^{1000}", "10^{1000}", "10^{1000}"),
                Arguments.of("The answer is 999^{100}", "999^{100}", "999^{100}"),
                Arguments.of(
                        "The answer is 9^{100}",
                        "9^{100}",
                        BigInteger.valueOf(9).pow(100).toString()),
                Arguments.of("The answer is 25 m^2.", "25", "25"),
                Arguments.of("\\boxed{10^{100}}", "10^{100}", "1" + "0".repeat(100)),
                // chains: the last side is the result
                Arguments.of("The answer is 10 - 3 = 7.", "7", "7"),
                Arguments.of("The answer is 1/2 + 1/3 = 5/6", "5/6", "0.833333333333"),
                Arguments.of("The answer is 6 x 7 = 42.", "42", "42"),
                Arguments.of("The answer is 12 * 2 = 24 cookies", "24", "24"),
                Arguments.of("The answer is 1,000 + 24 = 1,024.", "1,024", "1024"),
                Arguments.of("The answer is x = 5.", "5", "5"),
                Arguments.of("The answer is f(3) = 10", "10", "10"),
                Arguments.of("The answer is total = 48 / 2 = 24", "24", "24"),
                Arguments.of("The answer is 2^{10} = 1024", "1024", "1024"),
                Arguments.of("The answer is x = \\sqrt{2}", "x = \\sqrt{2}", "\\sqrt{2}"),
                Arguments.of("\\boxed{x = \\sqrt{2}}", "x = \\sqrt{2}", "\\sqrt{2}"),
                // an equation or a list is the answer itself, never one of its numbers
                Arguments.of("The answer is x^2 + y^2 = 1", "x^2 + y^2 = 1", "x^2+y^2=1"),
                Arguments.of("\\boxed{x^2 + y^2 = 1}", "x^2 + y^2 = 1", "x^2+y^2=1"),
                Arguments.of("The answer is 2x = 6", "2x = 6", "2x=6"),
                Arguments.of("The answer is x = 3, y = 4.", "x = 3, y = 4", "x=3,y=4"),
                Arguments.of("\\boxed{x=3, y=4}", "x=3, y=4", "x=3,y=4"),
                Arguments.of("The answer is x <= 5", "x <= 5", "x<=5"),
                Arguments.of("The answer is x \\neq 5", "x \\neq 5", "x\\neq5"),
                Arguments.of("The answer is (2, 3).", "(2, 3)", "(2,3)"),
                Arguments.of("The answer is [0, 1)", "[0, 1)", "[0,1)"),
                Arguments.of("The answer is 5 + 3i", "5 + 3i", "5+3i"),
                Arguments.of("The answer is 2x", "2x", "2x"),
                Arguments.of("\\boxed{2 1/2}", "2 1/2", "2 1/2"),
                Arguments.of("The answer is 2(3+4)", "2(3+4)", "2(3+4)"),
                Arguments.of("The answer is 2 1/2 cups", "2 1/2", "2 1/2"),
                Arguments.of("The answer is 1 000 apples", "1 000", "1 000"),
                Arguments.of("The answer is 3:4.", "3:4", "3:4"),
                Arguments.of("Answer: 10 ** 6", "10 ** 6", "1000000"),
                Arguments.of("The answer is (3).", "3", "3"),
                Arguments.of("\\boxed{(-2)}", "(-2)", "-2"),
                Arguments.of("The answer is (see above) 5", "5", "5"),
                Arguments.of("It grew tenfold.\n#### 10^6", "10^6", "1000000"),
                Arguments.of("#### 3 + 4 = 7", "7", "7"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void readsTheWholeExpression(String response, String raw, String canonical) {
        var answer = extractor.extract(AnswerKind.MATH, response);

        assertThat(answer).contains(new Answer(AnswerKind.MATH, raw, canonical));
    }

    static Stream<Arguments> clauses() {
        return Stream.of(
                // a complete number followed by a clause break is the answer
                Arguments.of("The answer is 42 apples.", "42", "42"),
                Arguments.of("The answer is 7, since 3+4=7", "7", "7"),
                Arguments.of("The answer is 7; 3 + 4 = 7.", "7", "7"),
                Arguments.of("The answer is 7 because 3 + 4 = 7", "7", "7"),
                Arguments.of("The answer is 5 (five).", "5", "5"),
                Arguments.of("The answer is 5 - that is all.", "5", "5"),
                Arguments.of("The answer is 5cm", "5", "5"),
                Arguments.of("The answer is 42!", "42", "42"),
                Arguments.of("The answer is 0.333...", "0.333", "0.333"),
                Arguments.of("The answer is 3.5.", "3.5", "3.5"),
                Arguments.of("The answer is 1,000.", "1,000", "1000"),
                Arguments.of("The answer is 1,000, give or take.", "1,000", "1000"),
                Arguments.of("The answer is 42.\nLater: 3 + 4 = 7", "42", "42"),
                Arguments.of("The answer is 12\n+ 5 more lines", "12", "12"),
                Arguments.of("The answer is 50% of the total", "50", "50"),
                Arguments.of("The answer is 30\u00b0.", "30", "30"),
                Arguments.of("The answer is -\\frac{6}{4}", "-\\frac{6}{4}", "-1.5"),
                Arguments.of("The answer is \\frac12", "\\frac12", "0.5"),
                Arguments.of("So the answer is **10^6**.", "10^6", "1000000"),
                Arguments.of("So the answer is **x = 5**.", "5", "5"),
                // leading prose is skipped
                Arguments.of("The answer is approximately 3.14.", "3.14", "3.14"),
                Arguments.of("The answer is the number 12.", "12", "12"),
                Arguments.of("The answer is a total of 12 apples", "12", "12"),
                Arguments.of("The answer is approximately $3.14 each.", "$3.14", "3.14"),
                Arguments.of("The answer is `42`", "42", "42"),
                // a phrase whose words state nothing is skipped for an earlier one
                Arguments.of("The answer is 10^6. I hope the answer is correct.", "10^6", "1000000"),
                Arguments.of("The answer is \\sqrt{2}. The answer is x.", "\\sqrt{2}", "\\sqrt{2}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clauses")
    void stopsAtTheFirstClauseBreak(String response, String raw, String canonical) {
        var answer = extractor.extract(AnswerKind.MATH, response);

        assertThat(answer).contains(new Answer(AnswerKind.MATH, raw, canonical));
    }

    static Stream<Arguments> sameAnswers() {
        return Stream.of(
                Arguments.of("The answer is \\sqrt 2", "\\boxed{\\sqrt{2}}"),
                Arguments.of("Final answer: \u221a2", "The answer is $\\sqrt{2}$."),
                Arguments.of("The answer is 10^6", "The answer is 1,000,000."),
                Arguments.of("\\boxed{10^6}", "#### 1000000"),
                Arguments.of("The answer is 3 + 4 = 7", "\\boxed{7}"),
                Arguments.of("The answer is 2\\pi", "\\boxed{2 \\pi}"),
                Arguments.of("The answer is x = \\sqrt{2}", "\\boxed{\\sqrt{2}}"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("sameAnswers")
    void equalExpressionsShareTheKey(String one, String other) {
        var a = extractor.extract(AnswerKind.MATH, one).orElseThrow();
        var b = extractor.extract(AnswerKind.MATH, other).orElseThrow();

        assertThat(a.canonical()).isEqualTo(b.canonical());
    }

    static Stream<Arguments> notTheNumberInside() {
        return Stream.of(
                Arguments.of("The answer is \\sqrt{2}", "2"),
                Arguments.of("The answer is \\sqrt 2", "2"),
                Arguments.of("The answer is 2\\pi", "2"),
                Arguments.of("The answer is 2 pi", "2"),
                Arguments.of("The answer is 10^6", "10"),
                Arguments.of("The answer is 10^{1000}", "10"),
                Arguments.of("The answer is 3 + 4 = 7", "3"),
                Arguments.of("The answer is x^2 + y^2 = 1", "1"),
                Arguments.of("\\boxed{2 1/2}", "10.5"),
                Arguments.of("\\boxed{2\\sqrt{3}}", "2"),
                Arguments.of("The answer is 2 1/2", "2"),
                Arguments.of("The answer is 3:4", "3"),
                Arguments.of("#### 10^6", "10"));
    }

    @ParameterizedTest(name = "{0} is not {1}")
    @MethodSource("notTheNumberInside")
    void neverVotesForANumberInsideAnExpression(String response, String wrong) {
        var answer = extractor.extract(AnswerKind.MATH, response).orElseThrow();

        assertThat(answer.canonical()).isNotEqualTo(wrong);
    }

    @Test
    void expressionsHaveNoNumericValue() {
        var root = extractor.extract(AnswerKind.MATH, "The answer is \\sqrt{2}").orElseThrow();
        var power = extractor.extract(AnswerKind.MATH, "The answer is 10^6").orElseThrow();

        assertThat(root.numericValue()).isEmpty();
        assertThat(power.numericValue()).hasValueSatisfying(v -> assertThat(v).isEqualByComparingTo("1000000"));
    }

    static Stream<Arguments> scraps() {
        Random random = new Random(41L);
        List<String> pieces = List.of(
                "1", "23", "0", ".", ",", " ", "-", "+", "=", "^", "{", "}", "(", ")", "[", "\\sqrt", "\\frac", "\\pi",
                "\\times", "\\text{", "x", "pi", "apples", "*", "**", "%", "$", "/", "\n", "\u221a", "<", "!", "_",
                "and", "\\");
        return IntStream.range(0, CASES * 2).mapToObj(i -> {
            StringBuilder scrap = new StringBuilder();
            int length = random.nextInt(12);
            for (int k = 0; k < length; k++) {
                scrap.append(pieces.get(random.nextInt(pieces.size())));
            }
            return Arguments.of(PHRASES.get(random.nextInt(PHRASES.size())), scrap.toString());
        });
    }

    @ParameterizedTest(name = "{0}{1}")
    @MethodSource("scraps")
    void anyScrapAfterAPhraseOrInABoxIsReadWithoutFailing(String phrase, String scrap) {
        var stated = extractor.extract(AnswerKind.MATH, phrase + scrap);
        var boxed = extractor.extract(AnswerKind.MATH, "\\boxed{" + scrap + "}");

        stated.ifPresent(answer -> assertThat(answer.canonical()).isNotBlank().doesNotContain("\n"));
        boxed.ifPresent(answer -> assertThat(answer.canonical()).isNotBlank());
    }

    static Stream<Arguments> integerPowers() {
        Random random = new Random(20260207L);
        return IntStream.range(0, CASES)
                .mapToObj(i -> Arguments.of(
                        1 + random.nextInt(99), random.nextInt(31), PHRASES.get(random.nextInt(PHRASES.size()))));
    }

    @ParameterizedTest(name = "{2}{0}^{1}")
    @MethodSource("integerPowers")
    void evaluatesSmallIntegerPowersAfterAnyPhrase(int base, int exponent, String phrase) {
        String expected = BigInteger.valueOf(base).pow(exponent).toString();

        var plain = extractor.extract(AnswerKind.MATH, phrase + base + "^" + exponent + ".");
        var braced = extractor.extract(AnswerKind.MATH, "\\boxed{" + base + "^{" + exponent + "}}");

        assertThat(plain).map(Answer::canonical).contains(expected);
        assertThat(braced).map(Answer::canonical).contains(expected);
    }

    static Stream<Arguments> sums() {
        Random random = new Random(31L);
        return IntStream.range(0, CASES)
                .mapToObj(i -> Arguments.of(
                        random.nextInt(2000) - 1000,
                        random.nextInt(1000),
                        PHRASES.get(random.nextInt(PHRASES.size())),
                        random.nextBoolean()));
    }

    @ParameterizedTest(name = "{2}{0} + {1}")
    @MethodSource("sums")
    void statedArithmeticGivesItsResultNeverItsFirstTerm(int a, int b, String phrase, boolean spaced) {
        String op = spaced ? " + " : "+";
        String eq = spaced ? " = " : "=";
        String result = Integer.toString(a + b);

        var answer = extractor.extract(AnswerKind.MATH, phrase + a + op + b + eq + result + ".");

        assertThat(answer).contains(new Answer(AnswerKind.MATH, result, result));
    }

    @ParameterizedTest(name = "{2}{0}, then {1}")
    @MethodSource("sums")
    void numberBeforeAClauseIsTheAnswer(int a, int b, String phrase, boolean comma) {
        String clause = comma ? ", since " + b + " + " + (a - b) + " = " + a : " apples because " + b + " - 1";

        var answer = extractor.extract(AnswerKind.MATH, phrase + a + clause + ".");

        assertThat(answer).map(Answer::canonical).contains(Integer.toString(a));
    }
}
