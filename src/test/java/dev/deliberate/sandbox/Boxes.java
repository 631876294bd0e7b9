package dev.deliberate.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    Object uid = Files.getAttribute(entry, "unix:uid");
                    int owner = (Integer) uid;
                    if (owner <= settings.uid() && owner > settings.uid() - settings.maxConcurrent()) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
