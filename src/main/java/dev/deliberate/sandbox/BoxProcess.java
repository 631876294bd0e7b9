package dev.deliberate.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.MonoSink;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One box: its process started with an empty environment, its job written to stdin, its two streams read through
 * byte caps, and its whole process tree killed at the wall deadline, at the output cap, or on cancel. Everything
 * blocking here runs on the runner's own executor.
 */
final class BoxProcess {

    private static final SecureRandom NONCES = new SecureRandom();

    /**
     * What came back from one box.
     *
     * @param records the result lines that carried this run's nonce, in arrival order
     * @param exitCode the exit status of bubblewrap (128 + signal when its child was killed), or -1 if it never started
     * @param startError why the process could not be started
     */
    record Result(
            int slot,
            List<JsonNode> records,
            byte[] output,
            boolean outputTruncated,
            boolean resultOverflow,
            boolean deadlineHit,
            int exitCode,
            Duration wall,
            @Nullable String startError) {

        Execution.Output outputText() {
            return new Execution.Output(new String(output, java.nio.charset.StandardCharsets.UTF_8), outputTruncated);
        }
    }

    private final IntFunction<List<String>> command;
    private final Map<String, Object> job;
    private final Duration deadline;
    private final int outputCap;
    private final int resultCap;
    private final JsonMapper json;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final MonoSink<Result> sink;

    private volatile int slot = -1;
    private volatile @Nullable Process process;
    private volatile boolean cancelled;
    private volatile boolean deadlineHit;
    private volatile boolean outputTruncated;
    private volatile boolean resultOverflow;

    BoxProcess(
            IntFunction<List<String>> command,
            Map<String, Object> job,
            Duration deadline,
            int outputCap,
            int resultCap,
            JsonMapper json,
            ExecutorService io,
            ScheduledExecutorService timer,
            MonoSink<Result> sink) {
        this.command = command;
        this.job = job;
        this.deadline = deadline;
        this.outputCap = outputCap;
        this.resultCap = resultCap;
        this.json = json;
        this.io = io;
        this.timer = timer;
        this.sink = sink;
    }

    void assign(int slot) {
        this.slot = slot;
    }

    int slot() {
        return slot;
    }

    MonoSink<Result> sink() {
        return sink;
    }

    /** Kills the box if it runs; a job not yet started will not start. Never blocks: the kill is a signal. */
    void cancel() {
        cancelled = true;
        try {
            timer.execute(this::kill);
        } catch (RejectedExecutionException e) {
            kill(); // the runner is closing
        }
    }

    /**
     * Kills the box: every process below the root ({@code setpriv} exec'd into {@code unshare}), bubblewrap and python
     * first among them. Bubblewrap is the init of the box's outer pid namespace, so its death makes the kernel kill
     * and reap whatever it started, at any stage of its setup, and {@code unshare} reaps bubblewrap and exits. The root
     * itself is never killed while it works: killed, it would leave bubblewrap a zombie for the host's init, which
     * may never reap it (zombies of a box uid count against RLIMIT_NPROC). A process that was still being forked at
     * the first kill is caught by a second one; only a root still alive after a second is killed. Never blocks.
     */
    void kill() {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        // ProcessHandle's kill leaves the pipes open, so results already written can still be read.
        killBelow(running);
        try {
            timer.schedule(() -> killBelow(running), 200, TimeUnit.MILLISECONDS);
            timer.schedule(
                    () -> {
                        if (running.isAlive()) {
                            running.toHandle().destroyForcibly();
                        }
                    },
                    1,
                    TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            running.toHandle().destroyForcibly();
        }
    }

    private static void killBelow(Process running) {
        if (running.isAlive()) {
            running.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Runs the box to its end; blocking, on an executor thread. */
    Result run() {
        long started = System.nanoTime();
        if (cancelled) {
            return new Result(slot, List.of(), new byte[0], false, false, false, -1, Duration.ZERO, "cancelled");
        }
        byte[] nonceBytes = new byte[16];
        NONCES.nextBytes(nonceBytes);
        String nonce = HexFormat.of().formatHex(nonceBytes);
        Map<String, Object> withNonce = new LinkedHashMap<>(job);
        withNonce.put("nonce", nonce);
        byte[] input = json.writeValueAsBytes(withNonce);

        Process started0;
        try {
            ProcessBuilder builder = new ProcessBuilder(command.apply(slot));
            // Bubblewrap's own pid 1 in the box keeps the environment it was started with, and the box's uid can
            // read /proc/1/environ: so it starts with nothing of the JVM's.
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/bin:/bin");
            started0 = builder.start();
        } catch (IOException | RuntimeException e) {
            return new Result(
                    slot,
                    List.of(),
                    new byte[0],
                    false,
                    false,
                    false,
                    -1,
                    elapsed(started),
                    String.valueOf(e.getMessage()));
        }
        Process box = started0;
        process = box;
        if (cancelled) {
            kill();
        }
        ScheduledFuture<?> timeout = timer.schedule(
                () -> {
                    deadlineHit = true;
                    kill();
                },
                deadline.toNanos(),
                TimeUnit.NANOSECONDS);
        Future<byte[]> output = io.submit(() -> readOutput(box.getErrorStream()));
        try (OutputStream stdin = box.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            // The box ended before reading its job; its exit status tells why.
        }
        List<JsonNode> records = readResults(box.getInputStream(), nonce);
        int exit = awaitExit(box);
        timeout.cancel(false);
        byte[] text = awaitOutput(box, output);
        return new Result(
                slot, records, text, outputTruncated, resultOverflow, deadlineHit, exit, elapsed(started), null);
    }

    private int awaitExit(Process box) {
        try {
            return box.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return -1;
        }
    }

    private byte[] awaitOutput(Process box, Future<byte[]> output) {
        try {
            // The pid namespace is gone with bubblewrap, so every writer of the pipe is dead and EOF is immediate;
            // the bound is a backstop.
            return output.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            closeQuietly(box.getErrorStream());
            return new byte[0];
        } catch (ExecutionException e) {
            return new byte[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new byte[0];
        }
    }

    private byte[] readOutput(InputStream stream) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (stream) {
            int read;
            while ((read = stream.read(buffer)) != -1) {
                int room = outputCap - kept.size();
                if (read > room) {
                    kept.write(buffer, 0, room);
                    outputTruncated = true;
                    kill();
                    break;
                }
                kept.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // closed under us at the end of the run
        }
        return kept.toByteArray();
    }

    private List<JsonNode> readResults(InputStream stream, String nonce) {
        List<JsonNode> records = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        try (stream) {
            int read;
            while ((read = stream.read(buffer)) != -1) {
                total += read;
                if (total > resultCap) {
                    resultOverflow = true;
                    kill();
                    break;
                }
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, from, i - from);
                        accept(line.toByteArray(), nonce, records);
                        line.reset();
                        from = i + 1;
                    }
                }
                line.write(buffer, from, read - from);
            }
        } catch (IOException e) {
            // closed under us at the end of the run
        }
        return records;
    }

    private void accept(byte[] line, String nonce, List<JsonNode> records) {
        try {
            JsonNode record = json.readTree(line);
            JsonNode carried = record.get("nonce");
            if (record.isObject() && carried != null && carried.isString() && nonce.equals(carried.stringValue())) {
                records.add(record);
            }
        } catch (JacksonException e) {
            // Not a result line: the program wrote to the channel, or a line was torn. Ignored.
        }
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
