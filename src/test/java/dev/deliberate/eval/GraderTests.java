package dev.deliberate.eval;

import dev.deliberate.answer.AnswerEquivalence;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.run.Solution;
import dev.deliberate.testkit.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class GraderTests {

    private final Grader grader =
            new Grader(new AnswerExtractor(), AnswerEquivalence.DEFAULT, Sandboxes.runner(), Duration.ofSeconds(5));

    private static EvalProblem humanEval(int index) {
        return Dataset.read(Path.of("src/test/resources/humaneval/sample.jsonl"), null, null)
                .problems()
                .get(index);
    }

    private static EvalProblem gsm8k() {
        return Dataset.read(Path.of("/work/shared/data/gsm8k-test-1000.jsonl"), null, 1)
                .problems()
                .get(0);
    }

    private void assertGrade(EvalProblem problem, Solution solution, boolean expected) {
        StepVerifier.create(grader.grade(problem, solution))
                .expectNext(expected)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aMathAnswerEqualToTheHashLineIsRightInAnyNotation() {
        EvalProblem problem = gsm8k();

        assertGrade(problem, Solution.of("18", "The answer is 18.", null), true);
        assertGrade(problem, Solution.of("18.0", "The answer is 18.0.", null), true);
        assertGrade(problem, Solution.of("$18", "The answer is $18.", null), true);
    }

    @Test
    void aDifferentMissingOrAbsentMathAnswerIsWrong() {
        EvalProblem problem = gsm8k();

        assertGrade(problem, Solution.of("19", "The answer is 19.", null), false);
        assertGrade(problem, Solution.of(null, "I cannot tell.", null), false);
        StepVerifier.create(grader.grade(problem, null))
                .expectNext(false)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aHumanEvalProgramThatPassesCheckIsRight() {
        EvalProblem add = humanEval(2);

        StepVerifier.create(grader.grade(add, Solution.of("    return x + y\n", "", null)))
                .expectNext(true)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(grader.grade(add, Solution.of("def add(x: int, y: int):\n    return y + x\n", "", null)))
                .expectNext(true)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aHumanEvalProgramThatFailsCheckOrDoesNotLoadIsWrong() {
        EvalProblem add = humanEval(2);

        StepVerifier.create(grader.grade(add, Solution.of("    return x - y\n", "", null)))
                .expectNext(false)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(grader.grade(add, Solution.of("def add(x, y) return x\n", "", null)))
                .expectNext(false)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(grader.grade(add, Solution.of(null, "no code", null)))
                .expectNext(false)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }
}
