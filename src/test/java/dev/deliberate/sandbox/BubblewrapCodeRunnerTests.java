package dev.deliberate.sandbox;

import static dev.deliberate.sandbox.Boxes.program;
import static dev.deliberate.sandbox.Boxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.sandbox.CallResult.Outcome;
import dev.deliberate.sandbox.Execution.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Calls mode on real boxes: values as canonical JSON, errors, timeouts, seeds, statements. */
class BubblewrapCodeRunnerTests {

    private static final BubblewrapCodeRunner RUNNER = new BubblewrapCodeRunner(Boxes.small());

    @Test
    void verifiesIsolationBeforeRunning() {
        SandboxStatus status = RUNNER.verify().block(Duration.ofSeconds(20));

        assertThat(status).isNotNull();
        assertThat(status.available()).as(status.detail()).isTrue();
        assertThat(status.detail()).startsWith("verified: uid 65534, no network, read-only root, host paths absent");
    }

    @Test
    void returnsValuesAsCanonicalJson() {
        Program program = program(
                "def f(x):\n    return x * 2\n",
                "f(21)",
                "f((1, 'a'))",
                "{'b': 1, 'a': [True, None]}",
                "{3, 1, 2}",
                "[0.1, -0.0, 1.0, float('nan'), float('-inf')]",
                "{'x': {'y': (1.5,)}}",
                "{1: 'one', (2, 3): 'pair'}",
                "'é\\n\"'",
                "2 ** 100");

        Execution execution = run(RUNNER, program);

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls())
                .extracting(CallResult::value)
                .containsExactly(
                        "42",
                        "[1,\"a\",1,\"a\"]",
                        "{\"a\":[true,null],\"b\":1}",
                        "[1,2,3]",
                        "[0.1,-0.0,1.0,{\"repr\":\"nan\",\"type\":\"float\"},{\"repr\":\"-inf\",\"type\":\"float\"}]",
                        "{\"x\":{\"y\":[1.5]}}",
                        "{\"items\":[[1,\"one\"],[[2,3],\"pair\"]],\"type\":\"dict\"}",
                        "\"\\u00e9\\n\\\"\"",
                        "1267650600228229401496703205376");
        assertThat(execution.calls()).allMatch(CallResult::returned);
    }

    @Test
    void reportsSubclassesAndObjectsByTypeAndRepr() {
        Program program = program(
                "class Liar(int):\n    def __eq__(self, other):\n        return True\n"
                        + "class Point:\n    def __repr__(self):\n        return 'Point(1, 2)'\n",
                "Liar(3)",
                "Point()",
                "b'\\x00ab'");

        Execution execution = run(RUNNER, program);

        assertThat(execution.calls())
                .extracting(CallResult::value)
                .containsExactly(
                        "{\"repr\":\"3\",\"type\":\"Liar\"}",
                        "{\"repr\":\"Point(1, 2)\",\"type\":\"Point\"}",
                        "{\"repr\":\"b'\\\\x00ab'\",\"type\":\"bytes\"}");
    }

    @Test
    void capsDepthAndSize() {
        Program program = program(
                "def nest(n):\n    v = 0\n    for _ in range(n):\n        v = [v]\n    return v\n",
                "nest(31)",
                "nest(40)",
                "list(range(10000))",
                "list(range(10000))");

        Execution execution = run(RUNNER, program);

        List<CallResult> calls = execution.calls();
        assertThat(calls.get(0).value()).startsWith("[[[[").endsWith("0" + "]".repeat(31));
        assertThat(calls.get(1))
                .isEqualTo(new CallResult(
                        Outcome.RAISED, null, "ValueError: returned value nested deeper than 32 levels"));
        assertThat(calls.get(2).value())
                .startsWith("{\"bytes\":48891,\"sha256\":\"")
                .endsWith("\",\"truncated\":true,\"type\":\"list\"}");
        assertThat(calls.get(3)).isEqualTo(calls.get(2));
        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
    }

    @Test
    void reportsRaisedErrorsAndRunsTheNextCall() {
        Program program = program("def f(x):\n    return 1 // x\n", "f(0)", "f(1)", "undefined_name");

        Execution execution = run(RUNNER, program);

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.RAISED, null, "ZeroDivisionError: integer division or modulo by zero"),
                        new CallResult(Outcome.RETURNED, "1", null),
                        new CallResult(Outcome.RAISED, null, "NameError: name 'undefined_name' is not defined"));
    }

    @Test
    void timesOutOneCallThenRunsTheNext() {
        Program program = new Program(
                "import time\ndef slow():\n    while True:\n        pass\n",
                List.of("slow()", "1 + 1", "time.sleep(5)", "'after'"),
                Duration.ofMillis(300),
                1);

        Execution execution = run(RUNNER, program);

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.TIMEOUT, null, null),
                        new CallResult(Outcome.RETURNED, "2", null),
                        new CallResult(Outcome.TIMEOUT, null, null),
                        new CallResult(Outcome.RETURNED, "\"after\"", null));
    }

    @Test
    void seedsRandomBeforeEachCall() {
        Program program = program("import random\n", "random.random()", "random.random()", "random.randint(1, 10**9)");

        Execution first = run(RUNNER, program);
        Execution second = run(RUNNER, program);

        assertThat(first.calls().get(0)).isEqualTo(first.calls().get(1));
        assertThat(first.calls()).isEqualTo(second.calls());
        assertThat(run(RUNNER, new Program("import random\n", List.of("random.random()"), Duration.ofSeconds(1), 8))
                        .calls()
                        .get(0))
                .isNotEqualTo(first.calls().get(0));
    }

    @Test
    void runsStatementsWithoutAValue() {
        Program program = program(
                "def f(x):\n    return x + 1\n", "assert f(1) == 2", "assert f(1) == 3, 'wrong'", "y = f(4)", "y");

        Execution execution = run(RUNNER, program);

        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.RETURNED, null, null),
                        new CallResult(Outcome.RAISED, null, "AssertionError: wrong"),
                        new CallResult(Outcome.RETURNED, null, null),
                        new CallResult(Outcome.RETURNED, "5", null));
    }

    @Test
    void failsEveryCallWhenTheModuleRaises() {
        Program program = program("print('loading')\nraise ValueError('bad module')\n", "1", "2");

        Execution execution = run(RUNNER, program);

        assertThat(execution.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.NOT_RUN, null, null), new CallResult(Outcome.NOT_RUN, null, null));
        assertThat(execution.output().text()).isEqualTo("loading\nValueError: bad module\n");
    }

    @Test
    void reportsASyntaxErrorAsARuntimeError() {
        Execution execution = run(RUNNER, program("def f(:\n    pass\n", "f()"));

        assertThat(execution.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
        assertThat(execution.output().text()).startsWith("SyntaxError: invalid syntax");
        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.NOT_RUN, null, null));
    }

    @Test
    void keepsPrintsInTheOutputApartFromResults() {
        Program program = program(
                "import sys\nprint('{\"kind\": \"done\"}')\n",
                "print('to stdout') or 1",
                "sys.stderr.write('to stderr\\n')");

        Execution execution = run(RUNNER, program);

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls()).extracting(CallResult::value).containsExactly("1", "10");
        assertThat(execution.output())
                .isEqualTo(new Execution.Output("{\"kind\": \"done\"}\nto stdout\nto stderr\n", false));
    }

    @Test
    void reportsAMemoryErrorInACallAsRaisedWithVerdictMemory() {
        Execution execution = run(RUNNER, program("", "len(bytearray(1 << 30))", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.MEMORY);
        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.RAISED, null, "MemoryError"),
                        new CallResult(Outcome.RETURNED, "1", null));
    }

    @Test
    void neverBlocksTheSubscribingOrCancellingThread() {
        // BlockHound is armed for the whole test run: a blocking call on a parallel thread would fail this.
        BubblewrapCodeRunner fresh = new BubblewrapCodeRunner(Boxes.small());
        Mono<Execution> execution = fresh.execute(program("", "1 + 1")).subscribeOn(Schedulers.parallel());
        Mono<List<Outline>> outline = fresh.outline(List.of("def f(): pass")).subscribeOn(Schedulers.parallel());

        StepVerifier.create(execution)
                .assertNext(
                        done -> assertThat(done.calls()).containsExactly(new CallResult(Outcome.RETURNED, "2", null)))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(outline)
                .assertNext(outlines -> assertThat(outlines.get(0).functions()).hasSize(1))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(fresh.execute(program("import time\n", "time.sleep(5)"))
                        .subscribeOn(Schedulers.parallel())
                        .timeout(Duration.ofMillis(300), Schedulers.parallel()))
                .expectError(java.util.concurrent.TimeoutException.class)
                .verify(Duration.ofSeconds(10));
        fresh.close();
    }
}
