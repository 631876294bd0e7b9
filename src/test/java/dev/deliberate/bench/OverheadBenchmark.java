package dev.deliberate.bench;

import dev.deliberate.DeliberateApplication;
import dev.deliberate.run.RecentRuns;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Orchestration overhead: the real service, in process on a random loopback port, against {@link FakeOpenAiServer}
 * answering every call after a fixed latency. For each profile and concurrency it sends a fixed number of
 * non-streamed chat completions through a real HTTP client, and the very request the service sends to the backend
 * straight to the fake as the baseline, then reports client wall time against the run's critical path.
 *
 * <p>Run with {@code mvn -q -Pbench verify}; settings in {@link BenchSettings}. Every phase is bounded in requests and
 * time, and a watchdog ends the process if the whole run ever exceeds {@link #RUN_LIMIT}.
 */
public final class OverheadBenchmark {

    private static final Duration RUN_LIMIT = Duration.ofMinutes(5);
    private static final int SEQUENTIAL_WARMUP = 20;
    private static final int WARMUP_ROUNDS = 8;
    private static final double SETTLED = 0.10;
    /** Other processes may keep this share of all CPUs busy before a measured phase starts. */
    private static final double QUIET = 0.20;

    private static final Duration QUIET_WINDOW = Duration.ofMillis(500);
    /** The most the whole run waits for a quiet machine, over all phases. */
    private static final Duration QUIET_BUDGET = Duration.ofSeconds(60);

    private static final String QUESTION = "What is six times seven?";
    private static final String ANSWER = "Six times seven is forty-two.\nThe answer is 42.";

    private final BenchSettings settings;
    private final List<String> serviceArgs;
    private final JsonMapper json = JsonMapper.builder().build();
    private long quietWaitedNanos;

    /** @param serviceArgs extra {@code --key=value} arguments for the service, after the benchmark's own */
    private OverheadBenchmark(BenchSettings settings, String[] serviceArgs) {
        this.settings = settings;
        this.serviceArgs = List.of(serviceArgs);
    }

    public static void main(String[] args) {
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(RUN_LIMIT.toMillis());
                        System.err.println("bench: gave up after " + RUN_LIMIT);
                        Runtime.getRuntime().halt(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int status = 0;
        try {
            new OverheadBenchmark(BenchSettings.from(System.getProperties()), args).run();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        // Netty's and Reactor's threads would otherwise keep the JVM up for their quiet periods.
        System.exit(status);
    }

    private void run() throws IOException {
        long started = System.nanoTime();
        List<OverheadRow> rows = new ArrayList<>();
        try (FakeOpenAiServer fake = FakeOpenAiServer.start();
                ConfigurableApplicationContext app = startService(fake);
                LoadClient client = new LoadClient(settings.maxConcurrency() + 8)) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            URI service = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
            URI backend = URI.create(fake.baseUrl() + "/chat/completions");
            RecentRuns runs = app.getBean(RunService.class).recent();
            log(
                    "service on %s, fake on %s, latency %d ms",
                    service, backend, settings.latency().toMillis());

            List<Workload> workloads = settings.profiles().stream()
                    .flatMap(profile -> Workload.of(profile, ANSWER).stream())
                    .toList();
            Map<String, byte[]> backendBodies = new LinkedHashMap<>();
            for (Workload workload : workloads) {
                byte[] body = request(workload.profile());
                LoadClient.Exchange reply =
                        warmUp(workload.label() + " via the service", client, service, body, fake, workload, true);
                // Exactly the last request the service sent to the backend for this workload, replayed as the
                // baseline: one call, whatever the run's shape.
                byte[] backendBody = json.writeValueAsBytes(fake.lastRequest().body());
                LoadClient.Exchange backendReply = warmUp(
                        workload.label() + " straight to the fake",
                        client,
                        backend,
                        backendBody,
                        fake,
                        workload,
                        false);
                backendBodies.put(workload.label(), backendBody);
                log(
                        "warmed up %s: service request %d B, reply %d B; backend request %d B, reply %d B",
                        workload.label(),
                        body.length,
                        reply.body().length,
                        backendBody.length,
                        backendReply.body().length);
            }
            for (Workload workload : workloads) {
                byte[] body = request(workload.profile());
                for (int i = 0; i < settings.concurrencies().size(); i++) {
                    int concurrency = settings.concurrencies().get(i);
                    int requests = settings.requestsAt(i);
                    System.gc();
                    awaitQuiet();
                    LoadClient.Phase direct = phase(
                            client,
                            backend,
                            backendBodies.get(workload.label()),
                            requests,
                            concurrency,
                            fake,
                            workload,
                            false);
                    System.gc();
                    awaitQuiet();
                    LoadClient.Phase through =
                            phase(client, service, body, requests, concurrency, fake, workload, true);
                    List<ServiceSample> samples = samples(through, runs);
                    OverheadRow row =
                            OverheadRow.of(workload, concurrency, settings.latency(), samples, through, direct);
                    rows.add(row);
                    log(
                            "%s at %d: client p50 %s ms, cp p50 %s ms, base p50 %s ms",
                            workload.label(),
                            concurrency,
                            OverheadReport.ms(row.client().p50()),
                            OverheadReport.ms(row.criticalPath().p50()),
                            OverheadReport.ms(row.baseline().p50()));
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println();
        System.out.print(OverheadReport.text(rows));
        write(rows, took);
    }

    private ConfigurableApplicationContext startService(FakeOpenAiServer fake) {
        configure(fake, Reply.texts(ANSWER));
        int concurrent = settings.maxConcurrency();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", 0);
        properties.put("server.address", "127.0.0.1");
        // Quiet: startup notices (SpringDoc warns at WARN) would bury the report.
        properties.put("logging.level.root", "ERROR");
        properties.put("deliberate.endpoints.local.base-url", fake.baseUrl());
        properties.put("deliberate.endpoints.local.model", "fake-model");
        // Configured capabilities: no probe call at startup.
        properties.put("deliberate.probe.enabled", false);
        properties.put("deliberate.endpoints.local.capabilities.multiple-choices", true);
        properties.put("deliberate.endpoints.local.capabilities.logprobs", true);
        properties.put("deliberate.endpoints.local.capabilities.max-top-logprobs", 20);
        // Room for every call of the largest phase at once: self-consistency asks for n=5 in one call, and AGoT's
        // worst case has 9 calls of one run in flight (3 subgraphs of 3 nodes).
        properties.put("deliberate.endpoints.local.max-concurrency", concurrent * 10);
        properties.put("deliberate.endpoints.local.max-queue", concurrent * 20);
        properties.put("deliberate.endpoints.local.timeouts.total", "30s");
        properties.put("deliberate.limits.max-concurrent-runs", concurrent * 5);
        // Every measured run stays findable, for its wall time and critical path at full precision.
        properties.put("deliberate.runs.store-size", settings.maxRequests() + 100);
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        args.addAll(serviceArgs);
        if (!serviceArgs.isEmpty()) {
            log("service arguments: %s", serviceArgs);
        }
        return new SpringApplicationBuilder(DeliberateApplication.class)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run(args.toArray(String[]::new));
    }

    /**
     * Waits, in windows of {@link #QUIET_WINDOW}, until other processes leave the CPUs mostly idle, so that a shared
     * machine skews the phase less; gives up (and says so) once the run has waited {@link #QUIET_BUDGET} in all.
     */
    private void awaitQuiet() {
        if (quietWaitedNanos >= QUIET_BUDGET.toNanos()) {
            return;
        }
        while (quietWaitedNanos < QUIET_BUDGET.toNanos()) {
            CpuReading before = CpuReading.now();
            long start = System.nanoTime();
            try {
                Thread.sleep(QUIET_WINDOW.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            quietWaitedNanos += System.nanoTime() - start;
            double others = CpuReading.now().othersShareSince(before);
            if (Double.isNaN(others) || others <= QUIET) {
                return;
            }
        }
        log(
                "waited %d s in all for other processes to quieten; measuring anyway from now on (see others %%)",
                QUIET_BUDGET.toSeconds());
    }

    /** A fresh script and empty counters, so that the fake's request log never grows across phases. */
    private void configure(FakeOpenAiServer fake, Reply reply) {
        fake.reset().defaultReply(reply.latency(settings.latency()));
    }

    /**
     * Rounds of {@code bench.warmup} requests at the highest concurrency until the JVM's CPU time per request settles
     * (within {@link #SETTLED} of the round before; the JIT compilers share the CPUs with the load), at most
     * {@link #WARMUP_ROUNDS} rounds; then a few sequential requests. Returns the last exchange, a sample of the reply.
     */
    private LoadClient.Exchange warmUp(
            String label,
            LoadClient client,
            URI uri,
            byte[] body,
            FakeOpenAiServer fake,
            Workload workload,
            boolean service) {
        double previous = Double.NaN;
        int rounds = 0;
        while (settings.warmup() > 0 && rounds < WARMUP_ROUNDS) {
            double cpu = phase(client, uri, body, settings.warmup(), settings.maxConcurrency(), fake, workload, service)
                    .cpuMillisPerRequest();
            rounds++;
            if (Math.abs(cpu - previous) <= SETTLED * previous) {
                break;
            }
            previous = cpu;
        }
        List<LoadClient.Exchange> exchanges = phase(client, uri, body, SEQUENTIAL_WARMUP, 1, fake, workload, service)
                .exchanges();
        log("warm-up of %s: %d rounds, last %.2f ms CPU per request", label, rounds, previous);
        return exchanges.get(exchanges.size() - 1);
    }

    /** @param service whether {@code uri} is the service (runs of the workload) or the fake (one call a request) */
    private LoadClient.Phase phase(
            LoadClient client,
            URI uri,
            byte[] body,
            int requests,
            int concurrency,
            FakeOpenAiServer fake,
            Workload workload,
            boolean service) {
        configure(fake, workload.reply());
        LoadClient.Phase phase = client.send(uri, body, requests, concurrency, settings.phaseLimit());
        if (phase.failures() > 0) {
            LoadClient.Exchange failed = phase.exchanges().stream()
                    .filter(e -> e.status() != 200)
                    .findFirst()
                    .orElseThrow();
            throw new IllegalStateException(phase.failures() + " of " + requests + " requests to " + uri
                    + " failed; first: " + failed.status() + " " + new String(failed.body(), StandardCharsets.UTF_8));
        }
        int expected = requests * (service ? workload.calls() : 1);
        if (fake.calls() != expected) {
            throw new IllegalStateException("the fake saw " + fake.calls() + " calls for " + requests + " requests"
                    + " (expected " + expected + ")");
        }
        return phase;
    }

    private byte[] request(String profile) {
        return json.writeValueAsBytes(
                Map.of("model", profile, "messages", List.of(Map.of("role", "user", "content", QUESTION))));
    }

    private List<ServiceSample> samples(LoadClient.Phase phase, RecentRuns runs) {
        List<ServiceSample> samples = new ArrayList<>(phase.exchanges().size());
        for (LoadClient.Exchange exchange : phase.exchanges()) {
            JsonNode info = json.readTree(exchange.body()).path("deliberate");
            String runId = info.path("run_id").asString();
            RunResult result = runs.find(runId)
                    .orElseThrow(() -> new IllegalStateException("run " + runId + " left the run store"));
            samples.add(new ServiceSample(
                    exchange.millis(),
                    info.path("wall_ms").asLong(),
                    info.path("critical_path_ms").asLong(),
                    Optional.ofNullable(result.wall()).orElse(Duration.ZERO).toNanos() / 1e6,
                    result.criticalPath().length().toNanos() / 1e6,
                    info.path("model_calls").asInt()));
        }
        return samples;
    }

    private void write(List<OverheadRow> rows, Duration took) throws IOException {
        String report = "# Orchestration overhead\n\n"
                + String.format(
                        Locale.ROOT,
                        "%s; %d cores (availableProcessors), Java %s (%s), max heap %d MiB; fake latency %d ms;"
                                + " run took %.0f s.%n%n",
                        Instant.now(),
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        System.getProperty("java.vm.name"),
                        Runtime.getRuntime().maxMemory() >> 20,
                        settings.latency().toMillis(),
                        took.toMillis() / 1000.0)
                + OverheadReport.markdown(rows)
                + "\n" + OverheadReport.legend();
        Files.createDirectories(settings.output().toAbsolutePath().getParent());
        Files.writeString(settings.output(), report, StandardCharsets.UTF_8);
        log("wrote %s", settings.output());
    }

    private static void log(String format, Object... args) {
        System.out.println("bench: " + String.format(Locale.ROOT, format, args));
    }
}
