package dev.deliberate.strategy.funcoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionTreeTests {

    private static final String ROOT_STUB = "def solve(xs):\n    \"\"\"Sum of squares of primes.\"\"\"";

    private static FunctionTree tree() {
        return new FunctionTree("import math", "solve", ROOT_STUB, "def solve(xs)");
    }

    @Test
    void helpersComeBeforeTheirCallersAndStubsStandInUntilWritten() {
        FunctionTree tree = tree();
        tree.draft("solve", "def solve(xs):\n    return sum(square(x) for x in xs if is_prime(x))");
        tree.declare("solve", "is_prime", "def is_prime(n):\n    raise NotImplementedError", "def is_prime(n)");
        tree.declare("solve", "square", "def square(n):\n    raise NotImplementedError", "def square(n)");
        tree.commit("is_prime", "def is_prime(n):\n    return n > 1", List.of(), List.of());

        assertThat(tree.program())
                .isEqualTo("import math\n\n\n"
                        + "def is_prime(n):\n    return n > 1\n\n\n"
                        + "def square(n):\n    raise NotImplementedError\n\n\n"
                        + "def solve(xs):\n    return sum(square(x) for x in xs if is_prime(x))");
    }

    @Test
    void divideContextLeavesOutTheFunctionBeingWritten() {
        FunctionTree tree = tree();
        tree.draft("solve", "def solve(xs):\n    return helper(xs)");
        tree.declare("solve", "helper", "def helper(xs):\n    \"\"\"Helps.\"\"\"", "def helper(xs)");

        assertThat(tree.contextFor("helper")).isEqualTo("import math\n\n\ndef solve(xs):\n    return helper(xs)");
    }

    @Test
    void conquerSeesOnlyTheCommittedHelpersBelowTheFunction() {
        FunctionTree tree = tree();
        tree.declare("solve", "a", "def a():\n    pass", "def a()");
        tree.declare("a", "b", "def b():\n    pass", "def b()");
        tree.commit("b", "def b():\n    return 2", List.of(), List.of());

        assertThat(tree.helpersOf("solve")).isEqualTo("import math\n\n\ndef b():\n    return 2");
        assertThat(tree.helpersOf("a")).isEqualTo("import math\n\n\ndef b():\n    return 2");
        assertThat(tree.programWith("b", "def b():\n    return 3"))
                .isEqualTo("import math\n\n\ndef b():\n    return 3");
    }

    @Test
    void aCommitAddsTheHelpersAndImportsItBroughtAlong() {
        FunctionTree tree = tree();

        tree.commit(
                "solve",
                "def solve(xs):\n    return twice(len(xs))",
                List.of(new FunctionTree.Helper("twice", "def twice(n)", "def twice(n):\n    return 2 * n")),
                List.of("import re"));

        assertThat(tree.size()).isEqualTo(2);
        assertThat(tree.children("solve")).containsExactly("twice");
        assertThat(tree.node("twice").depth()).isEqualTo(1);
        assertThat(tree.program()).startsWith("import re\n\n\nimport math\n\n\ndef twice(n):");
        assertThat(tree.shape()).isEqualTo(Map.of("solve", Map.of("twice", Map.of())));
    }

    @Test
    void recognisesFunctionsWithoutArguments() {
        assertThat(new FunctionTree("", "solution", "", "def solution() -> int")
                        .root()
                        .takesNoArguments())
                .isTrue();
        assertThat(new FunctionTree("", "f", "", "def f(x=())").root().takesNoArguments())
                .isFalse();
        assertThat(tree().root().takesNoArguments()).isFalse();
    }
}
