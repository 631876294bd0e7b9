package dev.deliberate.answer;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether two answers are the same. Numeric {@link AnswerKind#MATH} answers match when they differ by at most
 * {@code absoluteTolerance}, or by at most {@code relativeTolerance} times the larger magnitude; every other pair
 * matches only on equal kind and equal {@link Answer#canonical()}. Equal canonical keys always match, so grouping by
 * the key never splits answers this class calls equal, except numbers that differ in their twelfth significant digit
 * or beyond.
 *
 * <p>Immutable and thread-safe.
 *
 * @param relativeTolerance finite, at least 0
 * @param absoluteTolerance finite, at least 0
 */
public record AnswerEquivalence(double relativeTolerance, double absoluteTolerance) {

    /** Relative 1e-6 or absolute 1e-9. */
    public static final AnswerEquivalence DEFAULT = new AnswerEquivalence(1e-6, 1e-9);

    public AnswerEquivalence {
        requireTolerance(relativeTolerance, "relativeTolerance");
        requireTolerance(absoluteTolerance, "absoluteTolerance");
    }

    public boolean equivalent(Answer a, Answer b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.kind() != b.kind()) {
            return false;
        }
        if (a.canonical().equals(b.canonical())) {
            return true;
        }
        Optional<BigDecimal> x = a.numericValue();
        Optional<BigDecimal> y = b.numericValue();
        return x.isPresent() && y.isPresent() && close(x.get(), y.get());
    }

    private boolean close(BigDecimal x, BigDecimal y) {
        BigDecimal difference = x.subtract(y).abs();
        if (difference.compareTo(BigDecimal.valueOf(absoluteTolerance)) <= 0) {
            return true;
        }
        BigDecimal larger = x.abs().max(y.abs());
        return difference.compareTo(larger.multiply(BigDecimal.valueOf(relativeTolerance))) <= 0;
    }

    private static void requireTolerance(double value, String name) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + " must be finite and at least 0, was " + value);
        }
    }
}
