package dev.deliberate.sandbox;

import static dev.deliberate.sandbox.Boxes.program;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** The runner refuses to run when isolation is unverified, sheds load past its queue, and kills cancelled boxes. */
class FailClosedTests {

    @Test
    void missingBubblewrapMakesTheRunnerUnavailable() {
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(
                Boxes.small().withBinaries(Path.of("/nonexistent/bwrap"), Path.of("/usr/bin/python3")))) {

            StepVerifier.create(runner.execute(program("", "1")))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isInstanceOf(SandboxUnavailableException.class)
                            .hasMessage("code execution is unavailable: bubblewrap not found at /nonexistent/bwrap:"
                                    + " install bubblewrap (apt-get install bubblewrap)")
                            .extracting("code")
                            .isEqualTo("sandbox_unavailable"))
                    .verify(Duration.ofSeconds(5));
            assertThat(runner.status())
                    .isEqualTo(
                            new SandboxStatus(
                                    false,
                                    "bubblewrap not found at /nonexistent/bwrap: install bubblewrap (apt-get install bubblewrap)"));
            StepVerifier.create(runner.outline(List.of("x = 1")))
                    .expectError(SandboxUnavailableException.class)
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void missingPythonMakesTheRunnerUnavailable() {
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(
                Boxes.small().withBinaries(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/no-python")))) {

            StepVerifier.create(runner.verify())
                    .expectNext(new SandboxStatus(
                            false, "python not found at /usr/bin/no-python: install python3 (apt-get install python3)"))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            StepVerifier.create(runner.execute(program("", "1")))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isInstanceOf(SandboxUnavailableException.class)
                            .extracting("code")
                            .isEqualTo("sandbox_unavailable"))
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void aDisabledRunnerRunsNothing() {
        try (BubblewrapCodeRunner runner =
                new BubblewrapCodeRunner(Boxes.small().withEnabled(false))) {

            StepVerifier.create(runner.execute(program("", "1")))
                    .expectErrorMessage("code execution is unavailable: disabled by configuration"
                            + " (deliberate.sandbox.enabled=false)")
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void aFullQueueFailsFastWithSandboxBusy() {
        try (BubblewrapCodeRunner runner =
                new BubblewrapCodeRunner(Boxes.small().withConcurrency(1, 1))) {
            runner.verify().block(Duration.ofSeconds(20));
            Program sleeper = program("import time\n", "time.sleep(0.8)");
            CompletableFuture<Execution> running = runner.execute(sleeper).toFuture();
            CompletableFuture<Execution> queued = runner.execute(sleeper).toFuture();

            long started = System.nanoTime();
            StepVerifier.create(runner.execute(sleeper))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isInstanceOf(SandboxUnavailableException.class)
                            .hasMessage("the sandbox is busy: 1 boxes running and 1 executions waiting; retry later")
                            .extracting("code")
                            .isEqualTo("sandbox_busy"))
                    .verify(Duration.ofSeconds(5));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
            assertThat(running.join().verdict()).isEqualTo(Execution.Verdict.COMPLETED);
            assertThat(queued.join().verdict()).isEqualTo(Execution.Verdict.COMPLETED);
            assertThat(runner.running()).isZero();
            assertThat(runner.queued()).isZero();
        }
    }

    @Test
    void cancellingKillsTheBoxWithinASecond() throws InterruptedException {
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(Boxes.small())) {
            runner.verify().block(Duration.ofSeconds(20));
            Disposable subscription = runner.execute(
                            new Program("import time\n", List.of("time.sleep(30)"), Duration.ofSeconds(60), 1))
                    .subscribe();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (Boxes.boxProcesses(runner.settings()).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Boxes.boxProcesses(runner.settings())).isNotEmpty();

            long cancelled = System.nanoTime();
            subscription.dispose();
            while (!Boxes.boxProcesses(runner.settings()).isEmpty()
                    && System.nanoTime() - cancelled < Duration.ofSeconds(3).toNanos()) {
                Thread.sleep(10);
            }

            assertThat(Boxes.boxProcesses(runner.settings())).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(1));
            long freed = System.nanoTime();
            while (runner.running() > 0
                    && System.nanoTime() - freed < Duration.ofSeconds(3).toNanos()) {
                Thread.sleep(10);
            }
            assertThat(runner.running()).isZero();
        }
    }

    @Test
    void cancellingAtAnyStageOfABoxsStartLeavesNoProcessAndNoZombie() throws InterruptedException {
        // A cancel that lands while bubblewrap is still setting the box up used to leave its child a zombie of the
        // box uid, reparented to the host's init (which here never reaps it): the reaping chain must cover every stage.
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(Boxes.small())) {
            runner.verify().block(Duration.ofSeconds(20));
            Program sleeps = new Program("import time\n", List.of("time.sleep(30)"), Duration.ofSeconds(60), 1);
            for (int round = 0; round < 30; round++) {
                Disposable box = runner.execute(sleeps).subscribe();
                // Cancel the moment the box's first process shows, in the middle of bubblewrap's setup; every
                // third round a little later, once python runs.
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (Boxes.boxProcesses(runner.settings()).isEmpty() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (round % 3 == 2) {
                    Thread.sleep(40);
                }
                box.dispose();
                long gone = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (runner.running() > 0 && System.nanoTime() < gone) {
                    Thread.sleep(1);
                }
            }
            long cancelled = System.nanoTime();
            while (!Boxes.boxProcesses(runner.settings()).isEmpty()
                    && System.nanoTime() - cancelled < Duration.ofSeconds(3).toNanos()) {
                Thread.sleep(10);
            }

            assertThat(Sandboxes.describe(Boxes.boxProcesses(runner.settings())))
                    .isEmpty();
        }
    }

    @Test
    void cancellingAQueuedExecutionLeavesTheQueue() {
        try (BubblewrapCodeRunner runner =
                new BubblewrapCodeRunner(Boxes.small().withConcurrency(1, 4))) {
            runner.verify().block(Duration.ofSeconds(20));
            CompletableFuture<Execution> running =
                    runner.execute(program("import time\n", "time.sleep(0.5)")).toFuture();
            Disposable waiting = runner.execute(program("", "1")).subscribe();

            assertThat(runner.queued()).isEqualTo(1);
            waiting.dispose();

            assertThat(runner.queued()).isZero();
            assertThat(running.join().verdict()).isEqualTo(Execution.Verdict.COMPLETED);
        }
    }
}
