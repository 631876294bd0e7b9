package dev.deliberate.eval;

import dev.deliberate.answer.Answer;
import dev.deliberate.run.Problem;
import java.util.Objects;

/**
 * One dataset item: the problem as the run sees it and what grading compares the run's answer with.
 *
 * @param id the item's own id ({@code task_id}) or its line ({@code line 7})
 */
public record EvalProblem(String id, Problem problem, Expected expected) {

    public EvalProblem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(expected, "expected");
    }

    /** What a right answer is. */
    public sealed interface Expected permits Number, Tests {}

    /** A math answer, read from the dataset's {@code #### N} line by the project's answer extraction. */
    public record Number(Answer answer) implements Expected {}

    /**
     * A program that passes {@code test} (Python defining {@code check(candidate)}) when called as
     * {@code check(entryPoint)}.
     *
     * @param prompt the function header and docstring the program completes
     */
    public record Tests(String prompt, String entryPoint, String test) implements Expected {}
}
