package dev.deliberate.testkit;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An in-memory endpoint for unit tests of strategy and engine logic: a script maps (request, call number) to a reply,
 * and the endpoint records every request. Integration tests use {@code FakeOpenAiServer} instead.
 */
public final class ScriptedEndpoint implements Endpoint {

    /** Produces the reply to the {@code call}-th request (0-based). */
    @FunctionalInterface
    public interface Script extends BiFunction<GenerationRequest, Integer, Mono<Generation>> {}

    /** Produces the chunks of the {@code call}-th stream (0-based), for tests that need a stream to stall or break. */
    @FunctionalInterface
    public interface StreamScript extends BiFunction<GenerationRequest, Integer, Flux<GenerationChunk>> {}

    private final String name;
    private final Script script;
    private final @Nullable StreamScript streamScript;
    private final Capabilities capabilities;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger cancellations = new AtomicInteger();
    private final List<GenerationRequest> requests = Collections.synchronizedList(new ArrayList<>());

    public ScriptedEndpoint(String name, Capabilities capabilities, Script script) {
        this(name, capabilities, script, null);
    }

    private ScriptedEndpoint(
            String name, Capabilities capabilities, Script script, @Nullable StreamScript streamScript) {
        this.name = name;
        this.capabilities = capabilities;
        this.script = script;
        this.streamScript = streamScript;
    }

    /**
     * Streams whatever {@code script} returns for each call (calls, requests and cancellations are recorded as for
     * {@code generate}); {@code generate} fails, as these tests are about streams only.
     */
    public static ScriptedEndpoint streaming(String name, StreamScript script) {
        return new ScriptedEndpoint(
                name,
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.error(new UnsupportedOperationException("stream-only script")),
                script);
    }

    /** The same script behind other capabilities, e.g. a backend that fans out instead of returning n choices. */
    public ScriptedEndpoint withCapabilities(Capabilities newCapabilities) {
        return new ScriptedEndpoint(name, newCapabilities, script, streamScript);
    }

    /** Every choice of the k-th call (counting choices across calls) gets {@code texts[k % texts.length]}. */
    public static ScriptedEndpoint cycling(String name, String... texts) {
        AtomicInteger next = new AtomicInteger();
        return new ScriptedEndpoint(name, Capabilities.full(Capabilities.Source.CONFIGURED), (request, call) -> {
            List<Choice> choices = new ArrayList<>();
            for (int i = 0; i < request.n(); i++) {
                choices.add(choice(i, texts[next.getAndIncrement() % texts.length]));
            }
            return Mono.just(generation(name, choices));
        });
    }

    /** Fails every call with the given error. */
    public static ScriptedEndpoint failing(String name, RuntimeException error) {
        return new ScriptedEndpoint(
                name, Capabilities.full(Capabilities.Source.CONFIGURED), (request, call) -> Mono.error(error));
    }

    public static Choice choice(int index, String text) {
        return new Choice(index, text, "stop", List.of());
    }

    /** A generation whose usage counts one prompt token per message and one completion token per word. */
    public static Generation generation(String endpoint, List<Choice> choices) {
        long completion = choices.stream()
                .mapToLong(c -> c.text().isBlank() ? 0 : c.text().trim().split("\\s+").length)
                .sum();
        return new Generation(choices, new Usage(10, completion), Duration.ofMillis(1), endpoint, 1);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "scripted";
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return Mono.defer(() -> {
                    requests.add(request);
                    return script.apply(request, calls.getAndIncrement());
                })
                .doOnCancel(cancellations::incrementAndGet);
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        StreamScript chunks = streamScript;
        if (chunks != null) {
            return Flux.defer(() -> {
                        requests.add(request);
                        return chunks.apply(request, calls.getAndIncrement());
                    })
                    .doOnCancel(cancellations::incrementAndGet);
        }
        return generate(request)
                .flatMapMany(generation -> Flux.fromIterable(generation.choices())
                        .concatMap(choice -> Flux.concat(
                                Flux.fromArray(choice.text().split("(?<= )"))
                                        .map(part -> GenerationChunk.delta(choice.index(), part)),
                                Mono.just(new GenerationChunk(
                                        choice.index(), "", List.of(), choice.finishReason(), null))))
                        .concatWithValues(new GenerationChunk(-1, "", List.of(), null, generation.usage())));
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    public int calls() {
        return calls.get();
    }

    public int cancellations() {
        return cancellations.get();
    }

    public List<GenerationRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }
}
