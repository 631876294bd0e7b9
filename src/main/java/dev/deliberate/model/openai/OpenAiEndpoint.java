package dev.deliberate.model.openai;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Usage;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code openai} endpoint kind: any server that speaks the OpenAI Chat Completions API (vLLM, llama.cpp's server,
 * Ollama, SGLang, DJL Serving), called with a non-blocking {@link WebClient}.
 *
 * <p>Where the backend lacks {@code n > 1} (see {@link #capabilities()}) a call fans out into {@code n} requests with
 * {@code n = 1} and seeds {@code seed + i}, at most {@code max-concurrency} of them at a time. The connection pool has
 * {@code max-concurrency} connections, so that is also the most requests the backend sees at once, whatever the
 * fan-outs; the rest wait for a connection in FIFO order. Failures are classified once, in {@link BackendErrors}.
 * Timeouts other than connect, and retries, belong to the resilience decorator around this endpoint; this class never
 * retries, so the backend sees exactly the calls it is asked for.
 */
public final class OpenAiEndpoint implements Endpoint, AutoCloseable {

    public static final String KIND = EndpointSettings.OPENAI;

    private static final Logger log = LoggerFactory.getLogger(OpenAiEndpoint.class);
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {};
    /** n choices with top-20 logprobs over long answers reach megabytes; Spring's default limit is 256 KiB. */
    private static final int MAX_REPLY_BYTES = 64 * 1024 * 1024;
    /** Below the 5 s keep-alive of uvicorn (vLLM, SGLang), so that we never reuse a connection it is closing. */
    private static final Duration MAX_IDLE = Duration.ofSeconds(4);

    static final String PROBE_PROMPT = "Say OK.";
    static final int PROBE_TOP_LOGPROBS = 5;
    // Sampled, not greedy: older vLLM refuses n > 1 at temperature 0, which would read as "no multiple choices".
    static final double PROBE_TEMPERATURE = 1.0;
    static final long PROBE_SEED = 7;
    /** Re-probe waits double after each failure up to this many times the interval. */
    static final int MAX_REPROBE_BACKOFF = 8;

    private final String name;
    private final EndpointSettings settings;
    private final URI completionsUri;
    private final WebClient webClient;
    private final ConnectionProvider connections;
    private final OpenAiWire wire;
    private final BackendErrors errors;
    private final String checkpoint;
    private final Disposable.Swap reprobing = Disposables.swap();
    private final int maxConcurrency;
    private volatile Capabilities capabilities;

    public OpenAiEndpoint(String name, EndpointSettings settings, WebClient.Builder webClientBuilder) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("endpoint name must not be blank");
        }
        URI baseUrl = settings.baseUrl();
        if (baseUrl == null) {
            throw new IllegalArgumentException(
                    "deliberate.endpoints." + name + ".base-url is required for kind " + KIND);
        }
        this.name = name;
        this.settings = settings;
        this.completionsUri = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/chat/completions");
        JsonMapper mapper = JsonMapper.builder().build();
        // Jackson builds its (de)serializers on first use under a lock: do it here, not on an event loop where two
        // first replies at once would wait for each other.
        mapper.writeValueAsBytes(mapper.readTree("{\"warm\": [1]}"));
        this.wire = new OpenAiWire(mapper, settings.model());
        this.errors = new BackendErrors(name, settings.apiKey(), mapper, Clock.systemUTC());
        this.checkpoint = "openai " + name + " chat/completions";
        this.capabilities = initialCapabilities(settings.capabilities());
        this.maxConcurrency = Objects.requireNonNull(settings.maxConcurrency());
        this.connections = ConnectionProvider.builder("deliberate-" + name)
                // One request per connection (HTTP/1.1), so this is the most requests the backend sees at once,
                // fan-outs included: the bulkhead counts a fan-out as one call.
                .maxConnections(maxConcurrency)
                .pendingAcquireMaxCount(maxPendingRequests(maxConcurrency))
                .pendingAcquireTimeout(settings.timeouts().total())
                .maxIdleTime(MAX_IDLE)
                .evictInBackground(Duration.ofSeconds(30))
                .build();
        HttpClient http = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(settings))
                .followRedirect(false)
                .compress(false) // loopback or LAN: gzip costs CPU and holds back SSE chunks
                .disableRetry(true); // retries happen once, in the resilience decorator
        this.webClient = webClientBuilder
                .clone()
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_REPLY_BYTES))
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String model() {
        return settings.model();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<Generation> generation = request.n() > 1 && !capabilities.multipleChoices()
                    ? fanOut(request)
                    : generateOnce(request).map(reply -> requireAllChoices(reply, request.n()));
            return generation.map(reply -> new Generation(
                    reply.choices(),
                    reply.usage(),
                    Duration.ofNanos(System.nanoTime() - start),
                    name,
                    reply.backendCalls()));
        });
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        return Flux.defer(() -> {
            if (request.n() == 1 || capabilities.multipleChoices()) {
                return streamOnce(request);
            }
            AtomicReference<@Nullable Usage> usage = new AtomicReference<>();
            Flux<GenerationChunk> merged = Flux.range(0, request.n())
                    .flatMap(
                            i -> streamOnce(single(request, i))
                                    .filter(chunk -> {
                                        if (chunk.isUsageOnly() && chunk.usage() != null) {
                                            Usage add = chunk.usage();
                                            usage.accumulateAndGet(add, (a, b) -> a == null ? b : a.plus(b));
                                            return false;
                                        }
                                        return true;
                                    })
                                    .map(chunk -> new GenerationChunk(
                                            i, chunk.delta(), chunk.tokens(), chunk.finishReason(), null)),
                            fanOutConcurrency(request.n()));
            return merged.concatWith(
                    Mono.fromSupplier(usage::get).map(total -> new GenerationChunk(-1, "", List.of(), null, total)));
        });
    }

    /**
     * Probes what the backend supports with one tiny request ({@code n = 2}, one token, top-5 logprobs, temperature 1
     * and a fixed seed), unless every capability is configured, in which case it sends nothing. Configured values win
     * over probed ones. A 400 on {@code n = 2} means no multiple choices, and a second request with {@code n = 1}
     * probes logprobs. Any other failure logs a warning and leaves the assumed values: the Mono never fails, so
     * startup does not depend on the backend being up ({@link #reprobeWhileAssumed} tries again later). Bounded by
     * the first-byte timeout.
     */
    public Mono<Capabilities> probe() {
        if (settings.capabilities().complete()) {
            return Mono.just(capabilities);
        }
        return probeOnce()
                .doOnNext(probed -> {
                    capabilities = probed;
                    log.info(
                            "Endpoint '{}' ({}): probed capabilities multipleChoices={}, logprobs={}, maxTopLogprobs={}",
                            name,
                            settings.model(),
                            probed.multipleChoices(),
                            probed.logprobs(),
                            probed.maxTopLogprobs());
                })
                .onErrorResume(error -> {
                    log.warn(
                            "Endpoint '{}': capability probe failed, assuming {} until configured or probed again ({})",
                            name,
                            capabilities,
                            reason(error));
                    return Mono.just(capabilities);
                });
    }

    /**
     * While the capabilities are {@link Capabilities.Source#ASSUMED assumed} (a probe found the backend down), probes
     * again in the background: after {@code interval}, then after waits that double up to eight times the interval,
     * each probe bounded by the first-byte timeout. It stops when a probe succeeds (switching to the probed values and
     * logging the change once), when the backend refuses the probe itself (a 401, say: waiting will not fix that), or
     * on {@link #close()} or disposal. Sends nothing when every capability is configured or already probed. Calling it
     * again replaces the previous loop.
     *
     * @param scheduler runs the waits; the probes themselves run on the HTTP client's event loops
     * @return the loop, disposed when it ends
     */
    public Disposable reprobeWhileAssumed(Duration interval, Scheduler scheduler) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("re-probe interval must be positive, was " + interval);
        }
        if (settings.capabilities().complete() || capabilities.source() != Capabilities.Source.ASSUMED) {
            return Disposables.disposed();
        }
        AtomicInteger failures = new AtomicInteger();
        Disposable loop = Mono.defer(() -> Mono.delay(backoff(interval, failures.get()), scheduler))
                .then(Mono.defer(() -> capabilities.source() == Capabilities.Source.ASSUMED
                        ? probeOnce().doOnError(error -> failures.incrementAndGet())
                        : Mono.<Capabilities>empty()))
                .retryWhen(Retry.indefinitely()
                        .filter(OpenAiEndpoint::worthProbingAgain)
                        .doBeforeRetry(signal -> log.debug(
                                "Endpoint '{}': capability re-probe failed ({}); next in {}",
                                name,
                                reason(signal.failure()),
                                backoff(interval, failures.get()))))
                .subscribe(
                        probed -> {
                            Capabilities assumed = capabilities;
                            capabilities = probed;
                            log.info(
                                    "Endpoint '{}' ({}): backend answered, capabilities now probed multipleChoices={},"
                                            + " logprobs={}, maxTopLogprobs={} (were assumed {})",
                                    name,
                                    settings.model(),
                                    probed.multipleChoices(),
                                    probed.logprobs(),
                                    probed.maxTopLogprobs(),
                                    assumed);
                        },
                        error -> log.warn(
                                "Endpoint '{}': capability probe refused ({}); keeping {} until configured",
                                name,
                                reason(error),
                                capabilities));
        reprobing.update(loop);
        return loop;
    }

    /** Stops any re-probing and releases the connection pool. */
    @Override
    public void close() {
        reprobing.dispose();
        connections.dispose();
    }

    /** One probe; fails with what stopped it (a classified failure or a timeout), sets nothing. */
    private Mono<Capabilities> probeOnce() {
        GenerationRequest twoChoices = new GenerationRequest(
                List.of(ChatMessage.user(PROBE_PROMPT)),
                2,
                PROBE_TEMPERATURE,
                null,
                1,
                List.of(),
                PROBE_SEED,
                true,
                PROBE_TOP_LOGPROBS,
                null);
        return generateOnce(twoChoices)
                .map(reply -> observed(reply.choices().size() >= 2, reply))
                .onErrorResume(
                        OpenAiEndpoint::refusedRequest,
                        refused -> generateOnce(twoChoices.withN(1))
                                .map(reply -> observed(false, reply))
                                // n = 1 with logprobs refused too: logprobs are what it refuses
                                .onErrorResume(
                                        OpenAiEndpoint::refusedRequest,
                                        again -> Mono.just(
                                                new Capabilities(false, false, 0, Capabilities.Source.PROBED))))
                .timeout(settings.timeouts().firstByte())
                .map(probed -> merge(settings.capabilities(), probed));
    }

    private String reason(Throwable error) {
        return error instanceof TimeoutException
                ? "no reply within " + settings.timeouts().firstByte()
                : errors.classify(error).getMessage();
    }

    /** Down, overloaded or slow: a later probe may get an answer. A refusal (401, 404) will not change by waiting. */
    private static boolean worthProbingAgain(Throwable error) {
        return error instanceof TimeoutException || (error instanceof BackendException backend && backend.retriable());
    }

    private static Duration backoff(Duration interval, int failures) {
        return interval.multipliedBy(Math.min(1L << Math.min(failures, 30), MAX_REPROBE_BACKOFF));
    }

    /**
     * Requests that may wait for a connection. Behind the bulkhead at most max-concurrency calls run, each with at
     * most max-concurrency requests outstanding (see {@link #fanOutConcurrency}), so this is a backstop that only an
     * endpoint used without the decorator can reach; beyond it a request fails at once.
     */
    private static int maxPendingRequests(int maxConcurrency) {
        return (int) Math.min(Integer.MAX_VALUE, (long) maxConcurrency * maxConcurrency);
    }

    /**
     * A fan-out sends at most max-concurrency requests at a time, so that one large fan-out does not queue all its
     * requests for connections ahead of other calls: their requests interleave in the pool's FIFO queue.
     */
    private int fanOutConcurrency(int n) {
        return Math.min(n, maxConcurrency);
    }

    // --- one backend call ---

    /** One HTTP call; its choices are as the backend returned them (renumbered by index). */
    private Mono<Generation> generateOnce(GenerationRequest request) {
        byte[] body = wire.bytes(wire.body(request, false));
        return webClient
                .post()
                .uri(completionsUri)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .headers(this::authorize)
                .bodyValue(body)
                .exchangeToMono(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        return failure(response);
                    }
                    MediaType type = response.headers().contentType().orElse(null);
                    if (type != null && !isJson(type)) {
                        return response.releaseBody()
                                .then(Mono.error(errors.badReply(
                                        "reply has content type " + type + " where JSON was expected", null)));
                    }
                    return response.bodyToMono(String.class).defaultIfEmpty("").map(this::generation);
                })
                .onErrorMap(error -> errors.classify(error))
                .checkpoint(checkpoint);
    }

    private Generation generation(String text) {
        JsonNode root;
        try {
            root = wire.parse(text);
        } catch (JacksonException e) {
            throw errors.badReply("reply is not valid JSON", null);
        }
        if (!root.isObject()) {
            throw errors.badReply("reply is not a JSON object", null);
        }
        if (!root.path("error").isMissingNode()
                || "error".equals(root.path("object").asString(""))) {
            throw errors.inBand(root);
        }
        List<Choice> choices = wire.choices(root);
        if (choices.isEmpty()) {
            throw errors.badReply("reply has no choices", null);
        }
        Usage usage = OpenAiWire.usage(root);
        return new Generation(choices, usage == null ? Usage.ZERO : usage, Duration.ZERO, name, 1);
    }

    private Generation requireAllChoices(Generation reply, int n) {
        if (reply.choices().size() < n) {
            throw errors.badReply(
                    "backend answered " + reply.choices().size() + " of n=" + n
                            + " choices: it ignores n, so set capabilities.multiple-choices to false",
                    null);
        }
        return reply;
    }

    private Mono<Generation> fanOut(GenerationRequest request) {
        int n = request.n();
        return Flux.range(0, n)
                .flatMap(i -> generateOnce(single(request, i)).map(reply -> reindexed(reply, i)), fanOutConcurrency(n))
                .collectList()
                .map(replies -> {
                    List<Choice> choices = new ArrayList<>(n);
                    Usage usage = Usage.ZERO;
                    for (Generation reply : replies) {
                        choices.addAll(reply.choices());
                        usage = usage.plus(reply.usage());
                    }
                    choices.sort(Comparator.comparingInt(Choice::index));
                    return new Generation(choices, usage, Duration.ZERO, name, n);
                });
    }

    private static GenerationRequest single(GenerationRequest request, int i) {
        Long seed = request.seed();
        return request.withN(1).withSeed(seed == null ? null : seed + i);
    }

    private static Generation reindexed(Generation reply, int index) {
        Choice first = reply.choices().get(0);
        Choice choice = new Choice(index, first.text(), first.finishReason(), first.tokens());
        return new Generation(List.of(choice), reply.usage(), reply.latency(), reply.endpoint(), 1);
    }

    private Flux<GenerationChunk> streamOnce(GenerationRequest request) {
        byte[] body = wire.bytes(wire.body(request, true));
        return webClient
                .post()
                .uri(completionsUri)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(this::authorize)
                .bodyValue(body)
                .exchangeToFlux(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        return this.<GenerationChunk>failure(response).flux();
                    }
                    MediaType type = response.headers().contentType().orElse(null);
                    if (type == null || !type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
                        return response.releaseBody()
                                .thenMany(Flux.<GenerationChunk>error(errors.badReply(
                                        "reply has content type " + type + " where an event stream was expected",
                                        null)));
                    }
                    StreamAssembly assembly = new StreamAssembly(request.n(), wire, errors);
                    return response.bodyToFlux(SSE)
                            .concatMapIterable(event -> assembly.accept(event.data()))
                            .concatWith(Flux.defer(() -> Flux.fromIterable(assembly.finish())));
                })
                .onErrorMap(error -> errors.classify(error))
                .checkpoint(checkpoint);
    }

    private <T> Mono<T> failure(ClientResponse response) {
        int status = response.statusCode().value();
        HttpHeaders headers = response.headers().asHttpHeaders();
        return response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .onErrorResume(unreadable -> Mono.just(""))
                .flatMap(body -> Mono.error(errors.fromStatus(status, headers, body)));
    }

    private void authorize(HttpHeaders headers) {
        if (settings.apiKey().isPresent()) {
            headers.setBearerAuth(settings.apiKey().value());
        }
    }

    // --- capabilities ---

    private static Capabilities initialCapabilities(CapabilityOverrides overrides) {
        if (overrides.complete()) {
            return new Capabilities(
                    Boolean.TRUE.equals(overrides.multipleChoices()),
                    Boolean.TRUE.equals(overrides.logprobs()),
                    Objects.requireNonNull(overrides.maxTopLogprobs()),
                    Capabilities.Source.CONFIGURED);
        }
        return merge(overrides, Capabilities.assumedMinimal());
    }

    private static Capabilities merge(CapabilityOverrides overrides, Capabilities fallback) {
        return new Capabilities(
                overrides.multipleChoices() != null ? overrides.multipleChoices() : fallback.multipleChoices(),
                overrides.logprobs() != null ? overrides.logprobs() : fallback.logprobs(),
                overrides.maxTopLogprobs() != null ? overrides.maxTopLogprobs() : fallback.maxTopLogprobs(),
                fallback.source());
    }

    private static Capabilities observed(boolean multipleChoices, Generation reply) {
        Choice first = reply.choices().get(0);
        boolean logprobs = !first.tokens().isEmpty();
        int top = logprobs ? first.tokens().get(0).top().size() : 0;
        return new Capabilities(multipleChoices, logprobs, top, Capabilities.Source.PROBED);
    }

    /** The backend refused the request's parameters (rather than our key or the URL). */
    private static boolean refusedRequest(Throwable error) {
        return error instanceof BackendException.Rejected rejected
                && (rejected.status() == 400 || rejected.status() == 422);
    }

    private static boolean isJson(MediaType type) {
        return type.isCompatibleWith(MediaType.APPLICATION_JSON)
                || (type.getSubtype().endsWith("+json"));
    }

    private static int connectTimeoutMillis(EndpointSettings settings) {
        long millis = settings.timeouts().connect().toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
    }
}
