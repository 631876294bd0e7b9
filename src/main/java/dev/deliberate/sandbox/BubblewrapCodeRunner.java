package dev.deliberate.sandbox;

import dev.deliberate.sandbox.CallResult.Outcome;
import dev.deliberate.sandbox.Execution.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs each program in a fresh bubblewrap box: {@code setpriv} drops to an unprivileged uid (RLIMIT_NPROC is not
 * enforced for uid 0), {@code prlimit} sets hard rlimits, and {@code bwrap} unshares every namespace (no network but
 * its own loopback, its own pids) over a read-only view of {@code /usr} and a size-capped {@code /tmp}. Python starts
 * isolated ({@code -I -S}) with the harness as its {@code -c} argument, so no host file is bound for it.
 *
 * <p>Before the first box, a self-check box proves the isolation on this machine; until it passed, and forever after
 * it failed, every call fails with {@link SandboxUnavailableException} ({@code sandbox_unavailable}). Blocking work
 * (process start, stream reads, waits) runs on this runner's own bounded threads, never on the caller's.
 */
public final class BubblewrapCodeRunner implements CodeRunner, AutoCloseable {

    private static final String HARNESS_RESOURCE = "/sandbox/harness.py";
    private static final Duration CHECK_DEADLINE = Duration.ofSeconds(15);
    private static final int SIGKILL = 9;
    private static final int SIGXCPU = 24;
    private static final List<Integer> CRASH_SIGNALS = List.of(4, 6, 7, 8, 11); // ILL, ABRT, BUS, FPE, SEGV
    private static final int HARNESS_MEMORY_EXIT = 3;

    private final SandboxSettings settings;
    private final String harness;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ExecutorService io;
    private final ScheduledThreadPoolExecutor timer;
    private final BoxSlots slots;
    private final Set<BoxProcess> live = ConcurrentHashMap.newKeySet();
    private final AtomicReference<SandboxStatus> status =
            new AtomicReference<>(new SandboxStatus(false, "isolation not verified yet"));
    private final Mono<SandboxStatus> verification;

    public BubblewrapCodeRunner(SandboxSettings settings) {
        this.settings = settings;
        this.harness = loadHarness();
        this.io = Executors.newFixedThreadPool(2 * settings.maxConcurrent() + 1, daemonThreads("sandbox-io"));
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("sandbox-deadline"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.slots = new BoxSlots(settings.maxConcurrent(), settings.maxQueued());
        this.verification = Mono.defer(this::selfCheck)
                .onErrorResume(error -> Mono.just(new SandboxStatus(false, "self-check failed: " + error)))
                .doOnNext(status::set)
                .cache();
    }

    @Override
    public SandboxStatus status() {
        return status.get();
    }

    /** Runs the self-check once (later calls replay its result); the runner calls it itself before the first box. */
    public Mono<SandboxStatus> verify() {
        return verification;
    }

    /** Boxes running now, and executions waiting for one. */
    public int running() {
        return slots.running(settings.maxConcurrent());
    }

    public int queued() {
        return slots.queued();
    }

    public SandboxSettings settings() {
        return settings;
    }

    @Override
    public Mono<Execution> execute(Program program) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("mode", "calls");
        job.put("source", program.source());
        job.put("calls", program.calls());
        job.put("timeout", program.callTimeout().toNanos() / 1e9);
        job.put("seed", program.seed());
        // The module and each call get the call timeout inside the box; the wall deadline is the backstop for code
        // that defeats it (a C loop, a reset SIGALRM handler).
        Duration calls = program.callTimeout().multipliedBy(program.calls().size() + 1L);
        Duration deadline = min(settings.startup().plus(calls), settings.maxWall());
        int resultCap = 64 * 1024 * (program.calls().size() + 4);
        return available()
                .then(Mono.defer(() -> box(job, deadline, resultCap)))
                .map(result -> execution(result, program.calls().size()));
    }

    @Override
    public Mono<List<Outline>> outline(List<String> sources) {
        List<String> copy = List.copyOf(sources);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("mode", "outline");
        job.put("sources", copy);
        Duration deadline = min(
                settings.startup().plus(Duration.ofSeconds(2)).plus(Duration.ofMillis(500L * copy.size())),
                settings.maxWall());
        long size = copy.stream().mapToLong(String::length).sum();
        int resultCap = (int) Math.min(Integer.MAX_VALUE / 2, 64 * 1024 + 8 * size);
        return available()
                .then(Mono.defer(() -> box(job, deadline, resultCap)))
                .map(result -> outlines(result, copy.size()));
    }

    /** Kills every box still running, then stops this runner's threads; Spring calls it at shutdown. */
    @Override
    public void close() {
        live.forEach(BoxProcess::kill);
        timer.shutdown();
        io.shutdown();
        try {
            // A killed box ends within moments; its reader threads then finish and reap it, so no box outlives the JVM.
            io.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdownNow();
        timer.shutdownNow();
    }

    private Mono<Void> available() {
        return verification.flatMap(verified -> verified.available()
                ? Mono.<Void>empty()
                : Mono.error(new SandboxUnavailableException(
                        "sandbox_unavailable", "code execution is unavailable: " + verified.detail())));
    }

    private Mono<BoxProcess.Result> box(Map<String, Object> job, Duration deadline, int resultCap) {
        return Mono.create(sink -> {
            BoxProcess box = new BoxProcess(
                    this::command, job, deadline, settings.outputCapBytes(), resultCap, json, io, timer, sink);
            sink.onCancel(() -> {
                slots.withdraw(box);
                box.cancel();
            });
            switch (slots.admit(box)) {
                case STARTED -> launch(box);
                case QUEUED -> {
                    // launched by the box that frees a slot
                }
                case BUSY ->
                    sink.error(new SandboxUnavailableException(
                            "sandbox_busy",
                            "the sandbox is busy: " + settings.maxConcurrent() + " boxes running and "
                                    + settings.maxQueued() + " executions waiting; retry later"));
            }
        });
    }

    private void launch(BoxProcess box) {
        try {
            io.execute(() -> runToEnd(box));
        } catch (RejectedExecutionException e) {
            slots.release(box.slot());
            box.sink().error(new SandboxUnavailableException("sandbox_unavailable", "the sandbox is shut down"));
        }
    }

    private void runToEnd(BoxProcess box) {
        live.add(box);
        {
            BoxProcess.Result result = null;
            Throwable failure = null;
            try {
                result = box.run();
            } catch (RuntimeException | Error e) {
                failure = e;
            } finally {
                live.remove(box);
                BoxProcess next = slots.release(box.slot());
                if (next != null) {
                    launch(next);
                }
            }
            if (result != null) {
                box.sink().success(result);
            } else {
                box.sink().error(Objects.requireNonNull(failure));
            }
        }
    }

    List<String> command(int slot) {
        int uid = settings.uidOf(slot);
        List<String> command = new ArrayList<>(List.of(
                // The reaper: killing a box during bubblewrap's setup made bubblewrap exit without reaping its child,
                // a zombie of the box uid that only the host's init could reap, and a JVM running as pid 1, or an
                // init that does not reap, never does (zombies count against RLIMIT_NPROC). Here bubblewrap is the
                // init of an outer pid namespace: when it dies the kernel kills and reaps everything below it, and
                // unshare, whose parent is the JVM, reaps bubblewrap. Java kills below unshare, never unshare itself.
                settings.setpriv().toString(),
                // unshare dies with the JVM (and with it, through --kill-child, the box).
                "--pdeathsig=KILL",
                settings.unshare().toString(),
                "--pid",
                "--kill-child=KILL",
                "--",
                settings.setpriv().toString(),
                "--reuid=" + uid,
                "--regid=" + uid,
                "--clear-groups",
                "--inh-caps=-all",
                settings.prlimit().toString(),
                "--cpu=" + settings.cpu().toSeconds(),
                "--as=" + settings.memoryBytes(),
                "--nproc=" + settings.maxProcesses(),
                "--fsize=" + settings.fileSizeBytes(),
                "--nofile=" + settings.openFiles(),
                "--core=0",
                // An explicit stack cap, so that runaway recursion segfaults at once whatever the service inherited.
                "--stack=" + (8L << 20),
                settings.bwrap().toString(),
                "--unshare-all",
                "--unshare-user",
                "--disable-userns",
                "--die-with-parent",
                // No reaper inside: bwrap's own pid 1 outlives the outer bwrap as a zombie whose new parent (the
                // container's init, or a JVM running as pid 1) may never reap it, and zombies of the box uid count
                // against RLIMIT_NPROC. As pid 1, python's exit tears the pid namespace down with all it started.
                "--as-pid-1",
                "--new-session",
                "--clearenv",
                "--setenv",
                "PATH",
                "/usr/bin:/bin",
                // Only the system's programs and libraries: the repo, /etc, /root, /home and /work are simply absent.
                "--ro-bind",
                "/usr/bin",
                "/usr/bin",
                "--ro-bind",
                "/usr/lib",
                "/usr/lib",
                "--ro-bind-try",
                "/usr/lib64",
                "/usr/lib64",
                "--symlink",
                "usr/bin",
                "/bin",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--remount-ro",
                "/dev",
                "--size",
                Long.toString(settings.tmpfsBytes()),
                "--tmpfs",
                "/tmp",
                // bwrap's root is a tmpfs without a size cap: read-only, so /tmp is the only place to write.
                "--remount-ro",
                "/",
                "--chdir",
                "/tmp",
                settings.python().toString(),
                "-I",
                "-S",
                "-B",
                "-c",
                harness));
        return command;
    }

    private Execution execution(BoxProcess.Result result, int callCount) {
        if (result.startError() != null) {
            throw new SandboxUnavailableException(
                    "sandbox_unavailable", "the sandbox could not start a box: " + result.startError());
        }
        JsonNode module = null;
        boolean done = false;
        boolean memory = false;
        Map<Integer, CallResult> reported = new HashMap<>();
        for (JsonNode record : result.records()) {
            String kind = text(record, "kind");
            if ("module".equals(kind) && module == null) {
                module = record;
            } else if ("call".equals(kind)
                    && record.get("index") != null
                    && record.get("index").isInt()) {
                int index = record.get("index").intValue();
                CallResult call = callResult(record);
                if (index >= 0 && index < callCount && call != null && !reported.containsKey(index)) {
                    reported.put(index, call);
                    memory |= flag(record, "memory");
                }
            } else if ("done".equals(kind)) {
                done = true;
            }
        }
        boolean loaded = module != null && flag(module, "ok");
        Verdict verdict;
        String crash = null;
        if (result.outputTruncated() || result.resultOverflow()) {
            verdict = Verdict.OUTPUT_LIMIT;
        } else if (result.deadlineHit()) {
            verdict = Verdict.TIMEOUT;
        } else if (module != null && !loaded) {
            verdict = switch (String.valueOf(text(module, "cause"))) {
                case "memory" -> Verdict.MEMORY;
                case "timeout" -> Verdict.TIMEOUT;
                default -> Verdict.RUNTIME_ERROR;
            };
        } else if (done && reported.size() == callCount) {
            verdict = memory ? Verdict.MEMORY : Verdict.COMPLETED;
        } else {
            int signal = result.exitCode() > 128 ? result.exitCode() - 128 : 0;
            if (result.exitCode() == HARNESS_MEMORY_EXIT) {
                verdict = Verdict.MEMORY;
            } else if ((signal == SIGKILL || signal == SIGXCPU) && cpuLimitReachable(result.wall())) {
                verdict = Verdict.TIMEOUT;
            } else if (CRASH_SIGNALS.contains(signal)) {
                verdict = Verdict.RUNTIME_ERROR;
                crash = "the interpreter crashed (signal " + signal + ")";
            } else {
                verdict = Verdict.NO_RESULT;
            }
        }
        List<CallResult> calls = new ArrayList<>(callCount);
        boolean runningSeen = false;
        for (int index = 0; index < callCount; index++) {
            CallResult call = reported.get(index);
            if (call == null) {
                if (loaded && !runningSeen) {
                    // The first unreported call after the module loaded was the one running when the box ended.
                    runningSeen = true;
                    call = verdict == Verdict.TIMEOUT
                            ? new CallResult(Outcome.TIMEOUT, null, null)
                            : new CallResult(Outcome.RAISED, null, ended(verdict, crash));
                } else {
                    call = new CallResult(Outcome.NOT_RUN, null, null);
                }
            }
            calls.add(call);
        }
        return new Execution(verdict, calls, outputWithModuleError(result, module, loaded), result.wall());
    }

    /** The module's error is part of what the program "printed": the traceback a developer would have seen. */
    private static Execution.Output outputWithModuleError(
            BoxProcess.Result result, @Nullable JsonNode module, boolean loaded) {
        Execution.Output output = result.outputText();
        String error = module == null || loaded || output.truncated() ? null : text(module, "error");
        if (error == null) {
            return output;
        }
        String separator = output.text().isEmpty() || output.text().endsWith("\n") ? "" : "\n";
        return new Execution.Output(output.text() + separator + error + "\n", output.truncated());
    }

    private static String ended(Verdict verdict, @Nullable String crash) {
        return switch (verdict) {
            case MEMORY -> "MemoryError";
            case OUTPUT_LIMIT -> "the box was killed: its output passed the cap";
            case RUNTIME_ERROR -> crash == null ? "the box ended" : crash;
            default -> "the box ended without reporting this call";
        };
    }

    /** A SIGKILL is the CPU limit's only if that much CPU time could have been spent in the wall time it ran. */
    private boolean cpuLimitReachable(Duration wall) {
        long cores = Runtime.getRuntime().availableProcessors();
        return wall.multipliedBy(cores).compareTo(settings.cpu().minusMillis(100)) >= 0;
    }

    private static @Nullable CallResult callResult(JsonNode record) {
        String outcome = text(record, "outcome");
        if (outcome == null) {
            return null;
        }
        return switch (outcome) {
            case "RETURNED" -> new CallResult(Outcome.RETURNED, text(record, "value"), null);
            case "RAISED" ->
                new CallResult(Outcome.RAISED, null, Objects.requireNonNullElse(text(record, "error"), "error"));
            case "TIMEOUT" -> new CallResult(Outcome.TIMEOUT, null, null);
            default -> null;
        };
    }

    private List<Outline> outlines(BoxProcess.Result result, int count) {
        if (result.startError() != null) {
            throw new SandboxUnavailableException(
                    "sandbox_unavailable", "the sandbox could not start a box: " + result.startError());
        }
        Map<Integer, Outline> byIndex = new HashMap<>();
        for (JsonNode record : result.records()) {
            JsonNode index = record.get("index");
            if ("outline".equals(text(record, "kind")) && index != null && index.isInt()) {
                byIndex.putIfAbsent(index.intValue(), outline(record));
            }
        }
        String failure = result.deadlineHit()
                ? "reading the source took too long"
                : result.resultOverflow()
                        ? "the outline was too large"
                        : "the parser did not finish (exit " + result.exitCode() + ")";
        List<Outline> outlines = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            outlines.add(byIndex.getOrDefault(index, new Outline(failure, List.of(), List.of())));
        }
        return outlines;
    }

    private static Outline outline(JsonNode record) {
        String syntaxError = text(record, "syntax_error");
        if (syntaxError != null) {
            return new Outline(syntaxError, List.of(), List.of());
        }
        List<Outline.Function> functions = new ArrayList<>();
        JsonNode functionNodes = record.get("functions");
        if (functionNodes != null && functionNodes.isArray()) {
            for (JsonNode function : functionNodes) {
                functions.add(new Outline.Function(
                        Objects.requireNonNullElse(text(function, "name"), ""),
                        Objects.requireNonNullElse(text(function, "signature"), ""),
                        text(function, "docstring"),
                        flag(function, "stub"),
                        Objects.requireNonNullElse(text(function, "source"), "")));
            }
        }
        List<String> imports = new ArrayList<>();
        JsonNode importNodes = record.get("imports");
        if (importNodes != null && importNodes.isArray()) {
            for (JsonNode statement : importNodes) {
                if (statement.isString()) {
                    imports.add(statement.stringValue());
                }
            }
        }
        return new Outline(null, functions, imports);
    }

    // ---- the self-check ----

    private Mono<SandboxStatus> selfCheck() {
        if (!settings.enabled()) {
            return Mono.just(new SandboxStatus(false, "disabled by configuration (deliberate.sandbox.enabled=false)"));
        }
        return Mono.<String>fromCallable(() -> Objects.requireNonNullElse(missing(), ""))
                .subscribeOn(Schedulers.fromExecutorService(io))
                .flatMap(missing -> missing.isEmpty() ? checkBox() : Mono.just(new SandboxStatus(false, missing)));
    }

    /** What the host lacks, or null. Blocking (file system), so it runs on the runner's executor. */
    private @Nullable String missing() {
        List<String> problems = new ArrayList<>();
        requireExecutable(settings.bwrap(), "bubblewrap", "install bubblewrap (apt-get install bubblewrap)", problems);
        requireExecutable(settings.setpriv(), "setpriv", "install util-linux", problems);
        requireExecutable(settings.unshare(), "unshare", "install util-linux", problems);
        requireExecutable(settings.prlimit(), "prlimit", "install util-linux", problems);
        requireExecutable(settings.python(), "python", "install python3 (apt-get install python3)", problems);
        if (!settings.python().normalize().startsWith("/usr/")) {
            problems.add("python " + settings.python() + " is outside /usr, the only system directory bound into the"
                    + " box; use Debian's /usr/bin/python3");
        }
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                problems.add("the service runs as uid " + uid + ", not root: it cannot switch boxes to uid "
                        + settings.uid() + " (run it as root in its own container, or turn the sandbox off)");
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            problems.add("cannot tell the service's uid (" + e.getMessage() + "): not Linux?");
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void requireExecutable(Path path, String name, String fix, List<String> problems) {
        if (!Files.isExecutable(path)) {
            problems.add(name + " not found at " + path + ": " + fix);
        }
    }

    private Mono<SandboxStatus> checkBox() {
        return Mono.using(
                BubblewrapCodeRunner::listener,
                listener -> {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("mode", "check");
                    job.put("port", listener.getLocalPort());
                    job.put("absent", hostPaths());
                    return box(job, CHECK_DEADLINE, 64 * 1024).map(this::judge);
                },
                BubblewrapCodeRunner::closeQuietly);
    }

    private SandboxStatus judge(BoxProcess.Result result) {
        if (result.startError() != null) {
            return new SandboxStatus(false, "cannot start bubblewrap: " + result.startError());
        }
        JsonNode check = result.records().stream()
                .filter(record -> "check".equals(text(record, "kind")))
                .findFirst()
                .orElse(null);
        if (check == null) {
            String output = result.outputText().text().strip();
            String hint = output.contains("namespace") || output.contains("Operation not permitted")
                    ? " (user namespaces are refused here; in Docker run with --security-opt seccomp=unconfined"
                            + " --security-opt apparmor=unconfined, or --privileged)"
                    : "";
            return new SandboxStatus(
                    false,
                    "the self-check box did not run (exit " + result.exitCode() + "): "
                            + cut(output.isEmpty() ? "no output" : output) + hint);
        }
        List<String> problems = new ArrayList<>();
        JsonNode uid = check.get("uid");
        int expected = settings.uidOf(result.slot());
        if (uid == null || !uid.isInt() || uid.intValue() != expected) {
            problems.add("the box ran as uid " + uid + ", not " + expected);
        }
        JsonNode reached = check.get("reached");
        if (reached == null || !reached.isArray() || !reached.isEmpty()) {
            problems.add("the box reached the network: " + reached);
        }
        if (!check.has("root_writable") || flag(check, "root_writable")) {
            problems.add("the box's root is writable");
        }
        JsonNode visible = check.get("visible");
        if (visible == null || !visible.isArray() || !visible.isEmpty()) {
            problems.add("host paths are visible in the box: " + visible);
        }
        if (!problems.isEmpty()) {
            return new SandboxStatus(false, "isolation check failed: " + String.join("; ", problems));
        }
        return new SandboxStatus(
                true,
                "verified: uid " + expected + ", no network, read-only root, host paths absent; "
                        + settings.maxConcurrent()
                        + " boxes at once, cpu " + settings.cpu().toSeconds() + "s, memory "
                        + (settings.memoryBytes() >> 20) + "MiB");
    }

    private static List<String> hostPaths() {
        List<String> paths =
                new ArrayList<>(List.of("/etc", "/root", "/home", "/work", "/var", "/run", "/opt", "/srv"));
        paths.add(System.getProperty("user.dir"));
        paths.add(System.getProperty("user.home"));
        return paths;
    }

    private static ServerSocket listener() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    // ---- small helpers ----

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    private static String cut(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String loadHarness() {
        try (InputStream in = BubblewrapCodeRunner.class.getResourceAsStream(HARNESS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + HARNESS_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
