package dev.deliberate.bench;

import java.time.Duration;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The measurements of one profile at one concurrency, the service beside the same load sent straight to the fake.
 * Ratios are computed per request, then their percentiles taken; the "of p50s" variants divide the medians instead.
 */
record OverheadRow(
        String profile,
        int concurrency,
        int requests,
        long failures,
        double throughput,
        double baselineThroughput,
        double cpuPerRequest,
        double baselineCpuPerRequest,
        double othersShare,
        double modelCalls,
        int rounds,
        int bound,
        Distribution client,
        Distribution criticalPath,
        Distribution runWall,
        Distribution baseline,
        Distribution clientOverCriticalPath,
        Distribution runOverCriticalPath,
        Distribution clientOverIdeal,
        Distribution wireClientOverCriticalPath,
        Distribution wireRunOverCriticalPath) {

    /**
     * @param latency the fake's latency per call; times the workload's sequential rounds of calls, the ideal wall time
     * @param samples the successful service requests
     */
    static OverheadRow of(
            Workload workload,
            int concurrency,
            Duration latency,
            List<ServiceSample> samples,
            LoadClient.Phase service,
            LoadClient.Phase direct) {
        double idealMs = latency.multipliedBy(workload.rounds()).toNanos() / 1e6;
        return new OverheadRow(
                workload.label(),
                concurrency,
                service.exchanges().size(),
                service.failures() + direct.failures(),
                service.throughput(),
                direct.throughput(),
                service.cpuMillisPerRequest(),
                direct.cpuMillisPerRequest(),
                Math.max(service.othersShare(), direct.othersShare()),
                samples.stream().mapToInt(ServiceSample::modelCalls).average().orElse(Double.NaN),
                workload.rounds(),
                workload.bound(),
                of(samples, ServiceSample::clientMs),
                of(samples, ServiceSample::criticalPathMs),
                of(samples, ServiceSample::runWallMs),
                Distribution.of(direct.exchanges().stream()
                        .filter(e -> e.status() == 200)
                        .map(LoadClient.Exchange::millis)
                        .toList()),
                of(samples, s -> s.clientMs() / s.criticalPathMs()),
                of(samples, s -> s.runWallMs() / s.criticalPathMs()),
                of(samples, s -> s.clientMs() / idealMs),
                of(samples, s -> s.clientMs() / s.wireCriticalPathMs()),
                of(samples, s -> (double) s.wireWallMs() / s.wireCriticalPathMs()));
    }

    /** Client wall over critical path, of the medians. */
    double clientOverCriticalPathOfP50s() {
        return client.p50() / criticalPath.p50();
    }

    /** The run's own wall over critical path, of the medians. */
    double runOverCriticalPathOfP50s() {
        return runWall.p50() / criticalPath.p50();
    }

    /**
     * (service client wall - rounds x direct-to-fake client wall) / model calls, at the median: a run waits for its
     * rounds of calls one after another, and each round costs at least one baseline call.
     */
    double overheadPerCallP50() {
        return (client.p50() - rounds * baseline.p50()) / modelCalls;
    }

    /** The same at the 99th percentile. */
    double overheadPerCallP99() {
        return (client.p99() - rounds * baseline.p99()) / modelCalls;
    }

    private static Distribution of(List<ServiceSample> samples, ToDoubleFunction<ServiceSample> value) {
        return new Distribution(samples.stream().mapToDouble(value).toArray());
    }
}
