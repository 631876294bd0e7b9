package dev.deliberate.model.embedded;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A seeded generator of multi-step arithmetic problems: 1 to 3 operations ({@code +}, {@code -}, {@code ×}) with the
 * usual precedence and, in symbol form, parentheses; small non-negative integers, every intermediate result between 0
 * and {@value #MAX_VALUE}. The same seed always gives the same problems, on every JVM.
 *
 * <p>A solution has one line per operation, in the order a person evaluates them ("25 times 3 is 75."), then
 * {@code The answer is N.}
 */
public final class ArithmeticCorpus {

    static final int MAX_VALUE = 999;
    private static final int MAX_OPERAND = 30;
    /** A product may have one factor above this, not two: a small model multiplies by a digit, not by 27. */
    private static final int SMALL_FACTOR = 12;

    private static final String[] WORD_OPENERS = {"What is ", "Calculate ", "Find the value of ", "How much is "};
    private static final String[] SYMBOL_OPENERS = {"Compute ", "What is ", "Evaluate ", "Solve "};

    private final SplittableRandom random;

    private ArithmeticCorpus(long seed) {
        random = new SplittableRandom(seed);
    }

    /**
     * The structure of a problem: operands and operators left to right, and the parenthesized run of operands
     * [{@code from}, {@code to}] ({@code -1} for none).
     */
    public record Expression(List<Long> operands, List<Character> operators, int from, int to) {

        public Expression {
            operands = List.copyOf(operands);
            operators = List.copyOf(operators);
        }
    }

    /** One problem: the question, the solution's steps (one per operation), the answer and its expression. */
    public record Problem(String question, List<String> steps, long answer, Expression expression) {

        public Problem {
            steps = List.copyOf(steps);
        }

        /** The steps, one a line, and the final line {@code The answer is N.} */
        public String solution() {
            return String.join("\n", steps) + "\n" + finalLine(answer);
        }

        /** GSM8K's form of the answer: the steps, then {@code #### N} as the last line. */
        public String gsm8kAnswer() {
            return String.join("\n", steps) + "\n#### " + answer;
        }

        public static String finalLine(long answer) {
            return "The answer is " + answer + ".";
        }
    }

    /** The train and held-out splits: no question of one is in the other, and none repeats within a split. */
    public record Splits(List<Problem> train, List<Problem> test) {}

    /**
     * {@code testSize} held-out problems, then {@code trainSize} training problems drawn from the same generator
     * whose questions are not held out.
     */
    public static Splits splits(long seed, int trainSize, int testSize) {
        ArithmeticCorpus corpus = new ArithmeticCorpus(seed);
        Set<String> seen = new HashSet<>();
        List<Problem> test = corpus.distinct(testSize, seen);
        List<Problem> train = corpus.distinct(trainSize, seen);
        return new Splits(train, test);
    }

    /** {@code count} problems with distinct questions (and none in {@code seen}, which collects them). */
    private List<Problem> distinct(int count, Set<String> seen) {
        List<Problem> problems = new ArrayList<>(count);
        while (problems.size() < count) {
            Problem problem = next();
            if (seen.add(problem.question())) {
                problems.add(problem);
            }
        }
        return problems;
    }

    /** The next valid problem (invalid draws, such as a negative intermediate, are drawn again). */
    Problem next() {
        while (true) {
            Problem problem = draw();
            if (problem != null) {
                return problem;
            }
        }
    }

    private @Nullable Problem draw() {
        int roll = random.nextInt(10);
        int operations = roll < 2 ? 1 : roll < 6 ? 2 : 3;
        List<Long> operands = new ArrayList<>();
        List<Character> operators = new ArrayList<>();
        for (int i = 0; i <= operations; i++) {
            operands.add((long) random.nextInt(MAX_OPERAND + 1));
        }
        for (int i = 0; i < operations; i++) {
            int op = random.nextInt(3);
            operators.add(op == 0 ? '+' : op == 1 ? '-' : '*');
        }
        boolean symbols = random.nextBoolean();
        // A parenthesized run of operands [from, to] (symbol form only, and only where it changes the order).
        int from = -1;
        int to = -1;
        if (symbols && operations >= 2 && random.nextInt(3) == 0) {
            from = random.nextInt(operations);
            to = from + 1 + random.nextInt(operations - from);
            if (from == 0 && to == operations) {
                from = -1;
                to = -1;
            }
        }
        Expression expression = new Expression(operands, operators, from, to);
        List<String> steps = new ArrayList<>();
        Long answer = new Evaluation(Flaw.NONE, steps).evaluate(expression);
        if (answer == null) {
            return null;
        }
        String text = symbols ? symbolic(operands, operators, from, to) : inWords(operands, operators);
        String question = symbols
                ? SYMBOL_OPENERS[random.nextInt(SYMBOL_OPENERS.length)] + text + (random.nextBoolean() ? "." : "?")
                : WORD_OPENERS[random.nextInt(WORD_OPENERS.length)] + text + "?";
        return new Problem(question, steps, answer, expression);
    }

    /** The kinds of mistake a flawed solution makes, modelled on the embedded model's own. */
    enum Mistake {
        /** One step's result is off (a digit, or by 1 or 10); later steps carry the wrong value faithfully. */
        SLIP,
        /** One operand is copied wrong from the question; every step is computed right from it. */
        MISCOPY,
        /** Operations are done left to right, ignoring precedence and parentheses. */
        ORDER,
        /** Every step is right but the final line states another number. */
        FINAL_LINE
    }

    /** A solution in the model's format: its text (steps, then the final line) and the answer it states. */
    public record Attempt(String solution, long answer) {}

    /**
     * A wrong solution to {@code problem}: one mistake (slips half of the time, the other kinds a sixth each), a
     * stated answer that is not the problem's, and the same format as a right one. Deterministic for a seeded
     * {@code random}.
     */
    public static Attempt flawed(Problem problem, SplittableRandom random) {
        while (true) {
            int roll = random.nextInt(6);
            Mistake mistake = roll < 3
                    ? Mistake.SLIP
                    : roll == 3 ? Mistake.MISCOPY : roll == 4 ? Mistake.ORDER : Mistake.FINAL_LINE;
            Attempt attempt = attempt(problem, mistake, random);
            if (attempt != null && attempt.answer() != problem.answer()) {
                return attempt;
            }
        }
    }

    /** {@code problem} solved with {@code mistake}, or null when that mistake leaves the value range. */
    static @Nullable Attempt attempt(Problem problem, Mistake mistake, SplittableRandom random) {
        Expression expression = problem.expression();
        int operations = expression.operators().size();
        Flaw flaw = switch (mistake) {
            case SLIP -> new Flaw(random.nextInt(operations), offset(random), false);
            case MISCOPY -> new Flaw(-1, 0, false);
            case ORDER -> new Flaw(-1, 0, true);
            case FINAL_LINE -> Flaw.NONE;
        };
        if (mistake == Mistake.MISCOPY) {
            List<Long> operands = new ArrayList<>(expression.operands());
            int miscopied = random.nextInt(operations + 1);
            long copied = operands.get(miscopied) + offset(random);
            if (copied < 0) {
                return null;
            }
            operands.set(miscopied, copied);
            expression = new Expression(operands, expression.operators(), expression.from(), expression.to());
        }
        List<String> steps = new ArrayList<>();
        Long answer = new Evaluation(flaw, steps).evaluate(expression);
        if (answer == null) {
            return null;
        }
        long stated = answer;
        if (mistake == Mistake.FINAL_LINE) {
            stated = answer + offset(random);
            if (stated < 0) {
                return null;
            }
        }
        return new Attempt(String.join("\n", steps) + "\n" + Problem.finalLine(stated), stated);
    }

    /** How far a wrong number is off: by 1, 2 or 10, or a last digit swapped for another; never 0. */
    private static long offset(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextBoolean() ? 1 : -1;
            case 1 -> random.nextBoolean() ? 2 : -2;
            case 2 -> random.nextBoolean() ? 10 : -10;
            default -> {
                long shift = 1 + random.nextInt(9);
                yield random.nextBoolean() ? shift : -shift;
            }
        };
    }

    /**
     * A mistake to make while evaluating: add {@code offset} to the result of step {@code slipped} (none: -1), or
     * ignore precedence and parentheses ({@code leftToRight}). A miscopied operand is changed in the expression.
     */
    private record Flaw(int slipped, long offset, boolean leftToRight) {
        static final Flaw NONE = new Flaw(-1, 0, false);
    }

    /** One evaluation of an expression, writing one step per operation, with or without a flaw. */
    private static final class Evaluation {

        private final Flaw flaw;
        private final List<String> steps;

        Evaluation(Flaw flaw, List<String> steps) {
            this.flaw = flaw;
            this.steps = steps;
        }

        /** Evaluates with precedence (unless the flaw ignores it); null when a value leaves [0, MAX_VALUE]. */
        @Nullable
        Long evaluate(Expression expression) {
            List<Long> values = new ArrayList<>(expression.operands());
            List<Character> ops = new ArrayList<>(expression.operators());
            if (flaw.leftToRight()) {
                return leftToRight(values, ops);
            }
            int from = expression.from();
            int to = expression.to();
            if (from >= 0) {
                Long inner =
                        reduce(new ArrayList<>(values.subList(from, to + 1)), new ArrayList<>(ops.subList(from, to)));
                if (inner == null) {
                    return null;
                }
                values.subList(from, to + 1).clear();
                values.add(from, inner);
                ops.subList(from, to).clear();
            }
            return reduce(values, ops);
        }

        private @Nullable Long reduce(List<Long> values, List<Character> ops) {
            for (int i = 0; i < ops.size(); ) {
                if (ops.get(i) == '*') {
                    Long product = apply(values.get(i), '*', values.get(i + 1));
                    if (product == null) {
                        return null;
                    }
                    values.set(i, product);
                    values.remove(i + 1);
                    ops.remove(i);
                } else {
                    i++;
                }
            }
            return leftToRight(values, ops);
        }

        /** Applies the operations in order, ignoring precedence. */
        private @Nullable Long leftToRight(List<Long> values, List<Character> ops) {
            long value = values.get(0);
            for (int i = 0; i < ops.size(); i++) {
                Long next = apply(value, ops.get(i), values.get(i + 1));
                if (next == null) {
                    return null;
                }
                value = next;
            }
            return value;
        }

        private @Nullable Long apply(long left, char op, long right) {
            long result;
            String word;
            switch (op) {
                case '+' -> {
                    result = left + right;
                    word = "plus";
                }
                case '-' -> {
                    result = left - right;
                    word = "minus";
                }
                default -> {
                    // A flawed solution may multiply two large factors: the mistake made them, not the generator.
                    if (flaw == Flaw.NONE && left > SMALL_FACTOR && right > SMALL_FACTOR) {
                        return null;
                    }
                    result = left * right;
                    word = "times";
                }
            }
            if (steps.size() == flaw.slipped()) {
                result += flaw.offset();
            }
            if (result < 0 || result > MAX_VALUE) {
                return null;
            }
            steps.add(left + " " + word + " " + right + " is " + result + ".");
            return result;
        }
    }

    private static String inWords(List<Long> operands, List<Character> operators) {
        StringBuilder text = new StringBuilder().append(operands.get(0));
        for (int i = 0; i < operators.size(); i++) {
            String word = operators.get(i) == '+' ? " plus " : operators.get(i) == '-' ? " minus " : " times ";
            text.append(word).append(operands.get(i + 1));
        }
        return text.toString();
    }

    private static String symbolic(List<Long> operands, List<Character> operators, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < operands.size(); i++) {
            if (i > 0) {
                text.append(' ').append(operators.get(i - 1)).append(' ');
            }
            if (i == from) {
                text.append('(');
            }
            text.append(operands.get(i));
            if (i == to) {
                text.append(')');
            }
        }
        return text.toString();
    }
}
