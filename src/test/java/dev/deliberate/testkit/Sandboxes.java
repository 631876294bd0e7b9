package dev.deliberate.testkit;

import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.sandbox.SandboxSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One real sandbox for the tests that run code, with the shipped settings: its self-check runs once for the whole
 * test JVM. CI installs bubblewrap and Debian's python3, so a machine without them fails these tests, never skips.
 */
public final class Sandboxes {

    private static final BubblewrapCodeRunner RUNNER = new BubblewrapCodeRunner(SandboxSettings.defaults());

    private Sandboxes() {}

    public static CodeRunner runner() {
        return RUNNER;
    }

    /** Pids of live processes owned by any of the box uids of {@code settings}, read from /proc (the host's view). */
    public static List<Long> boxProcesses(SandboxSettings settings) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    int owner = (Integer) Files.getAttribute(entry, "unix:uid");
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

    /** Each of {@code pids} as "pid state ppid cmdline" from /proc, for failure messages. */
    public static List<String> describe(List<Long> pids) {
        List<String> described = new ArrayList<>();
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                        .replace('\0', ' ')
                        .strip();
                described.add(pid + " " + fields[0] + " ppid=" + fields[1] + " " + cmdline);
            } catch (IOException e) {
                described.add(pid + " (gone)");
            }
        }
        return described;
    }
}
