package dev.deliberate.answer;

import dev.deliberate.answer.NumberReader.NumberToken;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@link AnswerKind#MATH} answer. In order of preference: the last {@code \boxed{}}, the last answer phrase
 * that states a number or an expression, the last GSM8K {@code ####} line that states one, the last number in the
 * text. What a phrase states is its whole expression ({@code \sqrt{2}}, {@code 10^6}, {@code 3 + 4 = 7}), never just
 * the first number in it.
 */
final class MathAnswerReader {

    /** A number with nothing else: digits, an optional sign, decimal point and thousands separators. */
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?\\d[\\d,]*(\\.\\d+)?");

    /** Longer boxed or delimited content is not an answer; the bound keeps normalisation cheap. */
    static final int MAX_LATEX_LENGTH = 10_000;

    /** Longer expressions (non-numeric answers) are not answers either. */
    static final int MAX_EXPRESSION_LENGTH = 1_000;

    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?![A-Za-z])");
    // [^{}]* stops at the next brace, so each match scans only its own wrapper.
    private static final Pattern WRAPPER =
            Pattern.compile("\\\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\\s*\\{([^{}]*)\\}");

    private static final String[][] DELIMITERS = {{"$$", "$$"}, {"$", "$"}, {"\\(", "\\)"}, {"\\[", "\\]"}};

    private MathAnswerReader() {}

    static Optional<Answer> read(String text) {
        Span boxed = AnswerMarkers.lastBoxed(text);
        if (boxed != null) {
            // The boxed answer is the model's own final word: when it is unreadable there is no answer.
            return fromLatex(boxed.of(text));
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterAnswerPhrases(text)) {
            Optional<Answer> answer = fromPhrase(text, marked.line());
            if (answer.isPresent()) {
                return answer;
            }
        }
        for (AnswerMarkers.Marked marked : AnswerMarkers.afterGsm8kMarks(text)) {
            Optional<Answer> answer = fromPhrase(text, marked.line());
            if (answer.isPresent()) {
                return answer;
            }
        }
        NumberToken last = NumberReader.last(text, 0, text.length());
        return last == null || last.value() == null ? Optional.empty() : Optional.of(number(text, last));
    }

    /**
     * The answer after a phrase. Leading prose ("approximately", "the number") is skipped; then a math-delimited
     * segment ({@code $...$}, {@code \(...\)}, {@code \[...\]}) if one opens there, else the whole expression up to
     * the first clause break (see {@link PhraseExpression}), read like boxed content. A numeric answer keeps the
     * number as written for its raw form when the expression ends in it ({@code 3 + 4 = 7} shows {@code 7}).
     */
    private static Optional<Answer> fromPhrase(String text, Span span) {
        int start = PhraseExpression.skipProse(text, span.start(), span.end());
        Span segment = delimited(text, new Span(start, span.end()));
        if (segment != null) {
            Optional<Answer> answer = fromLatex(segment.of(text));
            boolean currency = text.charAt(start) == '$' && NumberReader.isDigit(charAt(text, start + 1));
            if (answer.isPresent() && (answer.get().numericValue().isPresent() || !currency)) {
                return answer;
            }
        }
        int end = PhraseExpression.end(text, start, span.end());
        if (!isMathLike(text, start, end)) {
            return Optional.empty();
        }
        Optional<Answer> answer = fromLatex(text.substring(start, end));
        if (answer.isEmpty() || answer.get().numericValue().isEmpty()) {
            return answer;
        }
        NumberToken last = NumberReader.last(text, start, end);
        BigDecimal value = last == null ? null : last.value();
        return value != null
                        && NumberReader.canonical(value).equals(answer.get().canonical())
                ? Optional.of(number(text, last))
                : answer;
    }

    /** Letters alone ("x", "correct") state no math answer; a digit, command, symbol or bracket does. */
    private static boolean isMathLike(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && (c > 0x7f || !Character.isLetter(c))) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable Span delimited(String text, Span span) {
        for (String[] pair : DELIMITERS) {
            if (text.startsWith(pair[0], span.start())) {
                int from = span.start() + pair[0].length();
                int close = indexOf(text, pair[1], from, span.end());
                return close < 0 ? null : new Span(from, close);
            }
        }
        return null;
    }

    /**
     * Reads LaTeX content such as {@code \frac{3}{4}}, {@code 1{,}000}, {@code 50\%}, {@code \$1,200.50},
     * {@code 72 \text{ clips}}, {@code 10^6} or {@code x = 5} as a number; anything else becomes an expression answer
     * whose key is the content (or the result side of an {@code =} chain) without blanks, sizing commands and text
     * wrappers.
     */
    static Optional<Answer> fromLatex(String content) {
        if (content.length() > MAX_LATEX_LENGTH) {
            return Optional.empty();
        }
        String raw = content.strip();
        String base = normalise(content);
        String unwrapped = WRAPPER.matcher(base).replaceAll("$1");
        String unitless = WRAPPER.matcher(base).replaceAll("");
        for (String candidate : new String[] {unwrapped, unitless}) {
            Optional<Optional<Answer>> numeric = reading(raw, candidate);
            String side = lastSide(candidate);
            if (numeric.isEmpty() && side != null) {
                numeric = reading(raw, side);
            }
            if (numeric.isPresent()) {
                return numeric.get();
            }
        }
        String side = lastSide(unwrapped);
        String expression = withoutBlanks(side == null ? unwrapped : side);
        if (expression.isEmpty() || expression.length() > MAX_EXPRESSION_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(new Answer(AnswerKind.MATH, raw, expression));
    }

    /**
     * One number, a power such as {@code 10^6}, either of them in parentheses, or either followed only by words
     * ({@code 72 clips}).
     */
    private static Optional<Optional<Answer>> reading(String raw, String candidate) {
        String compact = withoutBlanks(candidate);
        Optional<Optional<Answer>> numeric = numeric(raw, compact);
        if (numeric.isEmpty()
                && compact.startsWith("(")
                && PhraseExpression.groupEnd(compact, 0, compact.length()) == compact.length()) {
            // "(3)" is 3; "(2,3)" stays a pair because it is no single number.
            numeric = numeric(raw, compact.substring(1, compact.length() - 1));
        }
        return numeric.isPresent() ? numeric : numberWithWords(raw, candidate.strip());
    }

    /** Empty when {@code s} is neither one number nor an evaluable power; a present empty answer when out of range. */
    private static Optional<Optional<Answer>> numeric(String raw, String s) {
        Optional<Optional<Answer>> whole = wholeNumber(raw, s);
        if (whole.isPresent()) {
            return whole;
        }
        BigDecimal value = power(s);
        if (value == null) {
            return Optional.empty();
        }
        String canonical = NumberReader.canonical(value);
        // Too long for a canonical number (say 9^100 times a 100-digit mantissa): leave it an expression.
        return NumberReader.isCanonicalNumber(canonical)
                ? Optional.of(Optional.of(new Answer(AnswerKind.MATH, raw, canonical)))
                : Optional.empty();
    }

    /** Empty when {@code s} is not one number; a present empty answer when it is one but out of range. */
    private static Optional<Optional<Answer>> wholeNumber(String raw, String s) {
        NumberToken token = NumberReader.whole(s);
        if (token == null) {
            return Optional.empty();
        }
        BigDecimal value = token.value();
        return Optional.of(
                value == null
                        ? Optional.empty()
                        : Optional.of(new Answer(AnswerKind.MATH, raw, NumberReader.canonical(value))));
    }

    /**
     * The value of {@code b^e}, {@code b^{e}}, {@code m\times b^e} or {@code m\cdot b^e} (also {@code *} or
     * {@code x} for the product), with {@code b} plain digits (a decimal point allowed), {@code e} an integer of at
     * most {@link NumberReader#MAX_EXPONENT} and {@code m} one number. Null for anything else, including powers whose
     * result would need more than {@code MAX_DIGITS + MAX_EXPONENT} digits: those are never computed.
     */
    static @Nullable BigDecimal power(String s) {
        int caret = s.indexOf('^');
        if (caret < 0 || caret != s.lastIndexOf('^')) {
            return null;
        }
        String exponentText = s.substring(caret + 1);
        if (exponentText.length() >= 2 && exponentText.startsWith("{") && exponentText.endsWith("}")) {
            exponentText = exponentText.substring(1, exponentText.length() - 1);
        }
        Integer exponent = smallInteger(exponentText);
        if (exponent == null) {
            return null;
        }
        String left = s.substring(0, caret);
        BigDecimal factor = BigDecimal.ONE;
        int times = -1;
        int timesLength = 0;
        for (String product : new String[] {"\\times", "\\cdot", "*", "x", "X"}) {
            int at = left.lastIndexOf(product);
            if (at > times) {
                times = at;
                timesLength = product.length();
            }
        }
        if (times >= 0) {
            NumberToken mantissa = NumberReader.whole(left.substring(0, times));
            if (mantissa == null || mantissa.value() == null) {
                return null;
            }
            factor = mantissa.value();
            left = left.substring(times + timesLength);
        } else if (left.startsWith("-")) {
            factor = BigDecimal.ONE.negate();
            left = left.substring(1);
        }
        if (!isPlainDecimal(left)) {
            return null;
        }
        BigDecimal base = new BigDecimal(left);
        int magnitude = Math.abs(exponent);
        int digits = base.unscaledValue().toString().length();
        if ((long) digits * magnitude > NumberReader.MAX_DIGITS + NumberReader.MAX_EXPONENT
                || (base.signum() == 0 && exponent <= 0)) {
            return null;
        }
        BigDecimal raised = base.pow(magnitude);
        if (exponent < 0) {
            try {
                raised = BigDecimal.ONE.divide(raised);
            } catch (ArithmeticException nonTerminating) {
                raised = BigDecimal.ONE.divide(raised, NumberReader.SIGNIFICANT);
            }
        }
        return factor.multiply(raised);
    }

    private static @Nullable Integer smallInteger(String s) {
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        if (s.length() - i < 1 || s.length() - i > 4) {
            return null;
        }
        for (int k = i; k < s.length(); k++) {
            if (!NumberReader.isDigit(s.charAt(k))) {
                return null;
            }
        }
        int value = Integer.parseInt(s.substring(i));
        if (value > NumberReader.MAX_EXPONENT) {
            return null;
        }
        return s.startsWith("-") ? -value : value;
    }

    private static boolean isPlainDecimal(String s) {
        int digits = 0;
        int points = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (NumberReader.isDigit(c)) {
                digits++;
            } else if (c == '.') {
                points++;
            } else {
                return false;
            }
        }
        return digits > 0 && digits <= NumberReader.MAX_DIGITS && points <= 1 && !s.endsWith(".");
    }

    /** "72 clips", "5 cm": a number followed by blank-separated words of letters only. */
    private static Optional<Optional<Answer>> numberWithWords(String raw, String s) {
        int space = 0;
        while (space < s.length() && !Character.isWhitespace(s.charAt(space))) {
            space++;
        }
        if (space == s.length()) {
            return Optional.empty();
        }
        for (int i = space; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isLetter(c) && !Character.isWhitespace(c)) {
                return Optional.empty();
            }
        }
        return numeric(raw, s.substring(0, space));
    }

    /**
     * The result side of an {@code =} chain: {@code 3 + 4 = 7} and {@code x = y = 5} give the last side. Null when
     * there is no top-level {@code =}, when a top-level comma or inequality makes it a list or a condition
     * ({@code x=5, y=3}, {@code x <= 5}), or when an earlier side is neither a name ({@code x}, {@code f(3)},
     * {@code x_1}, {@code total}) nor plain arithmetic: in {@code x^2 + y^2 = 1} the equation is the answer, not 1.
     */
    static @Nullable String lastSide(String s) {
        int depth = 0;
        int sideStart = 0;
        int n = s.length();
        List<String> sides = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0) {
                if (c == ','
                        && !(i > 0
                                && NumberReader.isDigit(s.charAt(i - 1))
                                && NumberReader.isDigit(charAt(s, i + 1)))) {
                    return null;
                }
                if ("<>\u2264\u2265\u2260\u2248!".indexOf(c) >= 0) {
                    return null;
                }
                if (c == '=') {
                    if (charAt(s, i + 1) == '=') {
                        return null;
                    }
                    sides.add(s.substring(sideStart, i));
                    sideStart = i + 1;
                }
            }
        }
        if (sides.isEmpty()) {
            return null;
        }
        for (String side : sides) {
            String compact = withoutBlanks(side);
            if (compact.isEmpty() || !(isName(compact) || isLetterFree(compact))) {
                return null;
            }
        }
        String last = s.substring(sideStart).strip();
        // "42 = 6 x 7" states the result first and shows the working after it.
        String first = sides.get(0).strip();
        if (PLAIN_NUMBER.matcher(first).matches() && !PLAIN_NUMBER.matcher(last).matches()) {
            return first;
        }
        return last.isEmpty() ? null : last;
    }

    /** {@code x}, {@code total}, {@code \theta}, {@code x_1}, {@code a_{n}}, {@code f(3)}, {@code P(A)}. */
    private static boolean isName(String s) {
        int i = s.startsWith("\\") ? 1 : 0;
        int letters = i;
        while (i < s.length() && Character.isLetter(s.charAt(i))) {
            i++;
        }
        if (i == letters) {
            return false;
        }
        if (charAt(s, i) == '_') {
            int sub = i + 1;
            if (charAt(s, sub) == '{') {
                i = PhraseExpression.groupEnd(s, sub, s.length());
                if (i < 0) {
                    return false;
                }
            } else if (Character.isLetterOrDigit(charAt(s, sub))) {
                i = sub + 1;
            } else {
                return false;
            }
        }
        if (charAt(s, i) == '(') {
            i = PhraseExpression.groupEnd(s, i, s.length());
            if (i < 0) {
                return false;
            }
        }
        return i == s.length();
    }

    /** Arithmetic on numbers only: letters appear only in command names ({@code \frac}) or as "x" for times. */
    private static boolean isLetterFree(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                while (i + 1 < s.length() && Character.isLetter(s.charAt(i + 1))) {
                    i++;
                }
            } else if (Character.isLetter(c)) {
                boolean times = (c == 'x' || c == 'X')
                        && i > 0
                        && NumberReader.isDigit(s.charAt(i - 1))
                        && NumberReader.isDigit(charAt(s, i + 1));
                if (!times) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String normalise(String content) {
        String s = LEFT_RIGHT.matcher(content).replaceAll("");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replace("\u2212", "-").replace("\u00d7", "\\times ").replace("\u00b7", "\\cdot ");
        s = s.replace("\u00f7", "\\div ").replace("\u03c0", "\\pi ").replace("\u221a", "\\sqrt ");
        s = s.replace("\u221e", "\\infty ").replace("**", "^");
        s = bareArguments(spelledCommands(s));
        s = s.replace("{,}", ",");
        s = s.replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\:", "");
        s = s.replace("\\ ", " ");
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\u00b0", "");
        s = s.replace("\\%", "").replace("%", "");
        s = s.replace("\\$", "").replace("$", "");
        s = s.strip();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }

    /** The words "pi" and "sqrt" standing alone ("2 pi", "sqrt(2)") become {@code \\pi} and {@code \\sqrt}. */
    private static String spelledCommands(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (!Character.isLetter(c)) {
                b.append(c);
                i++;
                continue;
            }
            int end = i;
            while (end < s.length() && Character.isLetter(s.charAt(end))) {
                end++;
            }
            String word = s.substring(i, end);
            boolean command = i > 0 && s.charAt(i - 1) == '\\';
            if (!command && (word.equals("pi") || word.equals("sqrt"))) {
                b.append('\\');
            }
            b.append(word);
            i = end;
        }
        return b.toString();
    }

    /**
     * Braces the arguments LaTeX lets a writer leave bare, so that {@code \\sqrt 2}, {@code \\sqrt2} and
     * {@code \\sqrt(2)} read as {@code \\sqrt{2}}, and {@code \\frac12} as {@code \\frac{1}{2}}. A bare square
     * root takes a whole digit run ({@code \\sqrt 23} is {@code \\sqrt{23}}, as writers mean it); a bare fraction
     * takes one character per argument, as LaTeX does.
     */
    private static String bareArguments(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        int i = 0;
        int n = s.length();
        while (i < n) {
            boolean sqrt = s.startsWith("\\sqrt", i) && !Character.isLetter(charAt(s, i + 5));
            boolean frac = s.startsWith("\\frac", i) && !Character.isLetter(charAt(s, i + 5));
            if (!sqrt && !frac) {
                b.append(s.charAt(i++));
                continue;
            }
            b.append(s, i, i + 5);
            int arg = skipBlanks(s, i + 5);
            char c = charAt(s, arg);
            if (sqrt && NumberReader.isDigit(c)) {
                int end = arg;
                while (end < n && NumberReader.isDigit(s.charAt(end))) {
                    end++;
                }
                b.append('{').append(s, arg, end).append('}');
                i = end;
            } else if (sqrt && Character.isLetter(c)) {
                b.append('{').append(c).append('}');
                i = arg + 1;
            } else if (sqrt && c == '(' && simpleClose(s, arg) > 0) {
                int close = simpleClose(s, arg);
                b.append('{').append(s, arg + 1, close).append('}');
                i = close + 1;
            } else if (frac && Character.isLetterOrDigit(c)) {
                b.append('{').append(c).append('}');
                int second = skipBlanks(s, arg + 1);
                char d = charAt(s, second);
                if (Character.isLetterOrDigit(d)) {
                    b.append('{').append(d).append('}');
                    i = second + 1;
                } else {
                    i = arg + 1;
                }
            } else {
                i += 5;
            }
        }
        return b.toString();
    }

    /**
     * The {@code )} that closes the parenthesis at {@code open} with no bracket between, or -1. Stopping at the next
     * bracket keeps a run of {@code \\sqrt(\\sqrt(...} linear.
     */
    private static int simpleClose(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ')') {
                return i;
            }
            if (c == '(' || c == '{' || c == '[' || c == '\\') {
                return -1;
            }
        }
        return -1;
    }

    private static int skipBlanks(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Drops blanks, except one between two digits ({@code 2 1/2} must not become {@code 21/2}) and one between a
     * command name and a letter ({@code \\pi r} must not become {@code \\pir}).
     */
    private static String withoutBlanks(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean inCommand = false;
        boolean commandLetter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                commandLetter = inCommand && Character.isLetter(c);
                inCommand = c == '\\' || commandLetter;
                b.append(c);
                continue;
            }
            int next = skipBlanks(s, i);
            char after = charAt(s, next);
            char before = b.length() == 0 ? '\0' : b.charAt(b.length() - 1);
            boolean digits = NumberReader.isDigit(before) && NumberReader.isDigit(after);
            if (digits || (commandLetter && Character.isLetter(after))) {
                b.append(' ');
            }
            inCommand = false;
            commandLetter = false;
            i = next - 1;
        }
        return b.toString();
    }

    private static Answer number(String text, NumberToken token) {
        BigDecimal value = token.value();
        if (value == null) {
            throw new IllegalStateException("rejected numbers are not answers");
        }
        return new Answer(AnswerKind.MATH, text.substring(token.start(), token.end()), NumberReader.canonical(value));
    }

    private static int indexOf(String text, String literal, int from, int to) {
        for (int at = from; at + literal.length() <= to; at++) {
            if (text.startsWith(literal, at)) {
                return at;
            }
        }
        return -1;
    }

    private static char charAt(String text, int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }
}
