package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerEquivalenceTests {

    private final AnswerExtractor extractor = new AnswerExtractor();
    private final AnswerEquivalence equivalence = AnswerEquivalence.DEFAULT;

    private Answer math(String response) {
        return extractor.extract(AnswerKind.MATH, response).orElseThrow();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "3/4|0.75|0.75",
                "0.750|\\frac{3}{4}|0.75",
                "1,234|1234.0|1234",
                "-0|0|0",
                "$50|50%|50",
                "1/3|0.333333333333|0.333333333333",
                "2/3|0.6666666666667|0.666666666667"
            })
    void numericallyEqualMathAnswersShareTheCanonicalKey(String left, String right, String key) {
        var a = math("The answer is " + left);
        var b = math("The answer is " + right);

        assertThat(a.canonical()).isEqualTo(key);
        assertThat(b.canonical()).isEqualTo(key);
        assertThat(equivalence.equivalent(a, b)).isTrue();
    }

    @Test
    void toleratesRelativeDifferenceWithinOnePartPerMillion() {
        var a = math("The answer is 1000000");

        assertThat(equivalence.equivalent(a, math("The answer is 1000000.5"))).isTrue();
        assertThat(equivalence.equivalent(a, math("The answer is 1000001.5"))).isFalse();
    }

    @Test
    void toleratesAbsoluteDifferenceNearZero() {
        var zero = math("The answer is 0");

        assertThat(equivalence.equivalent(zero, math("The answer is 0.0000000001")))
                .isTrue();
        assertThat(equivalence.equivalent(zero, math("The answer is 0.00000001")))
                .isFalse();
    }

    @Test
    void zeroToleranceNeedsEqualValues() {
        var exact = new AnswerEquivalence(0, 0);

        assertThat(exact.equivalent(math("1/3"), math("0.333333333333"))).isTrue();
        assertThat(exact.equivalent(math("1/3"), math("0.3333333333"))).isFalse();
    }

    @Test
    void expressionsMatchOnlyOnEqualKeys() {
        var a = math("\\boxed{\\frac{\\sqrt{3}}{2}}");
        var b = math("\\boxed{\\dfrac{\\sqrt{3}}{2}}");
        var c = math("\\boxed{\\sqrt{3}/2}");

        assertThat(equivalence.equivalent(a, b)).isTrue();
        assertThat(equivalence.equivalent(a, c)).isFalse();
    }

    @Test
    void differentKindsNeverMatch() {
        var text = new Answer(AnswerKind.TEXT, "4", "4");

        assertThat(equivalence.equivalent(math("4"), text)).isFalse();
    }

    @Test
    void choiceAndTextMatchOnCanonicalKeys() {
        var b1 = extractor.extract(AnswerKind.CHOICE, "The answer is (b)").orElseThrow();
        var b2 = extractor.extract(AnswerKind.CHOICE, "**B**").orElseThrow();
        var paris =
                extractor.extract(AnswerKind.TEXT, "The answer is \"Paris\".").orElseThrow();
        var rome = extractor.extract(AnswerKind.TEXT, "Rome").orElseThrow();

        assertThat(equivalence.equivalent(b1, b2)).isTrue();
        assertThat(equivalence.equivalent(
                        paris, extractor.extract(AnswerKind.TEXT, "PARIS").orElseThrow()))
                .isTrue();
        assertThat(equivalence.equivalent(paris, rome)).isFalse();
    }

    @Test
    void rejectsNegativeOrNonFiniteTolerance() {
        assertThatThrownBy(() -> new AnswerEquivalence(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relativeTolerance");
        assertThatThrownBy(() -> new AnswerEquivalence(0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absoluteTolerance");
    }
}
