package dev.deliberate.sandbox;

import static dev.deliberate.sandbox.Boxes.program;
import static dev.deliberate.sandbox.Boxes.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.sandbox.CallResult.Outcome;
import dev.deliberate.sandbox.Execution.Verdict;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile programs of RELIABILITY.md (S1 to S29; S17, S21, S24 and S25 are not listed there), each on a real box.
 * Every test also checks that the host is unaffected: no process of a box uid survives, and nothing was written to
 * the test's temporary directory or the working directory.
 */
class HostileProgramTests {

    private static final SandboxSettings SETTINGS = Boxes.small();
    private static final BubblewrapCodeRunner RUNNER =
            new BubblewrapCodeRunner(SETTINGS); // shared, not closed: surefire reruns a flaky test after the class
    private static final Path WORKING_DIR = Path.of(System.getProperty("user.dir"));

    @TempDir
    Path hostDir;

    @AfterEach
    void hostIsUnaffected() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!Boxes.boxProcesses(SETTINGS).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Boxes.boxProcesses(SETTINGS)).as("processes of the box uids").isEmpty();
        try (Stream<Path> files = Files.list(hostDir)) {
            assertThat(files).as("files in the test's temp dir").isEmpty();
        }
        assertThat(WORKING_DIR.resolve("pwned")).doesNotExist();
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    /** A program whose single call has a long timeout, so that the rlimits act before the harness's timer. */
    private static Program slowProgram(String source, String... calls) {
        return new Program(source, List.of(calls), Duration.ofSeconds(4), 7);
    }

    @Test
    void s01BusyLoopIsKilledAtTheCpuLimit() {
        Execution execution = run(RUNNER, slowProgram("while True:\n    pass\n", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(execution.wall()).isBetween(Boxes.CPU.minusMillis(100), Boxes.CPU.plusMillis(1000));
        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.NOT_RUN, null, null));
    }

    @Test
    void s02SleepIsEndedByTheWallDeadline() {
        // The call turns the harness's own timer off first, so only the wall deadline is left.
        Program program =
                program("import signal, time\n", "(signal.setitimer(signal.ITIMER_REAL, 0), time.sleep(3600))");

        Execution execution = run(RUNNER, program);

        // startup 2 s + (1 call + module) x 1 s
        assertThat(execution.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(execution.wall()).isBetween(Duration.ofMillis(3900), Duration.ofMillis(5000));
        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.TIMEOUT, null, null));
    }

    @Test
    void s03IgnoredSignalsDoNotSaveALoop() {
        String source =
                "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU, signal.SIGHUP):\n"
                        + "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n";

        Execution execution = run(RUNNER, slowProgram(source, "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(execution.wall()).isLessThan(Boxes.CPU.plusMillis(1000));
    }

    @Test
    void s04ForkBombHitsThePidCapWhileAnotherBoxRuns() {
        CompletableFuture<Execution> bomb = RUNNER.execute(program("import os\nwhile True:\n    os.fork()\n", "1"))
                .toFuture();
        CompletableFuture<Execution> normal = RUNNER.execute(program("import os\nos.fork() or 0\n", "sum(range(10))"))
                .toFuture();

        Execution bombed = bomb.join();
        Execution fine = normal.join();

        assertThat(bombed.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
        assertThat(bombed.output().text()).contains("BlockingIOError: [Errno 11] Resource temporarily unavailable");
        assertThat(fine.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(fine.calls()).containsExactly(new CallResult(Outcome.RETURNED, "45", null));
    }

    @Test
    void s05ThreadFloodHitsTheCap() {
        String source = "import threading, time\nfor _ in range(100000):\n"
                + "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n";

        Execution execution = run(RUNNER, program(source, "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
        assertThat(execution.output().text()).contains("can't start new thread");
    }

    @Test
    void s06DetachedChildrenDoNotSurvive() {
        String source = "import os, subprocess\n"
                + "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                + "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        import time\n        time.sleep(600)\n"
                + "    os._exit(0)\n";

        Execution execution = run(RUNNER, program(source, "'parent'"));

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.RETURNED, "\"parent\"", null));
        // hostIsUnaffected: no process of the box uid is left
    }

    @Test
    void s07HugeAllocationIsAMemoryVerdict() {
        long heapBefore = Runtime.getRuntime().totalMemory();

        Execution execution = run(RUNNER, program("x = bytearray(8 << 30)\n", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.MEMORY);
        assertThat(execution.output().text()).isEqualTo("MemoryError\n");
        assertThat(Runtime.getRuntime().totalMemory()).isLessThan(heapBefore + (64L << 20));
    }

    @Test
    void s08SlowLeakIsAMemoryVerdict() {
        Execution execution = run(RUNNER, slowProgram("l = []\nwhile True:\n    l.append(' ' * 10**6)\n", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.MEMORY);
    }

    @Test
    void s09RecursionThroughCIsARuntimeErrorWithoutACoreFile() {
        String source = "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return eval('f(n + 1)')\n";

        Execution execution = run(RUNNER, program(source, "f(0)"));

        assertThat(execution.verdict()).isEqualTo(Verdict.RUNTIME_ERROR);
        assertThat(execution.calls())
                .containsExactly(new CallResult(Outcome.RAISED, null, "the interpreter crashed (signal 11)"));
        assertThat(WORKING_DIR.resolve("core")).doesNotExist();
    }

    @Test
    void s09PurePythonRecursionRunsIntoTheCpuLimit() {
        // Python 3.11 keeps Python-to-Python calls off the C stack, so this recursion only grows the heap.
        String source = "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1)\n";

        Execution execution = run(RUNNER, slowProgram(source, "f(0)"));

        assertThat(execution.verdict()).isEqualTo(Verdict.TIMEOUT);
        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.TIMEOUT, null, null));
    }

    @Test
    void s10PrintFloodIsCutAtTheCap() {
        Execution execution = run(RUNNER, program("while True:\n    print('x' * 10**6)\n", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.OUTPUT_LIMIT);
        assertThat(execution.output().truncated()).isTrue();
        assertThat(execution.output().text()).hasSize(64 << 10).matches("x+");
    }

    @Test
    void s11InvalidUtf8AndNulBytesAreDecodedWithReplacement() {
        String source = "import sys\nsys.stdout.buffer.write(b'ok\\xff\\xfe\\x00end')\nsys.stdout.flush()\n";

        Execution execution = run(RUNNER, program(source, "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.output()).isEqualTo(new Execution.Output("ok\uFFFD\uFFFD\u0000end", false));
    }

    @Test
    void s11EndlessStreamWithoutNewlineIsCut() {
        String source = "import sys\nwhile True:\n    sys.stdout.buffer.write(b'\\xff\\x00' * 4096)\n";

        Execution execution = run(RUNNER, program(source, "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.OUTPUT_LIMIT);
        assertThat(execution.output().truncated()).isTrue();
        assertThat(execution.output().text()).startsWith("\uFFFD\u0000\uFFFD\u0000");
    }

    @Test
    void s12StderrFloodIsCutAtTheCap() {
        Execution execution = run(RUNNER, program("import sys\nwhile True:\n    sys.stderr.write('e' * 10**6)\n", "1"));

        assertThat(execution.verdict()).isEqualTo(Verdict.OUTPUT_LIMIT);
        assertThat(execution.output().text()).hasSize(64 << 10).matches("e+");
    }

    @Test
    void s13HugeFilesFailInsideTheBox() throws IOException {
        long freeBefore = Files.getFileStore(WORKING_DIR).getUsableSpace();
        String source = "import os\ndef fill(path):\n    try:\n        with open(path, 'wb') as f:\n"
                + "            for _ in range(10 * 1024):\n                f.write(b'x' * (1 << 20))\n"
                + "    except OSError as e:\n        return e.errno\n    return 0\n";

        Execution execution = run(RUNNER, program(source, "fill('big')", "os.remove('big') or fill('/tmp/big2')"));

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        // EFBIG (27) at RLIMIT_FSIZE or ENOSPC (28) when the 16 MiB tmpfs is full, whichever comes first
        assertThat(execution.calls()).extracting(CallResult::value).allMatch(v -> "27".equals(v) || "28".equals(v));
        assertThat(Files.getFileStore(WORKING_DIR).getUsableSpace()).isGreaterThan(freeBefore - (64L << 20));
    }

    @Test
    void s14ManySmallFilesFillTheTmpfs() {
        String source = "def many():\n    for i in range(1000000):\n        with open('f%d' % i, 'w') as f:\n"
                + "            f.write('x')\n";

        Execution execution = run(RUNNER, slowProgram(source, "many()"));

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls().get(0).error()).startsWith("OSError: [Errno 28] No space left on device");
    }

    @Test
    void s15TheEnvironmentHoldsNothingOfTheService() {
        String source =
                "import os\ndef environ(pid):\n    try:\n        with open('/proc/%s/environ' % pid, 'rb') as f:\n"
                        + "            return f.read().decode('utf-8', 'replace')\n    except OSError as e:\n        return type(e).__name__\n"
                        + "def everything():\n    out = []\n    for pid in os.listdir('/proc'):\n        if pid.isdigit():\n"
                        + "            out.append(environ(pid))\n            try:\n                with open('/proc/%s/cmdline' % pid, 'rb') as f:\n"
                        + "                    out.append(f.read().decode('utf-8', 'replace'))\n            except OSError:\n                pass\n"
                        + "    return '\\n'.join(out)\n";

        Execution execution = run(
                RUNNER,
                program(
                        source,
                        "dict(os.environ)",
                        "environ('self')",
                        "environ(1)",
                        "environ(os.getppid())",
                        "sorted(p for p in os.listdir('/proc') if p.isdigit())",
                        "print(everything())"));

        assertThat(execution.calls())
                .extracting(CallResult::value)
                .containsExactly(
                        "{\"LC_CTYPE\":\"C.UTF-8\",\"PATH\":\"/usr/bin:/bin\",\"PWD\":\"/tmp\"}",
                        "\"PATH=/usr/bin:/bin\\u0000PWD=/tmp\\u0000\"",
                        "\"PATH=/usr/bin:/bin\\u0000PWD=/tmp\\u0000\"",
                        "\"FileNotFoundError\"",
                        "[\"1\"]",
                        "null");
        String everything = execution.output().text();
        assertThat(everything)
                .contains("/usr/bin/python3")
                .doesNotContain("java")
                .doesNotContain("surefire");
        for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
            if (variable.getValue().length() >= 6 && !"PATH".equals(variable.getKey())) {
                assertThat(everything.contains(variable.getValue()))
                        .as("the value of %s is visible in the box", variable.getKey())
                        .isFalse();
            }
        }
    }

    @Test
    void s16HostFilesAreAbsent() {
        String paths = Stream.of(
                        "/etc/shadow",
                        "/etc/passwd",
                        "/root/.ssh/id_rsa",
                        "/root",
                        "/work",
                        WORKING_DIR.resolve("pom.xml").toString(),
                        WORKING_DIR
                                .resolve("src/main/resources/application.yaml")
                                .toString(),
                        hostDir.toString())
                .map(path -> "'" + path + "'")
                .reduce((a, b) -> a + ", " + b)
                .orElseThrow();
        String source =
                "import os\ndef probe(path):\n    try:\n        os.listdir(path) if os.path.isdir(path) else open(path).read()\n"
                        + "        return 'READ'\n    except FileNotFoundError:\n        return 'absent'\n"
                        + "    except PermissionError:\n        return 'denied'\n"
                        + "def write(path):\n    try:\n        open(path, 'w').write('x')\n        return 'WROTE'\n"
                        + "    except OSError as e:\n        return type(e).__name__\n";

        Execution execution = run(
                RUNNER,
                program(
                        source,
                        "[probe(p) for p in [" + paths + "]]",
                        "[write(p + '/pwned') for p in ['" + WORKING_DIR + "', '" + hostDir
                                + "', '/usr/bin', '/', '/dev']]"));

        assertThat(execution.calls().get(0).value())
                .isEqualTo("[\"absent\",\"absent\",\"absent\",\"absent\",\"absent\",\"absent\",\"absent\",\"absent\"]");
        assertThat(execution.calls().get(1).value())
                .isEqualTo("[\"FileNotFoundError\",\"FileNotFoundError\",\"OSError\",\"OSError\",\"OSError\"]");
    }

    @Test
    void s18TheNetworkIsUnreachable() {
        String source = "import socket\ndef connect(host, port):\n    try:\n"
                + "        socket.create_connection((host, port), timeout=3).close()\n        return 'CONNECTED'\n"
                + "    except OSError as e:\n        return type(e).__name__ + ' ' + str(e.errno)\n"
                + "def resolve(name):\n    try:\n        return socket.getaddrinfo(name, 443)[0][4][0]\n"
                + "    except OSError as e:\n        return type(e).__name__\n";

        Execution execution = run(RUNNER, program(source, "connect('1.1.1.1', 443)", "resolve('example.com')"));

        assertThat(execution.calls()).extracting(CallResult::value).containsExactly("\"OSError 101\"", "\"gaierror\"");
        assertThat(execution.wall()).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void s19TheHostsLoopbackIsNotTheBoxs() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            String source = "import socket\ndef connect(port):\n    try:\n"
                    + "        socket.create_connection(('127.0.0.1', port), timeout=3).close()\n        return 'CONNECTED'\n"
                    + "    except OSError as e:\n        return type(e).__name__\n";

            Execution execution = run(RUNNER, program(source, "connect(" + server.getLocalPort() + ")"));

            assertThat(execution.calls())
                    .containsExactly(new CallResult(Outcome.RETURNED, "\"ConnectionRefusedError\"", null));
            try {
                server.accept().close();
                throw new AssertionError("the box reached the host's loopback");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }

    @Test
    void s20TheMetadataAddressIsUnreachable() {
        String source = "import socket\ndef connect():\n    try:\n"
                + "        socket.create_connection(('169.254.169.254', 80), timeout=3).close()\n        return 'CONNECTED'\n"
                + "    except OSError as e:\n        return e.errno\n";

        Execution execution = run(RUNNER, program(source, "connect()"));

        assertThat(execution.calls()).containsExactly(new CallResult(Outcome.RETURNED, "101", null));
    }

    @Test
    void s22KillingItsParentGroupOrTheHostHurtsNoOne() {
        CompletableFuture<Execution> other = RUNNER.execute(program("import time\n", "time.sleep(0.5) or 'other'"))
                .toFuture();
        long jvm = ProcessHandle.current().pid();

        // The program is pid 1 of its own pid namespace: its parent is outside (getppid() is 0), signals it sends
        // itself with the default action are ignored, and no host pid exists in there.
        Execution execution = run(
                RUNNER,
                program(
                        "import os\n",
                        "os.getppid()",
                        "os.kill(os.getppid(), 9)",
                        "os.killpg(0, 9)",
                        "os.kill(1, 9)",
                        "os.kill(" + jvm + ", 9)",
                        "'alive'"));

        assertThat(execution.verdict()).isEqualTo(Verdict.COMPLETED);
        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.RETURNED, "0", null),
                        new CallResult(Outcome.RETURNED, "null", null),
                        new CallResult(Outcome.RETURNED, "null", null),
                        new CallResult(Outcome.RETURNED, "null", null),
                        new CallResult(Outcome.RAISED, null, "ProcessLookupError: [Errno 3] No such process"),
                        new CallResult(Outcome.RETURNED, "\"alive\"", null));
        assertThat(other.join().calls()).containsExactly(new CallResult(Outcome.RETURNED, "\"other\"", null));
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void s23ExitingBeforeTheResultIsNeverAPass() {
        Execution module = run(RUNNER, program("import os\nos._exit(0)\n", "1"));
        Execution call = run(RUNNER, program("import os, sys\n", "1", "os._exit(0)", "3"));
        Execution systemExit = run(RUNNER, program("import sys\n", "sys.exit(0)"));

        assertThat(module.verdict()).isEqualTo(Verdict.NO_RESULT);
        assertThat(module.calls()).containsExactly(new CallResult(Outcome.NOT_RUN, null, null));
        assertThat(call.verdict()).isEqualTo(Verdict.NO_RESULT);
        assertThat(call.calls())
                .containsExactly(
                        new CallResult(Outcome.RETURNED, "1", null),
                        new CallResult(Outcome.RAISED, null, "the box ended without reporting this call"),
                        new CallResult(Outcome.NOT_RUN, null, null));
        assertThat(systemExit.calls()).containsExactly(new CallResult(Outcome.RAISED, null, "SystemExit: 0"));
    }

    @Test
    void s26InputGetsEndOfFileAtOnce() {
        Execution execution = run(RUNNER, program("", "input()"));

        assertThat(execution.calls())
                .containsExactly(new CallResult(Outcome.RAISED, null, "EOFError: EOF when reading a line"));
        assertThat(execution.wall()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void s27HardLimitsCannotBeRaised() {
        Execution execution = run(
                RUNNER,
                program(
                        "import resource\n",
                        "resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))",
                        "resource.setrlimit(resource.RLIMIT_NPROC, (10**6, 10**6))",
                        "resource.getrlimit(resource.RLIMIT_CORE)"));

        assertThat(execution.calls())
                .containsExactly(
                        new CallResult(Outcome.RAISED, null, "ValueError: not allowed to raise maximum limit"),
                        new CallResult(Outcome.RAISED, null, "ValueError: not allowed to raise maximum limit"),
                        new CallResult(Outcome.RETURNED, "[0,0]", null));
    }

    @Test
    void s28BackgroundThreadsDieAndTheNextBoxIsFresh() {
        String source = "import os, threading, time\nopen('/tmp/marker', 'w').write('1')\n"
                + "def keep():\n    while True:\n        open('/tmp/marker', 'a').write('x')\n        time.sleep(0.01)\n"
                + "threading.Thread(target=keep).start()\n";

        Execution first = run(RUNNER, program(source, "os.path.exists('/tmp/marker')"));
        Execution second = run(RUNNER, program("import os\n", "os.path.exists('/tmp/marker')", "os.listdir('/tmp')"));

        assertThat(first.calls()).containsExactly(new CallResult(Outcome.RETURNED, "true", null));
        assertThat(second.calls())
                .containsExactly(
                        new CallResult(Outcome.RETURNED, "false", null), new CallResult(Outcome.RETURNED, "[]", null));
    }

    @Test
    void s29BusyLoopsQueueBehindTheCapWhileStatusAnswersAtOnce() {
        List<CompletableFuture<Execution>> loops = Stream.generate(
                        () -> RUNNER.execute(slowProgram("while True:\n    pass\n", "1"))
                                .toFuture())
                .limit(4)
                .toList();
        CompletableFuture<Execution> normal =
                RUNNER.execute(program("", "6 * 7")).toFuture();

        long started = System.nanoTime();
        SandboxStatus status = RUNNER.status();
        Duration statusTook = Duration.ofNanos(System.nanoTime() - started);
        int running = RUNNER.running();

        assertThat(status.available()).isTrue();
        assertThat(statusTook).isLessThan(Duration.ofMillis(100));
        assertThat(running).isLessThanOrEqualTo(2);
        assertThat(loops).allSatisfy(loop -> assertThat(loop.join().verdict()).isEqualTo(Verdict.TIMEOUT));
        assertThat(normal.join().calls()).containsExactly(new CallResult(Outcome.RETURNED, "42", null));
    }
}
