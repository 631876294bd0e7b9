package dev.deliberate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * What {@link OverheadBenchmark} runs, read from {@code bench.*} system properties.
 *
 * @param latency the fake backend's delay before it answers each call ({@code bench.latencyMs}, 50)
 * @param concurrencies requests in flight at once, one measured phase each ({@code bench.concurrency}, 1,200)
 * @param requests measured requests per phase, aligned with {@code concurrencies}; one value applies to all
 *     ({@code bench.requests}, 200,4000)
 * @param warmup requests per profile and target at the highest concurrency before anything is measured, plus 20
 *     sequential ones ({@code bench.warmup}, 1000)
 * @param profiles the profiles measured ({@code bench.profiles}, direct,self-consistency)
 * @param phaseLimit the longest one phase may take before the run gives up ({@code bench.phaseTimeoutS}, 60)
 * @param output the markdown report ({@code bench.output}, target/bench/overhead.md)
 */
record BenchSettings(
        Duration latency,
        List<Integer> concurrencies,
        List<Integer> requests,
        int warmup,
        List<String> profiles,
        Duration phaseLimit,
        Path output) {

    BenchSettings {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("bench.latencyMs must not be negative");
        }
        if (concurrencies.isEmpty() || concurrencies.stream().anyMatch(c -> c < 1 || c > 2000)) {
            throw new IllegalArgumentException("bench.concurrency must list values between 1 and 2000");
        }
        if (requests.size() != 1 && requests.size() != concurrencies.size()) {
            throw new IllegalArgumentException("bench.requests must be one value or one per bench.concurrency value");
        }
        if (requests.stream().anyMatch(n -> n < 1 || n > 100_000)) {
            throw new IllegalArgumentException("bench.requests must be between 1 and 100000");
        }
        if (warmup < 0 || warmup > 100_000) {
            throw new IllegalArgumentException("bench.warmup must be between 0 and 100000");
        }
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("bench.profiles must name at least one profile");
        }
        concurrencies = List.copyOf(concurrencies);
        requests = List.copyOf(requests);
        profiles = List.copyOf(profiles);
    }

    static BenchSettings from(Properties properties) {
        return new BenchSettings(
                Duration.ofMillis(Long.parseLong(
                        properties.getProperty("bench.latencyMs", "50").trim())),
                integers(properties.getProperty("bench.concurrency", "1,200")),
                integers(properties.getProperty("bench.requests", "200,4000")),
                Integer.parseInt(properties.getProperty("bench.warmup", "1000").trim()),
                strings(properties.getProperty("bench.profiles", "direct,self-consistency")),
                Duration.ofSeconds(Long.parseLong(
                        properties.getProperty("bench.phaseTimeoutS", "60").trim())),
                Path.of(properties.getProperty("bench.output", "target/bench/overhead.md")));
    }

    /** Measured requests of the phase at {@code concurrencies().get(index)}. */
    int requestsAt(int index) {
        return requests.size() == 1 ? requests.get(0) : requests.get(index);
    }

    int maxConcurrency() {
        return concurrencies.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    int maxRequests() {
        return requests.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private static List<Integer> integers(String list) {
        return strings(list).stream().map(Integer::parseInt).toList();
    }

    private static List<String> strings(String list) {
        return Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
