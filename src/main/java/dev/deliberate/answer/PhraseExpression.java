package dev.deliberate.answer;

import java.util.Set;

/**
 * Finds the whole math expression that an answer phrase states, so that {@code The answer is \sqrt{2}} yields
 * {@code \sqrt{2}} and {@code The answer is 3 + 4 = 7} yields {@code 3 + 4 = 7}, not their first numbers.
 *
 * <p>An expression is a run of operands (numbers, letters, LaTeX commands with their arguments, bracket groups) joined
 * by operators or by writing side by side ({@code 2\pi}, {@code 2x}). It ends at the first clause break: a word after
 * a blank ({@code 42 apples}, {@code 7 because}), a comma, a period or other punctuation, an unbalanced bracket, or the
 * end of the span. One forward pass; each bracket group is scanned once, so the cost is linear in the span.
 */
final class PhraseExpression {

    /** Binary operators; {@code -}, {@code +} and {@code −} may also stand before an operand. */
    private static final String OPERATORS = "+-*/^_=<>\u00d7\u00b7\u00f7\u2212\u00b1\u2264\u2265\u2248\u2260";

    private static final String SIGNS = "+-\u2212\u00b1\u221a";

    private static final Set<String> OPERATOR_COMMANDS =
            Set.of("times", "cdot", "div", "pm", "mp", "le", "leq", "ge", "geq", "ne", "neq", "approx", "lt", "gt");

    /** Words that are math, not prose, when written apart: "2 pi", "sqrt 2". */
    private static final Set<String> MATH_WORDS = Set.of("pi", "sqrt");

    private PhraseExpression() {}

    /**
     * Skips the prose that may open an answer: blanks, markdown bold and backticks, and words such as
     * "approximately" or "the number". A word that is followed by {@code =}, a subscript, a power or an argument
     * ({@code x = 5}, {@code f(3)}) is math, as is a single letter followed by any operator.
     *
     * @return where the expression (or a math delimiter, or whatever ends the search) starts
     */
    static int skipProse(String text, int from, int to) {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '*' || c == '`' || c == '_') {
                i++;
            } else if (c == '(' && isProseGroup(text, i, to)) {
                i = groupEnd(text, i, to);
            } else if (Character.isLetter(c)) {
                int end = wordEnd(text, i, to);
                if (isMathWord(text, i, end) || namesSomething(text, i, end, to)) {
                    return i;
                }
                i = end;
            } else {
                return i;
            }
        }
        return i;
    }

    /**
     * The end of the expression that starts at {@code start}: just after its last complete operand (and a {@code %}
     * or degree sign right after it), or {@code start} when no operand starts there.
     */
    static int end(String text, int start, int to) {
        int i = start;
        int lastEnd = start;
        boolean expectOperand = true;
        // After a command name LaTeX needs a blank before a letter ("\\pi r"), so there the letter is math.
        boolean afterCommand = false;
        boolean lastOperandIsNumber = false;
        while (i < to) {
            if (expectOperand) {
                i = skipBlanks(text, i, to);
                while (i < to) {
                    if (SIGNS.indexOf(text.charAt(i)) >= 0) {
                        i = skipBlanks(text, i + 1, to);
                    } else if (text.startsWith("\\pm", i) || text.startsWith("\\mp", i)) {
                        i = skipBlanks(text, i + 3, to);
                    } else {
                        break;
                    }
                }
                int operand = operand(text, i, to, true);
                if (operand < 0) {
                    break;
                }
                afterCommand = text.charAt(i) == '\\';
                lastOperandIsNumber = isNumberStart(text, i, to);
                i = postfix(text, operand, to);
                lastEnd = i;
                expectOperand = false;
                continue;
            }
            int j = skipBlanks(text, i, to);
            boolean blank = j > i;
            if (j >= to) {
                break;
            }
            char c = text.charAt(j);
            char next = at(text, j + 1, to);
            if ((c == '*' && next == '*') || (c == '_' && next == '_')) {
                // "10**6" is a power; "**42**" closes markdown bold, which ends nothing.
                boolean power = c == '*' && !blank && operand(text, j + 2, to, false) > j + 2;
                i = j + 2;
                expectOperand = power;
                continue;
            }
            if (OPERATORS.indexOf(c) >= 0 || (c == '!' && next == '=')) {
                // "<=", ">=", "==", "!=" are one operator.
                i = "<>=!".indexOf(c) >= 0 && next == '=' ? j + 2 : j + 1;
                expectOperand = true;
                continue;
            }
            if (c == '\\' && Character.isLetter(next)) {
                int nameEnd = wordEnd(text, j + 1, to);
                if (OPERATOR_COMMANDS.contains(text.substring(j + 1, nameEnd))) {
                    i = nameEnd;
                    expectOperand = true;
                    continue;
                }
                // "2\pi", "3 \sqrt{2}": a command multiplies what stands before it.
                int operand = operand(text, j, to, true);
                if (operand < 0) {
                    break;
                }
                afterCommand = true;
                lastOperandIsNumber = false;
                i = postfix(text, operand, to);
                lastEnd = i;
                continue;
            }
            if (c == ':' && !blank && NumberReader.isDigit(next)) {
                // A ratio or a time: "3:4" is not 3.
                i = j + 1;
                expectOperand = true;
                continue;
            }
            if (blank && NumberReader.isDigit(c) && lastOperandIsNumber) {
                // "2 1/2" and "1 000" are not 2 and 1; read on, and the blank keeps the parts apart in the key.
                NumberReader.NumberToken token = NumberReader.startingAt(text, j, to);
                if (token == null) {
                    break;
                }
                i = postfix(text, token.end(), to);
                lastEnd = i;
                continue;
            }
            if (blank && isTimesX(text, j, to)) {
                i = j + 1;
                expectOperand = true;
                continue;
            }
            if (isAssignmentBreak(text, j, to)) {
                // "x = 3, y = 4" and "x = 3 and y = 4" state one answer of several parts.
                i = c == ',' ? j + 1 : wordEnd(text, j, to);
                expectOperand = true;
                continue;
            }
            int word = Character.isLetter(c) ? wordEnd(text, j, to) : j;
            boolean joined = !blank || isMathWord(text, j, word) || (afterCommand && word == j + 1);
            int operand = joined ? adjacentOperand(text, j, to) : -1;
            if (operand < 0) {
                break;
            }
            afterCommand = false;
            lastOperandIsNumber = false;
            i = postfix(text, operand, to);
            lastEnd = i;
        }
        return lastEnd;
    }

    /** An operand written right after another ({@code 2x}, {@code 2(3+4)}); a unit word ({@code 5cm}) is not. */
    private static int adjacentOperand(String text, int i, int to) {
        char c = text.charAt(i);
        if (Character.isLetter(c)) {
            int end = wordEnd(text, i, to);
            boolean unit = end - i >= 2 && !isMathWord(text, i, end) && !isOperandStart(at(text, end, to));
            return unit ? -1 : end;
        }
        return c == '(' || c == '[' || c == '{' ? groupEnd(text, i, to) : -1;
    }

    /**
     * The end of the operand at {@code i}, or -1 when none starts there. With {@code anyWord} false a letter run
     * counts only as a single letter or a math word.
     */
    private static int operand(String text, int i, int to, boolean anyWord) {
        if (i >= to) {
            return -1;
        }
        char c = text.charAt(i);
        char next = at(text, i + 1, to);
        if (isNumberStart(text, i, to)) {
            NumberReader.NumberToken token = NumberReader.startingAt(text, i, to);
            return token == null ? -1 : token.end();
        }
        if (c == '\\' && Character.isLetter(next)) {
            return isOperatorCommand(text, i, to) ? -1 : command(text, i, to);
        }
        if (c == '(' || c == '[' || c == '{') {
            return groupEnd(text, i, to);
        }
        if (c == '\u221e') {
            return i + 1;
        }
        if (Character.isLetter(c)) {
            int end = wordEnd(text, i, to);
            boolean accepted =
                    end - i == 1 || isMathWord(text, i, end) || (anyWord && namesSomething(text, i, end, to));
            return accepted ? end : -1;
        }
        return -1;
    }

    private static boolean isNumberStart(String text, int i, int to) {
        char c = at(text, i, to);
        char next = at(text, i + 1, to);
        return NumberReader.isDigit(c)
                || (c == '.' && NumberReader.isDigit(next))
                || (c == '$' && NumberReader.isDigit(next))
                || (c == '\\' && next == '$' && NumberReader.isDigit(at(text, i + 2, to)));
    }

    /** A command with its brace or bracket arguments; {@code \sqrt 2} and {@code \frac12} take bare ones. */
    private static int command(String text, int i, int to) {
        int nameEnd = wordEnd(text, i + 1, to);
        String name = text.substring(i + 1, nameEnd);
        int k = nameEnd;
        boolean grouped = false;
        while (true) {
            int open = skipBlanks(text, k, to);
            char c = at(text, open, to);
            if (c != '{' && !(c == '[' && open == k)) {
                break;
            }
            int close = groupEnd(text, open, to);
            if (close < 0) {
                return -1;
            }
            k = close;
            grouped = true;
        }
        if (grouped) {
            return k;
        }
        if (name.equals("sqrt")) {
            int arg = skipBlanks(text, k, to);
            char c = at(text, arg, to);
            if (NumberReader.isDigit(c)) {
                return digitsEnd(text, arg, to);
            }
            if (Character.isLetter(c)) {
                return arg + 1;
            }
            if (c == '\\' && Character.isLetter(at(text, arg + 1, to))) {
                return wordEnd(text, arg + 1, to);
            }
        }
        if (name.equals("frac") || name.equals("dfrac") || name.equals("tfrac")) {
            int first = skipBlanks(text, k, to);
            int second = skipBlanks(text, first + 1, to);
            if (Character.isLetterOrDigit(at(text, first, to)) && Character.isLetterOrDigit(at(text, second, to))) {
                return second + 1;
            }
        }
        return k;
    }

    /** {@code %} and degree signs belong to the number before them. */
    private static int postfix(String text, int i, int to) {
        char c = at(text, i, to);
        if (c == '%' || c == '\u00b0') {
            return i + 1;
        }
        if (c == '\\' && at(text, i + 1, to) == '%') {
            return i + 2;
        }
        return i;
    }

    /** After the bracket at {@code open}, the index past its match; -1 when it does not close in the span. */
    static int groupEnd(String text, int open, int to) {
        int depth = 0;
        for (int i = open; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    /** A parenthesised aside such as "(see above)": it holds a word of three or more letters that is not math. */
    private static boolean isProseGroup(String text, int open, int to) {
        int close = groupEnd(text, open, to);
        if (close < 0) {
            return false;
        }
        for (int k = open + 1; k < close; ) {
            if (!Character.isLetter(text.charAt(k))) {
                k++;
                continue;
            }
            int end = wordEnd(text, k, to);
            if (end - k >= 3 && text.charAt(k - 1) != '\\' && !isMathWord(text, k, end)) {
                return true;
            }
            k = end;
        }
        return false;
    }

    /** A letter run that names a quantity: followed by {@code _ ^ (} or a digit, or after blanks by {@code =}. */
    private static boolean namesSomething(String text, int start, int end, int to) {
        char c = at(text, end, to);
        if (c == '_' || c == '^' || c == '(' || NumberReader.isDigit(c)) {
            return true;
        }
        int k = skipBlanks(text, end, to);
        char after = at(text, k, to);
        if (after == '=') {
            return true;
        }
        // A lone letter before any operator: "x + 1", "n < 5", "x \\neq 5"; "a" before a word stays the article.
        boolean operator = (OPERATORS.indexOf(after) >= 0 && after != '*' && after != '_')
                || (after == '\\' && isOperatorCommand(text, k, to));
        return end - start == 1 && operator;
    }

    private static boolean isOperatorCommand(String text, int backslash, int to) {
        return OPERATOR_COMMANDS.contains(text.substring(backslash + 1, wordEnd(text, backslash + 1, to)));
    }

    /** "x" between blanks and before a number multiplies: "6 x 7 = 42". */
    private static boolean isTimesX(String text, int j, int to) {
        char c = text.charAt(j);
        if ((c != 'x' && c != 'X') || !Character.isWhitespace(at(text, j + 1, to))) {
            return false;
        }
        return NumberReader.isDigit(at(text, skipBlanks(text, j + 1, to), to));
    }

    /** {@code ,} or the word {@code and} / {@code or}, followed by another {@code name =}. */
    private static boolean isAssignmentBreak(String text, int j, int to) {
        int k;
        if (text.charAt(j) == ',') {
            k = j + 1;
        } else {
            int end = wordEnd(text, j, to);
            String word = text.substring(j, end);
            if (!word.equals("and") && !word.equals("or")) {
                return false;
            }
            k = end;
        }
        int name = skipBlanks(text, k, to);
        if (!Character.isLetter(at(text, name, to))) {
            return false;
        }
        int nameEnd = wordEnd(text, name, to);
        return at(text, skipBlanks(text, nameEnd, to), to) == '=';
    }

    private static boolean isMathWord(String text, int start, int end) {
        return MATH_WORDS.contains(text.substring(start, end));
    }

    private static boolean isOperandStart(char c) {
        return Character.isLetterOrDigit(c) || c == '\\' || c == '(' || c == '{' || c == '_' || c == '^';
    }

    private static int wordEnd(String text, int i, int to) {
        int k = i;
        while (k < to && Character.isLetter(text.charAt(k))) {
            k++;
        }
        return k;
    }

    private static int digitsEnd(String text, int i, int to) {
        int k = i;
        while (k < to && NumberReader.isDigit(text.charAt(k))) {
            k++;
        }
        return k;
    }

    private static int skipBlanks(String text, int i, int to) {
        int k = i;
        while (k < to && Character.isWhitespace(text.charAt(k))) {
            k++;
        }
        return k;
    }

    private static char at(String text, int i, int to) {
        return i < to ? text.charAt(i) : '\0';
    }
}
