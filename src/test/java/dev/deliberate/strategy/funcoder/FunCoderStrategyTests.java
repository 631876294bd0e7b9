package dev.deliberate.strategy.funcoder;

import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.CONQUER;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.DIVIDE;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.SYSTEM_TESTS;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.TESTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.DeliberateException;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.sandbox.Execution;
import dev.deliberate.sandbox.Outline;
import dev.deliberate.sandbox.Program;
import dev.deliberate.sandbox.SandboxSettings;
import dev.deliberate.sandbox.SandboxStatus;
import dev.deliberate.sandbox.SandboxUnavailableException;
import dev.deliberate.strategy.Formats;
import dev.deliberate.testkit.Eventually;
import dev.deliberate.testkit.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** FunCoder's steps on a scripted model, with every candidate run in the real sandbox. */
class FunCoderStrategyTests {

    private static final BudgetLimits BUDGET = new BudgetLimits(100, 1_000_000, Duration.ofSeconds(60), 3, 64, 100);

    private static final String STUB = "def sum_prime_squares(xs: list) -> int:\n"
            + "    \"\"\"Return the sum of the squares of the prime numbers in xs.\n"
            + "    >>> sum_prime_squares([2, 3, 4])\n"
            + "    13\n"
            + "    \"\"\"\n";

    private static final String DRAFT =
            "def sum_prime_squares(xs: list) -> int:\n" + "    return sum(x * x for x in xs if is_prime(x))";
    private static final String IS_PRIME_STUB = "def is_prime(n: int) -> bool:\n"
            + "    \"\"\"Return True when n is a prime number.\"\"\"\n"
            + "    raise NotImplementedError";
    private static final String IS_PRIME =
            "def is_prime(n: int) -> bool:\n" + "    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))";
    private static final String IS_ODD = "def is_prime(n: int) -> bool:\n    return n % 2 == 1";
    private static final String CORRECT = "def sum_prime_squares(xs: list) -> int:\n"
            + "    return sum(x * x for x in xs if x > 1 and all(x % d for d in range(2, x)))";
    private static final String ALL_SQUARES =
            "def sum_prime_squares(xs: list) -> int:\n" + "    return sum(x * x for x in xs)";
    private static final String ROOT_INPUTS =
            "sum_prime_squares([2, 3, 4])\nsum_prime_squares([])\nsum_prime_squares([9, 11])";

    private static FunCoderParameters params(int maxDepth, int samples, int minValid) {
        return new FunCoderParameters(
                maxDepth,
                null,
                samples,
                minValid,
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(2),
                null,
                null,
                512);
    }

    private static RunEvent solve(FunCoderParameters params, CoderModel model, CodeRunner runner, BudgetLimits budget) {
        return solve(
                params, model, runner, budget, new Problem(List.of(ChatMessage.user(STUB)), AnswerKind.CODE, null));
    }

    private static RunEvent solve(
            FunCoderParameters params, CoderModel model, CodeRunner runner, BudgetLimits budget, Problem problem) {
        FunCoderKind kind = new FunCoderKind(PromptLibrary.load(Path.of("prompts")), Formats.shipped(), runner);
        RunService service = new Runs()
                .caps(budget)
                .plan("funcoder", kind.create(params), Map.of("solver", model.endpoint()), budget)
                .service();
        return service.start(RunRequest.of("funcoder", problem)).events().last().block(Duration.ofSeconds(60));
    }

    private static RunResult solved(FunCoderParameters params, CoderModel model) {
        return Runs.finished(solve(params, model, Sandboxes.runner(), BUDGET));
    }

    private static List<Step> steps(RunResult result, StepKind kind, String name) {
        return result.steps().stream()
                .filter(s -> s.kind() == kind && s.name().equals(name))
                .toList();
    }

    @Test
    void dividesIntoAHelperSolvesItFirstAndAssemblesTheProgram() {
        CoderModel model = new CoderModel()
                .on(DIVIDE, "sum_prime_squares", DRAFT + "\n\n\n" + IS_PRIME_STUB)
                .on(DIVIDE, "is_prime", IS_PRIME)
                .on(CONQUER, "is_prime", IS_PRIME)
                .on(TESTS, "is_prime", "is_prime(2)\nis_prime(9)\nis_prime(1)")
                .on(CONQUER, "sum_prime_squares", DRAFT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .on(SYSTEM_TESTS, "sum_prime_squares", "assert sum_prime_squares([2, 3, 4]) == 13");

        RunResult result = solved(params(6, 3, 2), model);

        assertThat(result.solution().answer()).isEqualTo(IS_PRIME + "\n\n\n" + DRAFT);
        assertThat(result.solution().text()).isEqualTo("```python\n" + IS_PRIME + "\n\n\n" + DRAFT + "\n```");
        assertThat(result.solution().confidence()).isEqualTo(1.0);
        assertThat(result.solution().notes().get("functions"))
                .isEqualTo(Map.of("sum_prime_squares", Map.of("is_prime", Map.of())));
        // Depth first: the helper is written and tested before the root is re-implemented.
        assertThat(model.asked().subList(0, 5))
                .containsExactly(
                        "DIVIDE sum_prime_squares",
                        "DIVIDE is_prime",
                        "CONQUER is_prime",
                        "TESTS is_prime",
                        "CONQUER sum_prime_squares");
        assertThat(model.asked().subList(5, 7))
                .containsExactlyInAnyOrder("TESTS sum_prime_squares", "SYSTEM_TESTS sum_prime_squares");
        assertThat(model.asked()).hasSize(7);
        // The root's conquer prompt shows the committed helper and hides the root's own draft.
        String conquer = model.prompts().get(4);
        assertThat(conquer).contains(IS_PRIME).contains(STUB.strip()).doesNotContain(DRAFT);
        // Parses: problem, 2 drafts, 2 sample sets, 2 test sets, the system tests; runs: 4 candidates per function.
        assertThat(result.usage().codeExecutions()).isEqualTo(8 + 4 + 4);
        assertThat(steps(result, StepKind.GROUP, "function is_prime")).hasSize(1);
        Step helperConsensus = steps(result, StepKind.VOTE, "consensus").get(0);
        assertThat(helperConsensus.notes()).containsEntry("agreeing", 4).containsEntry("candidates", 4);
        assertThat(result.steps().stream()
                        .filter(s -> s.kind() == StepKind.EXECUTE && s.name().equals("draft")))
                .allSatisfy(s -> assertThat(s.notes()).containsEntry("verdict", "completed"));
        Step rootDraft = result.steps().stream()
                .filter(s -> s.kind() == StepKind.EXECUTE && s.name().equals("draft"))
                .filter(s -> s.notes().get("function").equals("sum_prime_squares"))
                .findFirst()
                .orElseThrow();
        assertThat(rootDraft.notes().get("results")).isEqualTo(List.of("13", "0", "121", "system: ok"));
    }

    @Test
    void consensusPicksTheMajorityBehaviourOverALoneWrongCandidate() {
        CoderModel model = new CoderModel()
                .on(CONQUER, "sum_prime_squares", CORRECT, CORRECT, ALL_SQUARES, CORRECT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .onRaw(SYSTEM_TESTS, "sum_prime_squares", "```python\n```");

        RunResult result = solved(params(0, 4, 2), model);

        assertThat(result.solution().answer()).isEqualTo(CORRECT);
        assertThat(result.solution().confidence()).isEqualTo(0.75);
        Step consensus = steps(result, StepKind.VOTE, "consensus").get(0);
        // Inputs [2,3,4], [] and [9,11]: the three right ones gain 2 + 3 + 2, the lone wrong one agrees only on [].
        assertThat(consensus.notes())
                .containsEntry("scores", List.of(7, 7, 3, 7))
                .containsEntry("agreeing", 3);
        assertThat(model.asked()).doesNotContain("DIVIDE sum_prime_squares");
    }

    @Test
    void aCandidateFailingTheDocstringExampleLosesEvenInTheMajority() {
        CoderModel model = new CoderModel()
                .on(CONQUER, "sum_prime_squares", ALL_SQUARES, ALL_SQUARES, CORRECT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .on(SYSTEM_TESTS, "sum_prime_squares", "assert sum_prime_squares([2, 3, 4]) == 13");

        RunResult result = solved(params(0, 3, 2), model);

        assertThat(result.solution().answer()).isEqualTo(CORRECT);
        Step consensus = steps(result, StepKind.VOTE, "consensus").get(0);
        assertThat(consensus.notes())
                .containsEntry("scores", List.of(4 - 10_000, 4 - 10_000, 2))
                .containsEntry("failed_system_tests", 2);
        assertThat(result.solution().confidence()).isEqualTo(1.0 / 3);
    }

    @Test
    void crashesArePenalised() {
        String crashesOnEmpty = "def sum_prime_squares(xs: list) -> int:\n"
                + "    return xs[0] * 0 + sum(x * x for x in xs if x > 1 and all(x % d for d in range(2, x)))";
        CoderModel model = new CoderModel()
                .on(CONQUER, "sum_prime_squares", crashesOnEmpty, crashesOnEmpty, CORRECT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .onRaw(SYSTEM_TESTS, "sum_prime_squares", "There are none.");

        RunResult result = solved(params(0, 3, 2), model);

        assertThat(result.solution().answer()).isEqualTo(CORRECT);
        Step consensus = steps(result, StepKind.VOTE, "consensus").get(0);
        // Agreeing on two inputs gives each 2+2; the two crash on [] (-100 each) while the third is alone there.
        assertThat(consensus.notes()).containsEntry("scores", List.of(4 - 100, 4 - 100, 4));
        List<Step> runs = result.steps().stream()
                .filter(s -> s.kind() == StepKind.EXECUTE && s.name().startsWith("sample"))
                .toList();
        assertThat(runs.get(0).notes().get("results"))
                .isEqualTo(List.of("13", "raised IndexError: list index out of range", "121"));
    }

    @Test
    void theDepthCapImplementsAHelperWithoutDividingIt() {
        CoderModel model = new CoderModel()
                .on(DIVIDE, "sum_prime_squares", DRAFT + "\n\n\n" + IS_PRIME_STUB)
                .on(CONQUER, "is_prime", IS_PRIME)
                .on(TESTS, "is_prime", "is_prime(2)\nis_prime(9)")
                .on(CONQUER, "sum_prime_squares", DRAFT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .onRaw(SYSTEM_TESTS, "sum_prime_squares", "```python\n```");

        RunResult result = solved(params(1, 2, 1), model);

        assertThat(model.asked()).containsOnlyOnce("DIVIDE sum_prime_squares").doesNotContain("DIVIDE is_prime");
        assertThat(result.solution().answer()).isEqualTo(IS_PRIME + "\n\n\n" + DRAFT);
        // Without a draft, is_prime's candidates are its two samples only.
        assertThat(steps(result, StepKind.VOTE, "consensus").get(0).notes()).containsEntry("candidates", 2);
    }

    @Test
    void repliesWithoutCodeOrWithAChangedSignatureAreRetriedThenRefused() {
        CoderModel model = new CoderModel()
                .onRaw(CONQUER, "sum_prime_squares", "I would loop over the list.")
                .on(DIVIDE, "sum_prime_squares", "def sum_prime_squares(numbers):\n    return 0");

        RunEvent event = solve(params(1, 2, 1), model, Sandboxes.runner(), BUDGET);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        Throwable error = ((RunEvent.Failed) event).error();
        assertThat(error)
                .isInstanceOf(BackendException.BadReply.class)
                .hasMessage("solver: the model wrote no usable implementation of 'sum_prime_squares' in 3 tries"
                        + " (each reply needs a fenced Python block that defines it with the signature"
                        + " def sum_prime_squares(xs: list) -> int)");
        assertThat(model.asked())
                .containsExactly(
                        "DIVIDE sum_prime_squares",
                        "DIVIDE sum_prime_squares",
                        "DIVIDE sum_prime_squares",
                        "CONQUER sum_prime_squares",
                        "CONQUER sum_prime_squares",
                        "CONQUER sum_prime_squares");
        RunResult result = ((RunEvent.Failed) event).result();
        Step divide = steps(result, StepKind.DECOMPOSE, "divide").get(0);
        assertThat(divide.notes())
                .containsEntry("attempt_1", "changed the signature to def sum_prime_squares(numbers)")
                .containsEntry("attempt_3", "changed the signature to def sum_prime_squares(numbers)");
        Step conquer = steps(result, StepKind.GROUP, "conquer").get(0);
        assertThat((List<?>) conquer.notes().get("rejected_1"))
                .hasSize(2)
                .allSatisfy(problem -> assertThat((String) problem).startsWith("does not parse: "));
    }

    @Test
    void anUnavailableSandboxRefusesBeforeAnyModelCall() {
        CodeRunner broken = new CodeRunner() {
            @Override
            public SandboxStatus status() {
                return new SandboxStatus(false, "bubblewrap is not installed (/usr/bin/bwrap)");
            }

            @Override
            public Mono<Execution> execute(Program program) {
                return Mono.error(new AssertionError("must not run"));
            }

            @Override
            public Mono<List<Outline>> outline(List<String> sources) {
                return Mono.error(new SandboxUnavailableException(
                        "sandbox_unavailable", "the sandbox cannot run code: bubblewrap is not installed"));
            }
        };
        CoderModel model = new CoderModel();

        RunEvent event = solve(params(1, 2, 1), model, broken, BUDGET);

        DeliberateException error = (DeliberateException) ((RunEvent.Failed) event).error();
        assertThat(error.status()).isEqualTo(503);
        assertThat(error.code()).isEqualTo("sandbox_unavailable");
        assertThat(error.getMessage()).isEqualTo("the sandbox cannot run code: bubblewrap is not installed");
        assertThat(model.asked()).isEmpty();
    }

    @Test
    void theExecutionBudgetStopsTheRunBeforeTheNextBox() {
        CoderModel model = new CoderModel()
                .on(CONQUER, "sum_prime_squares", CORRECT)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .onRaw(SYSTEM_TESTS, "sum_prime_squares", "```python\n```");
        BudgetLimits tight = new BudgetLimits(100, 1_000_000, Duration.ofSeconds(60), 3, 64, 4);

        RunEvent event = solve(params(0, 3, 2), model, Sandboxes.runner(), tight);

        // Parsing the problem, the samples and the test inputs uses 3, the first candidate the 4th; the second is
        // refused before its box starts.
        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        RunResult result = ((RunEvent.Failed) event).result();
        assertThat(result.usage().codeExecutions()).isEqualTo(4);
        assertThat(((RunEvent.Failed) event).error().getMessage()).contains("code execution budget spent: 4 used");
    }

    @Test
    void cancellingTheRunKillsItsBoxesWithinASecond() {
        String sleeps = "def sum_prime_squares(xs: list) -> int:\n    import time\n    time.sleep(30)\n    return 0";
        CoderModel model = new CoderModel()
                .on(CONQUER, "sum_prime_squares", sleeps)
                .on(TESTS, "sum_prime_squares", ROOT_INPUTS)
                .onRaw(SYSTEM_TESTS, "sum_prime_squares", "```python\n```");
        FunCoderParameters slow = new FunCoderParameters(
                0, null, 2, 1, null, null, null, null, null, Duration.ofSeconds(30), null, null, 512);
        FunCoderKind kind =
                new FunCoderKind(PromptLibrary.load(Path.of("prompts")), Formats.shipped(), Sandboxes.runner());
        RunService service = new Runs()
                .caps(BUDGET)
                .plan("funcoder", kind.create(slow), Map.of("solver", model.endpoint()), BUDGET)
                .service();
        SandboxSettings boxes = SandboxSettings.defaults();

        Disposable run = service.start(
                        RunRequest.of("funcoder", new Problem(List.of(ChatMessage.user(STUB)), AnswerKind.CODE, null)))
                .events()
                .subscribe();
        Eventually.await(
                () -> Sandboxes.boxProcesses(boxes).size() >= 2,
                Duration.ofSeconds(10),
                "candidates sleeping in boxes");
        List<String> before = Sandboxes.describe(Sandboxes.boxProcesses(boxes));
        run.dispose();

        try {
            Eventually.await(() -> Sandboxes.boxProcesses(boxes).isEmpty(), Duration.ofSeconds(1), "every box killed");
        } catch (AssertionError e) {
            throw new AssertionError(
                    "still alive: " + Sandboxes.describe(Sandboxes.boxProcesses(boxes)) + ", seen before: " + before,
                    e);
        }
    }

    @Test
    void aProseProblemWithASignatureGetsAStubWithTheTextAsItsDocstring() {
        String text = "Add two numbers.\nUse \"\"\"quotes\"\"\" freely.";
        String add = "def add(a: int, b: int) -> int:\n    return a + b";
        CoderModel model = new CoderModel()
                .on(CONQUER, "add", add)
                .on(TESTS, "add", "add(1, 2)\nadd(-1, 1)")
                .onRaw(SYSTEM_TESTS, "add", "```python\n```");
        Problem problem = new Problem(
                List.of(ChatMessage.user(text)),
                AnswerKind.CODE,
                new Problem.CodeSpec("add", "add(a: int, b: int) -> int:", List.of("assert add(2, 2) == 4")));

        RunResult result = Runs.finished(solve(params(0, 2, 1), model, Sandboxes.runner(), BUDGET, problem));

        assertThat(result.solution().answer()).isEqualTo(add);
        assertThat(model.prompts().get(0))
                .contains("def add(a: int, b: int) -> int:\n    \"\"\"Add two numbers.\n    Use \\\"\\\"\\\"quotes");
        Step system = steps(result, StepKind.GROUP, "system tests").get(0);
        assertThat(system.notes()).containsEntry("lines", List.of("assert add(2, 2) == 4"));
    }

    @Test
    void aSignatureThatIsNotOneFunctionHeaderIsA400NamingIt() {
        Problem problem = new Problem(
                List.of(ChatMessage.user("Add two numbers.")),
                AnswerKind.CODE,
                new Problem.CodeSpec("add", "add(a, b): pass\nimport os", List.of()));
        CoderModel model = new CoderModel();

        RunEvent event = solve(params(0, 2, 1), model, Sandboxes.runner(), BUDGET, problem);

        DeliberateException error = (DeliberateException) ((RunEvent.Failed) event).error();
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.param()).isEqualTo("problem.signature");
        assertThat(model.asked()).isEmpty();
    }

    @Test
    void aMessageWithoutAFunctionIsA400NamingTheMessages() {
        CoderModel model = new CoderModel();

        RunEvent event = solve(
                params(0, 2, 1),
                model,
                Sandboxes.runner(),
                BUDGET,
                new Problem(List.of(ChatMessage.user("Please write me a sorting routine.")), AnswerKind.CODE, null));

        DeliberateException error = (DeliberateException) ((RunEvent.Failed) event).error();
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.getMessage())
                .isEqualTo("messages: funcoder writes a Python function: send its stub (a def with a docstring), in"
                        + " the message or a fenced code block");
        assertThat(model.asked()).isEmpty();
    }
}
