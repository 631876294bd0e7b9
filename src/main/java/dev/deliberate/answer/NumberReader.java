package dev.deliberate.answer;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.jspecify.annotations.Nullable;

/**
 * Reads numbers as models write them: {@code 42}, {@code -3}, {@code 1,234,567}, {@code 0.5}, {@code .5},
 * {@code 1.5e3}, {@code $1,200.50}, {@code 3/4} and {@code \frac{3}{4}}. One forward pass, no regular expressions, so
 * reading is linear in the text whatever it holds.
 *
 * <p>A number with more than {@link #MAX_DIGITS} digits or an exponent beyond {@link #MAX_EXPONENT} is read as a
 * token without a value (rejected) instead of being turned into a huge {@link BigDecimal}.
 */
final class NumberReader {

    static final int MAX_DIGITS = 100;
    static final int MAX_EXPONENT = 100;

    /** Non-integers keep this many significant digits, so {@code 1/3} and {@code 0.333333333333} share a key. */
    static final MathContext SIGNIFICANT = new MathContext(12, RoundingMode.HALF_UP);

    // Canonical strings are at most ~200 characters (100 digits, exponent 100); anything longer is not one of ours.
    private static final int MAX_CANONICAL_LENGTH = 2 * MAX_DIGITS + MAX_EXPONENT + 8;

    private NumberReader() {}

    /** A number in a text: {@code [start, end)} and its value, or a null value when it was rejected as too large. */
    record NumberToken(int start, int end, @Nullable BigDecimal value) {}

    /** The first number that starts in {@code [from, to)}, read no further than {@code to}. */
    static @Nullable NumberToken first(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            NumberToken token = candidateAt(s, i, to, true);
            if (token != null) {
                return token;
            }
        }
        return null;
    }

    /** The number that starts exactly at {@code i} (a sign is not read), or null when none does. */
    static @Nullable NumberToken startingAt(CharSequence s, int i, int to) {
        return read(s, i, to, false, true);
    }

    /** The last number in {@code [from, to)}. */
    static @Nullable NumberToken last(CharSequence s, int from, int to) {
        // Skim without building values (a megabyte of "1," holds half a million numbers), then read the last one.
        int lastStart = -1;
        int i = from;
        while (i < to) {
            NumberToken token = candidateAt(s, i, to, false);
            if (token == null) {
                i++;
            } else {
                lastStart = i;
                i = token.end();
            }
        }
        return lastStart < 0 ? null : candidateAt(s, lastStart, to, true);
    }

    /** The number that spans all of {@code s}, or null when {@code s} is anything more or less than one number. */
    static @Nullable NumberToken whole(CharSequence s) {
        NumberToken token = read(s, 0, s.length(), true, true);
        return token != null && token.end() == s.length() ? token : null;
    }

    /** The canonical key of a value: plain decimal, no trailing zeros, non-integers to 12 significant digits. */
    static String canonical(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        if (v.signum() == 0) {
            return "0";
        }
        if (v.scale() > 0) {
            v = v.round(SIGNIFICANT).stripTrailingZeros();
        }
        return v.toPlainString();
    }

    /** Whether {@code s} has the shape {@link #canonical} produces: {@code -?digits(.digits)?}. */
    static boolean isCanonicalNumber(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_CANONICAL_LENGTH) {
            return false;
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        int digitsBefore = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digitsBefore++;
        }
        if (digitsBefore == 0) {
            return false;
        }
        if (i == n) {
            return true;
        }
        if (s.charAt(i) != '.') {
            return false;
        }
        i++;
        int digitsAfter = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digitsAfter++;
        }
        return digitsAfter > 0 && i == n;
    }

    private static @Nullable NumberToken candidateAt(CharSequence s, int i, int to, boolean build) {
        char c = s.charAt(i);
        char before = i > 0 ? s.charAt(i - 1) : ' ';
        if (isDigit(c) || c == '$' || c == '\\') {
            return read(s, i, to, false, build);
        }
        if (c == '.' && !Character.isLetterOrDigit(before)) {
            return read(s, i, to, false, build);
        }
        // A minus is a sign only where it cannot be subtraction: "x = -5", "(-5", not "10-5" or "x-5".
        if ((c == '-' || c == '\u2212') && !Character.isLetterOrDigit(before) && ")]}".indexOf(before) < 0) {
            return read(s, i, to, false, build);
        }
        return null;
    }

    /** With {@code build} false only the extent is found; the token's value is then null. */
    private static @Nullable NumberToken read(CharSequence s, int start, int to, boolean allowPlus, boolean build) {
        int i = start;
        boolean negative = false;
        char c = at(s, i, to);
        if (c == '-' || c == '\u2212' || (allowPlus && c == '+')) {
            negative = c != '+';
            i++;
        }
        if (at(s, i, to) == '\\' && at(s, i + 1, to) == '$') {
            i += 2;
        } else if (at(s, i, to) == '$') {
            i++;
        }
        Part part;
        if (at(s, i, to) == '\\') {
            part = latexFraction(s, i, to, build);
        } else {
            part = decimal(s, i, to, build);
            if (part != null && at(s, part.end, to) == '/') {
                Part denominator = decimal(s, part.end + 1, to, build);
                if (denominator != null) {
                    Part fraction = divide(part, denominator, build);
                    if (fraction != null) {
                        part = fraction;
                    }
                }
            }
        }
        if (part == null) {
            return null;
        }
        BigDecimal value = part.value;
        if (value != null && negative) {
            value = value.negate();
        }
        return new NumberToken(start, part.end, value);
    }

    /** {@code \frac{a}{b}}, {@code \dfrac{a}{b}} or {@code \tfrac{a}{b}} with plain numbers a and b. */
    private static @Nullable Part latexFraction(CharSequence s, int i, int to, boolean build) {
        int j = i + 1;
        if (at(s, j, to) == 'd' || at(s, j, to) == 't') {
            j++;
        }
        if (!matches(s, j, to, "frac{")) {
            return null;
        }
        j += 5;
        Part numerator = signedDecimal(s, j, to, build);
        if (numerator == null || at(s, numerator.end, to) != '}' || at(s, numerator.end + 1, to) != '{') {
            return null;
        }
        Part denominator = signedDecimal(s, numerator.end + 2, to, build);
        if (denominator == null || at(s, denominator.end, to) != '}') {
            return null;
        }
        return divide(numerator, denominator.endingAt(denominator.end + 1), build);
    }

    private static @Nullable Part signedDecimal(CharSequence s, int i, int to, boolean build) {
        boolean negative = at(s, i, to) == '-' || at(s, i, to) == '\u2212';
        Part part = decimal(s, negative ? i + 1 : i, to, build);
        if (part == null || part.value == null || !negative) {
            return part;
        }
        return new Part(part.end, part.value.negate(), false, part.zero);
    }

    /** Digits with optional thousands groups, decimal part and exponent. */
    private static @Nullable Part decimal(CharSequence s, int i, int to, boolean build) {
        Digits digits = new Digits(build);
        int k = i;
        if (isDigit(at(s, k, to))) {
            int runEnd = digits.run(s, k, to);
            // "1,234,567" is one number, but only with a short leading group and groups of exactly three, so that
            // the list "1,2,3" and "2,3456" stay separate numbers.
            boolean mayGroup = runEnd - k <= 3 && at(s, k, to) != '0';
            k = runEnd;
            while (mayGroup
                    && at(s, k, to) == ','
                    && isDigit(at(s, k + 1, to))
                    && isDigit(at(s, k + 2, to))
                    && isDigit(at(s, k + 3, to))
                    && !isDigit(at(s, k + 4, to))) {
                k = digits.run(s, k + 1, to);
            }
            if (at(s, k, to) == '.' && isDigit(at(s, k + 1, to))) {
                digits.point();
                k = digits.run(s, k + 1, to);
            }
        } else if (at(s, k, to) == '.' && isDigit(at(s, k + 1, to))) {
            digits.point();
            k = digits.run(s, k + 1, to);
        } else {
            return null;
        }
        int exponent = 0;
        boolean exponentTooLarge = false;
        char e = at(s, k, to);
        if (e == 'e' || e == 'E') {
            int j = k + 1;
            boolean negative = at(s, j, to) == '-';
            if (negative || at(s, j, to) == '+') {
                j++;
            }
            int expStart = j;
            while (isDigit(at(s, j, to))) {
                j++;
            }
            // "3eggs" or "2e5x" are not exponents; a word continuing after the digits rules it out.
            if (j > expStart && !Character.isLetter(at(s, j, to))) {
                if (j - expStart > 4) {
                    exponentTooLarge = true;
                } else {
                    exponent = Integer.parseInt(s.subSequence(expStart, j).toString());
                    exponentTooLarge = exponent > MAX_EXPONENT;
                    exponent = negative ? -exponent : exponent;
                }
                k = j;
            }
        }
        if (digits.count > MAX_DIGITS || exponentTooLarge) {
            return new Part(k, null, true, false);
        }
        BigDecimal value = build ? digits.value().scaleByPowerOfTen(exponent) : null;
        return new Part(k, value, false, !digits.nonZero);
    }

    private static @Nullable Part divide(Part numerator, Part denominator, boolean build) {
        if (numerator.rejected || denominator.rejected) {
            return new Part(denominator.end, null, true, false);
        }
        if (denominator.zero) {
            return null;
        }
        if (!build || numerator.value == null || denominator.value == null) {
            return new Part(denominator.end, null, false, numerator.zero);
        }
        BigDecimal quotient;
        try {
            quotient = numerator.value.divide(denominator.value);
        } catch (ArithmeticException nonTerminating) {
            quotient = numerator.value.divide(denominator.value, SIGNIFICANT);
        }
        return new Part(denominator.end, quotient, false, numerator.zero);
    }

    private static boolean matches(CharSequence s, int i, int to, String literal) {
        if (i + literal.length() > to) {
            return false;
        }
        for (int k = 0; k < literal.length(); k++) {
            if (s.charAt(i + k) != literal.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static char at(CharSequence s, int i, int to) {
        return i < to ? s.charAt(i) : '\0';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Part of a number; {@code value} is null when rejected or not built. */
    private record Part(int end, @Nullable BigDecimal value, boolean rejected, boolean zero) {

        Part endingAt(int newEnd) {
            return new Part(newEnd, value, rejected, zero);
        }
    }

    /** Collects digits up to the limit but keeps counting, so an oversized number is consumed and then rejected. */
    private static final class Digits {
        // Only built when asked for: skimming a megabyte of "1," should allocate next to nothing per number.
        final @Nullable StringBuilder text;
        int count;
        boolean nonZero;

        Digits(boolean build) {
            this.text = build ? new StringBuilder() : null;
        }

        int run(CharSequence s, int i, int to) {
            int k = i;
            while (k < to && isDigit(s.charAt(k))) {
                char c = s.charAt(k);
                if (text != null && count < MAX_DIGITS) {
                    text.append(c);
                }
                nonZero |= c != '0';
                count++;
                k++;
            }
            return k;
        }

        void point() {
            if (text == null) {
                return;
            }
            if (text.length() == 0) {
                text.append('0');
            }
            text.append('.');
        }

        BigDecimal value() {
            if (text == null) {
                throw new IllegalStateException("digits were skimmed, not built");
            }
            return new BigDecimal(text.toString());
        }
    }
}
