package dev.deliberate.eval;

import dev.deliberate.answer.AnswerEquivalence;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.run.Solution;
import dev.deliberate.sandbox.CallResult;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.sandbox.Execution;
import dev.deliberate.sandbox.Program;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Decides whether a run's solution answers a dataset problem. Math: the solution's answer, read by the project's
 * extraction as {@code math}, must be {@link AnswerEquivalence equivalent} to the dataset's {@code #### N}. Code: the
 * dataset's prompt, the solution's program and the dataset's test run in the sandbox, and {@code check(entry_point)}
 * must return. A missing solution or answer is wrong.
 *
 * <p>Thread-safe. A sandbox that cannot run (not verified on this machine) fails the returned Mono with its own error,
 * so an evaluation never reports a code dataset as simply all wrong.
 */
public final class Grader {

    private final AnswerExtractor extractor;
    private final AnswerEquivalence equivalence;
    private final CodeRunner sandbox;
    private final Duration checkTimeout;

    /** @param checkTimeout wall time the dataset's {@code check} call may take */
    public Grader(AnswerExtractor extractor, AnswerEquivalence equivalence, CodeRunner sandbox, Duration checkTimeout) {
        this.extractor = extractor;
        this.equivalence = equivalence;
        this.sandbox = sandbox;
        this.checkTimeout = checkTimeout;
    }

    public Mono<Boolean> grade(EvalProblem problem, @Nullable Solution solution) {
        if (solution == null) {
            return Mono.just(false);
        }
        EvalProblem.Expected expected = problem.expected();
        if (expected instanceof EvalProblem.Number number) {
            String given = solution.answer() != null ? solution.answer() : solution.text();
            return Mono.just(extractor
                    .extract(AnswerKind.MATH, given)
                    .map(answer -> equivalence.equivalent(answer, number.answer()))
                    .orElse(false));
        }
        EvalProblem.Tests tests = (EvalProblem.Tests) expected;
        String program = solution.answer();
        if (program == null || program.isBlank()) {
            return Mono.just(false);
        }
        return passes(program, tests);
    }

    /**
     * Runs {@code program} after the prompt, as HumanEval's harness does: a bare function body completes the prompt's
     * function, a whole function redefines it (the prompt's own, with only a docstring, is valid Python).
     */
    public Mono<Boolean> passes(String program, EvalProblem.Tests tests) {
        String source = tests.prompt() + "\n" + program + "\n\n" + tests.test();
        return sandbox.execute(new Program(source, List.of("check(" + tests.entryPoint() + ")"), checkTimeout, 0))
                .map(Grader::returned);
    }

    private static boolean returned(Execution execution) {
        return execution.verdict() == Execution.Verdict.COMPLETED
                && execution.calls().size() == 1
                && execution.calls().get(0).outcome() == CallResult.Outcome.RETURNED;
    }
}
