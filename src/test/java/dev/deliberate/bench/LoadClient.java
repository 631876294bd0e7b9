package dev.deliberate.bench;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Sends the same JSON body a fixed number of times with a fixed number of requests in flight, over a Reactor Netty
 * client with its own event loops (so that its callbacks never queue behind the server's work on a shared loop) and a
 * pool large enough that no request waits for a connection.
 */
final class LoadClient implements AutoCloseable {

    private static final byte[] EMPTY = new byte[0];

    /** One request: the status, the reply body and the client's wall time from sending to the last byte read. */
    record Exchange(int status, byte[] body, long nanos) {
        double millis() {
            return nanos / 1e6;
        }
    }

    /** One phase: every exchange in completion order, the phase's own wall time and CPU readings around it. */
    record Phase(List<Exchange> exchanges, long elapsedNanos, CpuReading cpuBefore, CpuReading cpuAfter) {
        double throughput() {
            return exchanges.size() / (elapsedNanos / 1e9);
        }

        /** CPU time of the whole JVM (client, service and fake together) per request, in ms. */
        double cpuMillisPerRequest() {
            return cpuAfter.processMillisSince(cpuBefore) / exchanges.size();
        }

        /** The share of all CPUs that other processes on the machine took during the phase. */
        double othersShare() {
            return cpuAfter.othersShareSince(cpuBefore);
        }

        long failures() {
            return exchanges.stream().filter(e -> e.status() != 200).count();
        }
    }

    private final ConnectionProvider pool;
    private final LoopResources loops;
    private final HttpClient http;

    LoadClient(int maxConnections) {
        this.pool = ConnectionProvider.builder("bench-client")
                .maxConnections(maxConnections)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(Duration.ofSeconds(60))
                .maxIdleTime(Duration.ofSeconds(60))
                .build();
        this.loops = LoopResources.create("bench-client", 2, true);
        this.http = HttpClient.create(pool).runOn(loops).compress(false).responseTimeout(Duration.ofSeconds(30));
    }

    /** Sends {@code body} to {@code uri} {@code requests} times, {@code concurrency} at a time; gives up after limit. */
    Phase send(URI uri, byte[] body, int requests, int concurrency, Duration limit) {
        HttpClient client = http.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.ACCEPT, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length));
        CpuReading cpuBefore = CpuReading.now();
        long start = System.nanoTime();
        List<Exchange> exchanges = Flux.range(0, requests)
                .flatMap(i -> exchange(client, uri, body), concurrency)
                .collectList()
                .block(limit);
        long elapsed = System.nanoTime() - start;
        return new Phase(Objects.requireNonNull(exchanges, "exchanges"), elapsed, cpuBefore, CpuReading.now());
    }

    private static Mono<Exchange> exchange(HttpClient client, URI uri, byte[] body) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return client.post()
                    .uri(uri)
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                    .responseSingle((response, content) -> content.asByteArray()
                            .defaultIfEmpty(EMPTY)
                            .map(bytes -> new Exchange(response.status().code(), bytes, System.nanoTime() - start)));
        });
    }

    @Override
    public void close() {
        pool.disposeLater().block(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }
}
