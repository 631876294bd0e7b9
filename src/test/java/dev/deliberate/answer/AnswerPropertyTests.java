package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;

class AnswerPropertyTests {

    private final AnswerExtractor extractor = new AnswerExtractor();
    private final AnswerEquivalence equivalence = AnswerEquivalence.DEFAULT;

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                .edgeCases(edges -> edges.includeOnly(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate()));
        return Combinators.combine(unscaled, Arbitraries.integers().between(0, 12))
                .as(BigDecimal::new);
    }

    @Property(tries = 300)
    void extractsAnyNumberStatedAfterAnswerPhrase(
            @ForAll("decimals") BigDecimal n, @ForAll boolean grouped, @ForAll("prose") String prose) {
        String written = write(n, grouped);

        var answer = extractor.extract(AnswerKind.MATH, prose + " the answer is " + written + ".");

        assertThat(answer).isPresent();
        assertThat(answer.get().raw()).isEqualTo(written);
        assertThat(equivalence.equivalent(answer.get(), new Answer(AnswerKind.MATH, written, n.toPlainString())))
                .isTrue();
        assertThat(answer.get().numericValue().orElseThrow().subtract(n).abs())
                .isLessThanOrEqualTo(n.abs().multiply(new BigDecimal("1e-11")));
    }

    @Property(tries = 300)
    void integersKeepEveryDigit(@ForAll("decimals") BigDecimal n, @ForAll boolean grouped) {
        BigInteger integer = n.toBigInteger();

        var answer = extractor.extract(AnswerKind.MATH, "#### " + write(new BigDecimal(integer), grouped));

        assertThat(answer).map(Answer::canonical).contains(integer.toString());
    }

    @Property(tries = 300)
    void fractionsAndTheirDecimalsShareTheKey(
            @ForAll @IntRange(min = -1000, max = 1000) int p, @ForAll @IntRange(min = 1, max = 1000) int q) {
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

    @Property(tries = 300)
    void mathCanonicalIsIdempotent(@ForAll("decimals") BigDecimal n, @ForAll boolean grouped) {
        var first = extractor
                .extract(AnswerKind.MATH, "So it is " + write(n, grouped) + " in the end.")
                .orElseThrow();

        var again = extractor.extract(AnswerKind.MATH, first.canonical()).orElseThrow();

        assertThat(again.canonical()).isEqualTo(first.canonical());
    }

    @Property(tries = 300)
    void textCanonicalIsIdempotent(@ForAll("texts") String response) {
        var first = extractor.extract(AnswerKind.TEXT, response);

        first.ifPresent(answer -> assertThat(extractor.extract(AnswerKind.TEXT, answer.canonical()))
                .map(Answer::canonical)
                .contains(answer.canonical()));
    }

    @Property(tries = 200)
    void codeCanonicalIsIdempotent(@ForAll("texts") String code) {
        // Code holding a fence line cannot round-trip through markdown at all.
        Assume.that(!code.contains("```") && !code.contains("~~~"));
        var first = extractor.extract(AnswerKind.CODE, "Solution:\n```python\n" + code + "\n```\n");

        first.ifPresent(answer -> assertThat(extractor.extract(AnswerKind.CODE, answer.canonical()))
                .map(Answer::canonical)
                .contains(answer.canonical()));
    }

    @Property(tries = 300)
    void equivalenceIsReflexiveAndSymmetric(@ForAll("decimals") BigDecimal x, @ForAll("decimals") BigDecimal y) {
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

    @Property(tries = 300)
    void stateChoiceWinsOverLettersInProse(
            @ForAll @CharRange(from = 'A', to = 'E') char letter,
            @ForAll("prose") String before,
            @ForAll("prose") String after,
            @ForAll boolean lowerCase) {
        String written = lowerCase ? String.valueOf(Character.toLowerCase(letter)) : String.valueOf(letter);

        var answer = extractor.extract(AnswerKind.CHOICE, before + "\nThe answer is (" + written + ").\n" + after);

        assertThat(answer).map(Answer::canonical).contains(String.valueOf(letter));
    }

    @Provide
    Arbitrary<String> prose() {
        Arbitrary<String> word = Arbitraries.of(
                "A", "a", "B", "C", "so", "option", "is", "(D)", "wrong", "E.g.", "3", "4.5", "maybe", "I", "think");
        return word.list().ofMaxSize(12).map(words -> String.join(" ", words));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings()
                .withChars("aZ \t\n.,!?\"'*_`:$\\{}")
                .withChars('\u00e9', '\u2019', '\u201c', '\uff21', '\u00a0', '\u3002', '\u212b')
                .ofMaxLength(40)
                .injectDuplicates(0.1)
                .edgeCases(edges -> edges.add("The answer is: \"x\"."))
                .map(s -> s.replace("Z", " the answer is "));
    }

    private static String write(BigDecimal n, boolean grouped) {
        DecimalFormat format = new DecimalFormat("#,##0.############", DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setGroupingUsed(grouped);
        format.setMaximumFractionDigits(n.scale());
        format.setParseBigDecimal(true);
        return format.format(n);
    }
}
