package dev.deliberate.model.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.openai.OpenAiEndpoint;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * {@code max-concurrency} bounds the HTTP requests the backend sees, not just the logical calls: a fan-out of n on a
 * backend without {@code n > 1} holds one bulkhead permit but sends n requests.
 */
class ResilientEndpointConcurrencyTests {

    private static final Duration LATENCY = Duration.ofMillis(100);
    private static final CapabilityOverrides NO_MULTIPLE_CHOICES = new CapabilityOverrides(false, false, 0);

    private final Queue<Long> arrivals = new ConcurrentLinkedQueue<>();
    private FakeOpenAiServer server;
    private OpenAiEndpoint client;

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start().multipleChoices(false);
        server.reply(
                request -> arrivals.add(System.nanoTime()),
                Reply.text((request, choice, call) -> "A" + request.path("seed").asLong())
                        .latency(LATENCY));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private ResilientEndpoint endpoint(int maxConcurrency) {
        EndpointSettings settings = EndpointSettings.of("openai", server.baseUri(), "test-model")
                .withCapabilities(NO_MULTIPLE_CHOICES)
                .withConcurrency(maxConcurrency, 16);
        client = new OpenAiEndpoint("local", settings, WebClient.builder());
        return new ResilientEndpoint(client, settings, new SimpleMeterRegistry());
    }

    /**
     * The most requests the fake held at once. Each one is held from its arrival for at least the latency (the
     * reply is only sent then), so requests that arrived less than a latency apart overlapped at the server.
     */
    private int peakConcurrency() {
        List<Long> sorted = arrivals.stream().sorted().toList();
        int peak = 0;
        for (int last = 0; last < sorted.size(); last++) {
            int first = last;
            while (first > 0 && sorted.get(last) - sorted.get(first - 1) < LATENCY.toNanos()) {
                first--;
            }
            peak = Math.max(peak, last - first + 1);
        }
        return peak;
    }

    private static GenerationRequest fiveChoices() {
        return GenerationRequest.of(List.of(ChatMessage.user("hi"))).withN(5).withSeed(10L);
    }

    @Test
    void fanOutNeverSendsMoreRequestsThanMaxConcurrency() {
        ResilientEndpoint endpoint = endpoint(2);

        StepVerifier.create(endpoint.generate(fiveChoices()))
                .assertNext(generation -> assertThat(generation.choices())
                        .extracting(choice -> choice.text())
                        .containsExactly("A10", "A11", "A12", "A13", "A14"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(server.calls()).isEqualTo(5);
        assertThat(peakConcurrency()).isEqualTo(2);
    }

    @Test
    void fanOutWiderThanThePoolRunsOneWaveAtATime() {
        // One connection and one pending slot: a fan-out that queued all five at once would be refused as busy.
        ResilientEndpoint endpoint = endpoint(1);

        StepVerifier.create(endpoint.generate(fiveChoices()).map(Generation::backendCalls))
                .expectNext(5)
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(server.calls()).isEqualTo(5);
        assertThat(peakConcurrency()).isEqualTo(1);
    }

    @Test
    void concurrentFanOutsShareTheLimit() {
        endpoint(2);

        // The client alone: the pool, not the bulkhead, is what bounds the requests.
        StepVerifier.create(Flux.merge(client.generate(fiveChoices()), client.generate(fiveChoices()))
                        .map(Generation::backendCalls))
                .expectNext(5, 5)
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(server.calls()).isEqualTo(10);
        assertThat(peakConcurrency()).isEqualTo(2);
    }

    @Test
    void requestBeyondThePendingLimitFailsAtOnce() throws Exception {
        endpoint(1); // one connection and one request waiting for it: the limit is max-concurrency squared
        GenerationRequest one =
                GenerationRequest.of(List.of(ChatMessage.user("hi"))).withSeed(1L);
        CompletableFuture<Generation> running = client.generate(one).toFuture();
        CompletableFuture<Generation> waiting = client.generate(one).toFuture();

        StepVerifier.create(client.generate(one))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(BackendException.Unavailable.class)
                        .hasMessage("local: busy: too many requests waiting for a connection")
                        .satisfies(busy -> assertThat(((BackendException) busy).retriable())
                                .isFalse()))
                .verify(Duration.ofSeconds(5));

        assertThat(running.get(5, TimeUnit.SECONDS).choices().get(0).text()).isEqualTo("A1");
        assertThat(waiting.get(5, TimeUnit.SECONDS).choices().get(0).text()).isEqualTo("A1");
        assertThat(server.calls()).isEqualTo(2);
    }

    @Test
    void streamedFanOutNeverSendsMoreRequestsThanMaxConcurrency() {
        ResilientEndpoint endpoint = endpoint(2);

        StepVerifier.create(endpoint.stream(fiveChoices())
                        .filter(chunk -> chunk.finishReason() != null)
                        .map(GenerationChunk::index)
                        .collectSortedList())
                .expectNext(List.of(0, 1, 2, 3, 4))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(server.calls()).isEqualTo(5);
        assertThat(peakConcurrency()).isEqualTo(2);
    }
}
