package dev.deliberate.sandbox;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link BubblewrapCodeRunner} builds and bounds its boxes. The rlimits are set as hard limits, so the program
 * cannot raise them.
 *
 * @param enabled when false the runner reports itself unavailable and runs nothing
 * @param bwrap bubblewrap's binary
 * @param setpriv util-linux {@code setpriv}, which drops to the box's uid before bubblewrap starts
 * @param prlimit util-linux {@code prlimit}, which sets the hard rlimits
 * @param python the interpreter inside the box; it must be readable by the box's uid (Debian's {@code
 *     /usr/bin/python3}, not one under a home directory)
 * @param uid the uid of the first concurrent box; box {@code k} runs as {@code uid - k}, so that each box has its own
 *     process count (RLIMIT_NPROC counts per uid) and one box's fork bomb cannot starve another. These uids must not be
 *     used by anything else on the host.
 * @param maxConcurrent boxes running at once
 * @param maxQueued executions waiting for a box; beyond it calls fail at once with {@code sandbox_busy}
 * @param cpu RLIMIT_CPU of each process in the box
 * @param memoryBytes RLIMIT_AS (address space) of each process in the box
 * @param maxProcesses RLIMIT_NPROC: processes and threads of the box's uid
 * @param fileSizeBytes RLIMIT_FSIZE: the largest file the box can write
 * @param openFiles RLIMIT_NOFILE
 * @param tmpfsBytes size of the box's only writable directory, {@code /tmp}
 * @param outputCapBytes the program's stdout and stderr together; past it the box is killed ({@link
 *     Execution.Verdict#OUTPUT_LIMIT})
 * @param maxWall the longest wall time of one box, whatever its calls ask for
 * @param startup wall time allowed for the box and the interpreter to start, added to the calls' time
 */
public record SandboxSettings(
        boolean enabled,
        Path bwrap,
        Path setpriv,
        Path prlimit,
        Path python,
        int uid,
        int maxConcurrent,
        int maxQueued,
        Duration cpu,
        long memoryBytes,
        int maxProcesses,
        long fileSizeBytes,
        int openFiles,
        long tmpfsBytes,
        int outputCapBytes,
        Duration maxWall,
        Duration startup) {

    public SandboxSettings {
        require(maxConcurrent >= 1, "max-concurrent must be at least 1, was " + maxConcurrent);
        require(maxQueued >= 0, "max-queued must not be negative, was " + maxQueued);
        require(uid - maxConcurrent + 1 > 0, "uid " + uid + " leaves no non-root uid for " + maxConcurrent + " boxes");
        require(cpu.toSeconds() >= 1, "cpu must be at least 1s, was " + cpu);
        require(memoryBytes >= 64L << 20, "memory must be at least 64MB, was " + memoryBytes);
        require(maxProcesses >= 4, "max-processes must be at least 4, was " + maxProcesses);
        require(fileSizeBytes > 0, "file-size must be positive, was " + fileSizeBytes);
        require(openFiles >= 16, "open-files must be at least 16, was " + openFiles);
        require(tmpfsBytes > 0, "tmpfs-size must be positive, was " + tmpfsBytes);
        require(outputCapBytes > 0, "output-cap must be positive, was " + outputCapBytes);
        require(maxWall.compareTo(Duration.ofSeconds(1)) >= 0, "max-wall must be at least 1s, was " + maxWall);
        require(!startup.isNegative(), "startup must not be negative, was " + startup);
    }

    /**
     * util-linux's {@code unshare}, beside {@code setpriv}: it holds each box in a pid namespace of its own whose init
     * is bubblewrap, so that whatever is killed, the kernel and {@code unshare} reap every process of the box.
     */
    public Path unshare() {
        return setpriv.resolveSibling("unshare");
    }

    /** The shipped defaults (see docs/sandbox.md). */
    public static SandboxSettings defaults() {
        return new SandboxSettings(
                true,
                Path.of("/usr/bin/bwrap"),
                Path.of("/usr/bin/setpriv"),
                Path.of("/usr/bin/prlimit"),
                Path.of("/usr/bin/python3"),
                65534,
                2,
                64,
                Duration.ofSeconds(10),
                512L << 20,
                64,
                16L << 20,
                64,
                16L << 20,
                64 << 10,
                Duration.ofSeconds(60),
                Duration.ofSeconds(2));
    }

    public SandboxSettings withBinaries(Path bwrap, Path python) {
        return new SandboxSettings(
                enabled,
                bwrap,
                setpriv,
                prlimit,
                python,
                uid,
                maxConcurrent,
                maxQueued,
                cpu,
                memoryBytes,
                maxProcesses,
                fileSizeBytes,
                openFiles,
                tmpfsBytes,
                outputCapBytes,
                maxWall,
                startup);
    }

    public SandboxSettings withConcurrency(int maxConcurrent, int maxQueued) {
        return new SandboxSettings(
                enabled,
                bwrap,
                setpriv,
                prlimit,
                python,
                uid,
                maxConcurrent,
                maxQueued,
                cpu,
                memoryBytes,
                maxProcesses,
                fileSizeBytes,
                openFiles,
                tmpfsBytes,
                outputCapBytes,
                maxWall,
                startup);
    }

    public SandboxSettings withLimits(Duration cpu, long memoryBytes, int outputCapBytes, Duration maxWall) {
        return new SandboxSettings(
                enabled,
                bwrap,
                setpriv,
                prlimit,
                python,
                uid,
                maxConcurrent,
                maxQueued,
                cpu,
                memoryBytes,
                maxProcesses,
                fileSizeBytes,
                openFiles,
                tmpfsBytes,
                outputCapBytes,
                maxWall,
                startup);
    }

    public SandboxSettings withEnabled(boolean enabled) {
        return new SandboxSettings(
                enabled,
                bwrap,
                setpriv,
                prlimit,
                python,
                uid,
                maxConcurrent,
                maxQueued,
                cpu,
                memoryBytes,
                maxProcesses,
                fileSizeBytes,
                openFiles,
                tmpfsBytes,
                outputCapBytes,
                maxWall,
                startup);
    }

    /** The uid of box slot {@code slot}. */
    int uidOf(int slot) {
        return uid - slot;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("deliberate.sandbox." + message);
        }
    }
}
