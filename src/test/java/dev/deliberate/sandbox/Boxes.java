package dev.deliberate.sandbox;

import dev.deliberate.testkit.Sandboxes;
import java.time.Duration;
import java.util.List;

/** Shared pieces of the sandbox tests: small limits so that hostile programs end fast, and a /proc scan. */
final class Boxes {

    static final Duration CPU = Duration.ofSeconds(2);

    private Boxes() {}

    static SandboxSettings small() {
        return SandboxSettings.defaults().withLimits(CPU, 256L << 20, 64 << 10, Duration.ofSeconds(10));
    }

    static Program program(String source, String... calls) {
        return new Program(source, List.of(calls), Duration.ofSeconds(1), 7);
    }

    static Execution run(CodeRunner runner, Program program) {
        Execution execution = runner.execute(program).block(Duration.ofSeconds(30));
        if (execution == null) {
            throw new AssertionError("no execution");
        }
        return execution;
    }

    /** Pids of live processes owned by any of the runner's box uids, read from /proc (the host's view). */
    static List<Long> boxProcesses(SandboxSettings settings) {
        return Sandboxes.boxProcesses(settings);
    }
}
