package dev.deliberate.bench;

import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.Execution;
import dev.deliberate.sandbox.Program;
import dev.deliberate.sandbox.SandboxSettings;
import dev.deliberate.sandbox.SandboxStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Flux;

/**
 * What one sandboxed execution costs: executions per second through {@link BubblewrapCodeRunner} at concurrency 1 and
 * 2 (a trivial program with one call), side by side with a bare {@code python3 -I -S -c pass} spawned from Java, so
 * the difference is the box's own overhead (setpriv, prlimit, bubblewrap's namespaces and mounts, the harness).
 *
 * <p>Run with {@code mvn -q -Pbench verify} ({@code -Dbench.sandbox.skip=true} to leave it out); settings:
 * {@code bench.sandboxRuns} (200 per row), {@code bench.sandboxOutput} (target/bench/sandbox.md).
 */
public final class SandboxBenchmark {

    private SandboxBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("bench.sandboxRuns", 200);
        Path output = Path.of(System.getProperty("bench.sandboxOutput", "target/bench/sandbox.md"));
        SandboxSettings settings = SandboxSettings.defaults();
        List<String> rows = new ArrayList<>();
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(settings)) {
            SandboxStatus status = runner.verify().block(Duration.ofSeconds(30));
            if (status == null || !status.available()) {
                throw new IllegalStateException("sandbox unavailable: " + (status == null ? "?" : status.detail()));
            }
            Program program = new Program("def f(x):\n    return x + 1\n", List.of("f(41)"), Duration.ofSeconds(2), 1);
            bare(runs / 10); // warm-up
            sandboxed(runner, program, runs / 10, 1);
            double bare = bare(runs);
            double one = sandboxed(runner, program, runs, 1);
            double two = sandboxed(runner, program, runs, 2);
            rows.add(row("bare `python3 -I -S -c pass` from Java, sequential", runs, bare, bare));
            rows.add(row("sandboxed execution, concurrency 1", runs, one, bare));
            rows.add(row("sandboxed execution, concurrency 2", runs, two, bare));
        }
        String report = "| run | executions | per second | mean ms / execution | overhead vs bare (ms) |\n"
                + "|---|---:|---:|---:|---:|\n"
                + String.join("\n", rows) + "\n\n"
                + "cores: " + Runtime.getRuntime().availableProcessors() + ", java "
                + System.getProperty("java.version")
                + "\n";
        System.out.println(report);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report, StandardCharsets.UTF_8);
    }

    /** Mean milliseconds per bare interpreter start. */
    private static double bare(int runs) throws IOException, InterruptedException {
        long started = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", "-I", "-S", "-c", "pass");
            builder.environment().clear();
            builder.redirectErrorStream(true);
            Process process = builder.start();
            process.getInputStream().readAllBytes();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("python3 failed");
            }
        }
        return (System.nanoTime() - started) / 1e6 / runs;
    }

    /** Wall milliseconds per execution, {@code concurrency} at a time. */
    private static double sandboxed(BubblewrapCodeRunner runner, Program program, int runs, int concurrency) {
        long started = System.nanoTime();
        List<Execution> done = Flux.range(0, runs)
                .flatMap(i -> runner.execute(program), concurrency)
                .collectList()
                .block(Duration.ofMinutes(5));
        double millis = (System.nanoTime() - started) / 1e6;
        if (done == null || done.stream().anyMatch(e -> e.verdict() != Execution.Verdict.COMPLETED)) {
            throw new IllegalStateException("an execution did not complete");
        }
        return millis / runs;
    }

    private static String row(String name, int runs, double millisPerRun, double bareMillis) {
        return String.format(
                Locale.ROOT,
                "| %s | %d | %.1f | %.1f | %+.1f |",
                name,
                runs,
                1000.0 / millisPerRun,
                millisPerRun,
                millisPerRun - bareMillis);
    }
}
