package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of extraction over generated inputs. Each generator is seeded, so a failure names a case that
 * reproduces; the edge cases (zero, one, minus one, long integers) are always included.
 */
class AnswerPropertyTests {

    private static final int CASES = 300;
    private static final List<String> WORDS = List.of(
            "A", "a", "B", "C", "so", "option", "is", "(D)", "wrong", "E.g.", "3", "4.5", "maybe", "I", "think");
    private static final String TEXT_CHARS = "aZ \t\n.,!?\"'*_`:$\\{}\u00e9\u2019\u201c\uff21\u00a0\u3002\u212b";

    private final AnswerExtractor extractor = new AnswerExtractor();
    private final AnswerEquivalence equivalence = AnswerEquivalence.DEFAULT;

    static Stream<Arguments> decimals() {
        Random random = new Random(20261129L);
        Stream<BigDecimal> edges =
                Stream.of(BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ONE.negate(), new BigDecimal("1000000"));
        Stream<BigDecimal> generated = IntStream.range(0, CASES).mapToObj(i -> decimal(random));
        return Stream.concat(edges, generated).map(n -> Arguments.of(n, random.nextBoolean(), prose(random)));
    }

    static Stream<Arguments> decimalPairs() {
        Random random = new Random(7L);
        return IntStream.range(0, CASES).mapToObj(i -> Arguments.of(decimal(random), decimal(random)));
    }

    static Stream<Arguments> fractions() {
        Random random = new Random(11L);
        return IntStream.range(0, CASES)
                .mapToObj(i -> Arguments.of(random.nextInt(2001) - 1000, 1 + random.nextInt(1000)));
    }

    static Stream<Arguments> texts() {
        Random random = new Random(13L);
        Stream<String> edges = Stream.of("The answer is: \"x\".", "", " ");
        Stream<String> generated = IntStream.range(0, CASES).mapToObj(i -> {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(41);
            for (int k = 0; k < length; k++) {
                text.append(TEXT_CHARS.charAt(random.nextInt(TEXT_CHARS.length())));
            }
            return text.toString().replace("Z", " the answer is ");
        });
        return Stream.concat(edges, generated).map(Arguments::of);
    }

    static Stream<Arguments> choices() {
        Random random = new Random(17L);
        return IntStream.range(0, CASES)
                .mapToObj(i -> Arguments.of(
                        (char) ('A' + random.nextInt(5)), prose(random), prose(random), random.nextBoolean()));
    }

    private static BigDecimal decimal(Random random) {
        BigInteger unscaled = new BigInteger(1 + random.nextInt(100), random);
        if (random.nextBoolean()) {
            unscaled = unscaled.negate();
        }
        return new BigDecimal(
                unscaled.mod(BigInteger.TEN.pow(30)).multiply(BigInteger.valueOf(unscaled.signum() < 0 ? -1 : 1)),
                random.nextInt(13));
    }

    private static String prose(Random random) {
        int count = random.nextInt(13);
        StringBuilder prose = new StringBuilder();
        for (int i = 0; i < count; i++) {
            prose.append(i == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
        }
        return prose.toString();
    }

    @ParameterizedTest
    @MethodSource("decimals")
    void extractsAnyNumberStatedAfterAnswerPhrase(BigDecimal n, boolean grouped, String prose) {
        String written = write(n, grouped);

        var answer = extractor.extract(AnswerKind.MATH, prose + " the answer is " + written + ".");

        assertThat(answer).isPresent();
        assertThat(answer.get().raw()).isEqualTo(written);
        assertThat(equivalence.equivalent(answer.get(), new Answer(AnswerKind.MATH, written, n.toPlainString())))
                .isTrue();
        assertThat(answer.get().numericValue().orElseThrow().subtract(n).abs())
                .isLessThanOrEqualTo(n.abs().multiply(new BigDecimal("1e-11")));
    }

    @ParameterizedTest
    @MethodSource("decimals")
    void integersKeepEveryDigit(BigDecimal n, boolean grouped, String prose) {
        BigInteger integer = n.toBigInteger();

        var answer = extractor.extract(AnswerKind.MATH, prose + "\n#### " + write(new BigDecimal(integer), grouped));

        assertThat(answer).map(Answer::canonical).contains(integer.toString());
    }

    @ParameterizedTest
    @MethodSource("fractions")
    void fractionsAndTheirDecimalsShareTheKey(int p, int q) {
        var fraction = extractor
                .extract(AnswerKind.MATH, "The answer is " + p + "/" + q)
                .orElseThrow();
        var latex = extractor
                .extract(AnswerKind.MATH, "\\boxed{\\frac{" + p + "}{" + q + "}}")
                .orElseThrow();
        var decimal = extractor
                .extract(AnswerKind.MATH, "The answer is " + fraction.canonical())
                .orElseThrow();

        assertThat(latex.canonical()).isEqualTo(fraction.canonical());
        assertThat(decimal.canonical()).isEqualTo(fraction.canonical());
        assertThat(equivalence.equivalent(fraction, decimal)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("decimals")
    void mathCanonicalIsIdempotent(BigDecimal n, boolean grouped, String prose) {
        var first = extractor
                .extract(AnswerKind.MATH, "So it is " + write(n, grouped) + " in the end.")
                .orElseThrow();

        var again = extractor.extract(AnswerKind.MATH, first.canonical()).orElseThrow();

        assertThat(again.canonical()).isEqualTo(first.canonical());
    }

    @ParameterizedTest
    @MethodSource("texts")
    void textCanonicalIsIdempotent(String response) {
        var first = extractor.extract(AnswerKind.TEXT, response);

        first.ifPresent(answer -> assertThat(extractor.extract(AnswerKind.TEXT, answer.canonical()))
                .map(Answer::canonical)
                .contains(answer.canonical()));
    }

    @ParameterizedTest
    @MethodSource("texts")
    void codeCanonicalIsIdempotent(String code) {
        // Code holding a fence line cannot round-trip through markdown at all.
        if (code.contains("```") || code.contains("~~~")) {
            return;
        }
        var first = extractor.extract(AnswerKind.CODE, "Solution:\n```python\n" + code + "\n```\n");

        first.ifPresent(answer -> assertThat(extractor.extract(AnswerKind.CODE, answer.canonical()))
                .map(Answer::canonical)
                .contains(answer.canonical()));
    }

    @ParameterizedTest
    @MethodSource("decimalPairs")
    void equivalenceIsReflexiveAndSymmetric(BigDecimal x, BigDecimal y) {
        var a = extractor
                .extract(AnswerKind.MATH, "The answer is " + x.toPlainString())
                .orElseThrow();
        var b = extractor
                .extract(AnswerKind.MATH, "The answer is " + y.toPlainString())
                .orElseThrow();
        var nearA = extractor
                .extract(
                        AnswerKind.MATH,
                        "The answer is " + x.add(x.abs().movePointLeft(9)).toPlainString())
                .orElseThrow();

        assertThat(equivalence.equivalent(a, a)).isTrue();
        assertThat(equivalence.equivalent(a, b)).isEqualTo(equivalence.equivalent(b, a));
        assertThat(equivalence.equivalent(a, nearA)).isTrue().isEqualTo(equivalence.equivalent(nearA, a));
    }

    @ParameterizedTest
    @MethodSource("choices")
    void statedChoiceWinsOverLettersInProse(char letter, String before, String after, boolean lowerCase) {
        String written = lowerCase ? String.valueOf(Character.toLowerCase(letter)) : String.valueOf(letter);

        var answer = extractor.extract(AnswerKind.CHOICE, before + "\nThe answer is (" + written + ").\n" + after);

        assertThat(answer).map(Answer::canonical).contains(String.valueOf(letter));
    }

    private static String write(BigDecimal n, boolean grouped) {
        DecimalFormat format = new DecimalFormat("#,##0.############", DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setGroupingUsed(grouped);
        format.setMaximumFractionDigits(n.scale());
        format.setParseBigDecimal(true);
        return format.format(n);
    }
}
