package dev.deliberate.testkit;

import dev.deliberate.model.Generation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A loopback OpenAI-compatible server for integration tests: {@code POST /v1/chat/completions} (JSON and SSE) and
 * {@code GET /v1/models} on 127.0.0.1 and a random port.
 *
 * <p>Replies are scripted by rules checked in order ({@link #reply(Predicate, Reply)}), then the default reply; a
 * reply is texts with logprobs, or computed whole by a {@link Responder} (the synthetic model's adapter). Faults
 * come from a rule's reply or, per request, from the headers {@code x-fake-fault} (a {@link Fault} in kebab case),
 * {@code x-fake-status}, {@code x-fake-delay-ms}, {@code x-fake-retry-after} and {@code x-fake-fault-times} (the fault
 * hits only the first k calls with the same {@code x-request-id}). The server counts calls, connections and records
 * every request, so that tests can assert call counts and that cancellation closed the connection.
 *
 * <pre>{@code
 * try (var server = FakeOpenAiServer.start()) {
 *     server.defaultReply(Reply.texts("42").logprob(-0.2));
 *     server.reply(request -> request.path("seed").asLong() == 7, Reply.texts("7").failFirst(2, Fault.HTTP_ERROR));
 *     ... server.baseUrl() ...
 * }
 * }</pre>
 */
public final class FakeOpenAiServer implements AutoCloseable {

    public static final String FAULT_HEADER = "x-fake-fault";
    public static final String STATUS_HEADER = "x-fake-status";
    public static final String DELAY_HEADER = "x-fake-delay-ms";
    public static final String RETRY_AFTER_HEADER = "x-fake-retry-after";
    public static final String FAULT_TIMES_HEADER = "x-fake-fault-times";
    public static final String REQUEST_ID_HEADER = "x-request-id";

    /** The vLLM / OpenAI wording of a context-length rejection. */
    public static final String CONTEXT_LENGTH_MESSAGE =
            "This model's maximum context length is 4096 tokens. However, you"
                    + " requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the"
                    + " messages or completion.";

    /** A failure the server can inject instead of (or in the middle of) a normal reply. */
    public enum Fault {
        /** {@code reply.status()} (500 unless set) with an OpenAI-style JSON error body. */
        HTTP_ERROR,
        /** 429 with {@code Retry-After} (seconds from {@code reply.retryAfter()}; no header when blank). */
        RATE_LIMITED,
        /** 400 with the OpenAI/vLLM context-length error body. */
        CONTEXT_LENGTH,
        /** 401 whose message echoes the presented {@code Authorization} header, as some servers do. */
        UNAUTHORIZED,
        /** 200, {@code application/json}, a body that is not JSON. */
        MALFORMED_JSON,
        /** 502 from a proxy: an HTML page, {@code text/html}. */
        HTML_502,
        /** 200 with an HTML page ({@code text/html}) instead of JSON or SSE. */
        WRONG_CONTENT_TYPE,
        /** Stream: a first token, then {@code data: {"error":...}} and {@code [DONE]} (vLLM). JSON: 200 {"error"}. */
        IN_BAND_ERROR,
        /** Stream: a first token, then a chunk that is not JSON, then the rest. JSON: like MALFORMED_JSON. */
        NON_JSON_CHUNK,
        /** Stream: the tokens, then the response ends with no finish reason and no [DONE] and the connection closes. */
        TRUNCATED,
        /** Accept the request and never answer. */
        STALL,
        /** Send the headers and a first chunk, then nothing more. */
        STALL_AFTER_FIRST_CHUNK,
        /** Close the connection without a reply. */
        CLOSE,
        /** Reset the connection (TCP RST) without a reply. */
        RESET;

        public String headerValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Fault fromHeader(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** The text of choice {@code choiceIndex} of the {@code call}-th (0-based) request that this reply answers. */
    @FunctionalInterface
    public interface TextSource {
        String text(JsonNode request, int choiceIndex, int call);
    }

    /** The logprob of token {@code tokenIndex} of a choice whose full text is {@code choiceText}. */
    @FunctionalInterface
    public interface LogprobSource {
        double logprob(String choiceText, int tokenIndex);
    }

    /**
     * The whole reply to the {@code call}-th request that this reply answers, for fakes that simulate a model: the
     * choices with their tokens (the reply's token boundaries, logprobs and top alternatives, rendered only when the
     * request asked for logprobs) and finish reasons, and the prompt tokens of the usage.
     */
    @FunctionalInterface
    public interface Responder {
        Generation respond(JsonNode request, int choices, int call);
    }

    /** What to answer; immutable, every setter returns a copy. */
    public static final class Reply {
        private final TextSource text;
        private final LogprobSource logprob;
        private final @Nullable Integer promptTokens;
        private final Duration latency;
        private final Duration drip;
        private final @Nullable Fault fault;
        private final int faultTimes;
        private final int status;
        private final String retryAfter;
        private final @Nullable Responder responder;

        private Reply(
                TextSource text,
                LogprobSource logprob,
                @Nullable Integer promptTokens,
                Duration latency,
                Duration drip,
                @Nullable Fault fault,
                int faultTimes,
                int status,
                String retryAfter,
                @Nullable Responder responder) {
            this.text = text;
            this.logprob = logprob;
            this.promptTokens = promptTokens;
            this.latency = latency;
            this.drip = drip;
            this.fault = fault;
            this.faultTimes = faultTimes;
            this.status = status;
            this.retryAfter = retryAfter;
            this.responder = responder;
        }

        /** Texts cycled over the choices in call order: choice i of call c gets {@code texts[(c * n + i) % len]}. */
        public static Reply texts(String... texts) {
            if (texts.length == 0) {
                throw new IllegalArgumentException("texts must not be empty");
            }
            List<String> cycle = List.of(texts);
            return text((request, choice, call) -> {
                int n = Math.max(1, request.path("n").asInt(1));
                return cycle.get((call * n + choice) % cycle.size());
            });
        }

        public static Reply text(TextSource text) {
            return new Reply(text, (t, i) -> -0.1, null, Duration.ZERO, Duration.ZERO, null, 0, 500, "1", null);
        }

        /** Replies computed whole by {@code responder}; faults, latency and drip apply as to any reply. */
        public static Reply respond(Responder responder) {
            return new Reply(
                    (request, choice, call) -> "",
                    (t, i) -> -0.1,
                    null,
                    Duration.ZERO,
                    Duration.ZERO,
                    null,
                    0,
                    500,
                    "1",
                    responder);
        }

        /** A reply that always fails with {@code fault}. */
        public static Reply failing(Fault fault) {
            return texts("OK").fault(fault);
        }

        /** Every token gets this logprob (the default is -0.1). */
        public Reply logprob(double value) {
            return logprob((t, i) -> value);
        }

        public Reply logprob(LogprobSource source) {
            return new Reply(
                    text, source, promptTokens, latency, drip, fault, faultTimes, status, retryAfter, responder);
        }

        /** Fixed prompt tokens in the usage; by default the number of words in the messages. */
        public Reply promptTokens(int tokens) {
            return new Reply(text, logprob, tokens, latency, drip, fault, faultTimes, status, retryAfter, responder);
        }

        /** A delay before the response starts. */
        public Reply latency(Duration delay) {
            return new Reply(
                    text, logprob, promptTokens, delay, drip, fault, faultTimes, status, retryAfter, responder);
        }

        /** A delay before each SSE event. */
        public Reply drip(Duration delay) {
            return new Reply(
                    text, logprob, promptTokens, latency, delay, fault, faultTimes, status, retryAfter, responder);
        }

        /** Fails every call with {@code newFault}. */
        public Reply fault(Fault newFault) {
            return new Reply(
                    text,
                    logprob,
                    promptTokens,
                    latency,
                    drip,
                    newFault,
                    Integer.MAX_VALUE,
                    status,
                    retryAfter,
                    responder);
        }

        /** Fails the first {@code times} calls this reply answers with {@code newFault}, then answers normally. */
        public Reply failFirst(int times, Fault newFault) {
            return new Reply(
                    text, logprob, promptTokens, latency, drip, newFault, times, status, retryAfter, responder);
        }

        /** The status of {@link Fault#HTTP_ERROR}. */
        public Reply status(int newStatus) {
            return new Reply(
                    text, logprob, promptTokens, latency, drip, fault, faultTimes, newStatus, retryAfter, responder);
        }

        /** The {@code Retry-After} value of {@link Fault#RATE_LIMITED}; blank for none. */
        public Reply retryAfter(String value) {
            return new Reply(text, logprob, promptTokens, latency, drip, fault, faultTimes, status, value, responder);
        }

        TextSource text() {
            return text;
        }

        LogprobSource logprob() {
            return logprob;
        }

        @Nullable
        Integer promptTokens() {
            return promptTokens;
        }

        @Nullable
        Responder responder() {
            return responder;
        }
    }

    /** A reply rule; counts the requests it matched. */
    public static final class Rule {
        private final Predicate<JsonNode> when;
        private final Reply reply;
        private final AtomicInteger calls = new AtomicInteger();

        private Rule(Predicate<JsonNode> when, Reply reply) {
            this.when = when;
            this.reply = reply;
        }

        public int calls() {
            return calls.get();
        }
    }

    /** One received chat completions request: its 0-based call number, parsed body and headers (names lower case). */
    public record Received(int call, JsonNode body, Map<String, String> headers) {
        public @Nullable String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicReference<Rule> defaultRule = new AtomicReference<>(new Rule(r -> true, Reply.texts("OK")));
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger modelsCalls = new AtomicInteger();
    private final Map<String, AtomicInteger> callsByRequestId = new ConcurrentHashMap<>();
    // Lock-free (the fake answers on event loops that BlockHound watches) and O(1) per call, where a copy-on-write
    // list would make a long benchmark quadratic.
    private final ConcurrentLinkedDeque<Received> received = new ConcurrentLinkedDeque<>();
    private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger acceptedConnections = new AtomicInteger();
    private final AtomicInteger closedConnections = new AtomicInteger();
    private volatile boolean multipleChoices = true;
    private volatile boolean ignoreN = false;
    private volatile boolean logprobs = true;
    private volatile int maxTopLogprobs = 20;
    private volatile String modelId = "fake-model";
    private final DisposableServer server;

    private FakeOpenAiServer() {
        // Jackson builds its (de)serializers on first use under a lock; two requests arriving at once on two event
        // loops would then contend for it, which BlockHound fails as a blocking call.
        mapper.writeValueAsString(mapper.readTree("{\"warm\": [1]}"));
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .doOnChannelInit((observer, channel, remote) -> track(channel))
                .route(routes -> routes.post("/v1/chat/completions", this::chatCompletions)
                        .get("/v1/models", this::models))
                .bindNow(Duration.ofSeconds(10));
    }

    public static FakeOpenAiServer start() {
        return new FakeOpenAiServer();
    }

    /** {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public URI baseUri() {
        return URI.create(baseUrl());
    }

    public int port() {
        return server.port();
    }

    // --- configuration ---

    /**
     * Forgets rules, quirks and counters (open connections stay as they are), so that tests sharing one server start
     * from the same state.
     */
    public FakeOpenAiServer reset() {
        rules.clear();
        defaultRule.set(new Rule(r -> true, Reply.texts("OK")));
        calls.set(0);
        modelsCalls.set(0);
        callsByRequestId.clear();
        received.clear();
        acceptedConnections.set(0);
        closedConnections.set(0);
        multipleChoices = true;
        ignoreN = false;
        logprobs = true;
        maxTopLogprobs = 20;
        modelId = "fake-model";
        return this;
    }

    /** The reply when no rule matches (initially the text "OK" for every choice). */
    public FakeOpenAiServer defaultReply(Reply reply) {
        defaultRule.set(new Rule(r -> true, reply));
        return this;
    }

    /** Adds a rule; rules are checked in the order they were added, before the default reply. */
    public Rule reply(Predicate<JsonNode> when, Reply reply) {
        Rule rule = new Rule(when, reply);
        rules.add(rule);
        return rule;
    }

    /** {@code false} answers {@code n > 1} with a 400, as llama.cpp's server does. */
    public FakeOpenAiServer multipleChoices(boolean supported) {
        this.multipleChoices = supported;
        return this;
    }

    /** Silently answers one choice whatever {@code n} asks, as some servers do. */
    public FakeOpenAiServer ignoreN() {
        this.ignoreN = true;
        return this;
    }

    /** {@code false} silently omits logprobs ({@code "logprobs": null}) even when asked. */
    public FakeOpenAiServer logprobs(boolean supported) {
        this.logprobs = supported;
        return this;
    }

    /** The most alternatives per token it returns, whatever {@code top_logprobs} asks (20 unless set). */
    public FakeOpenAiServer maxTopLogprobs(int max) {
        this.maxTopLogprobs = max;
        return this;
    }

    public FakeOpenAiServer model(String id) {
        this.modelId = id;
        return this;
    }

    // --- observation ---

    /** Chat completions requests received (including those answered with a fault). */
    public int calls() {
        return calls.get();
    }

    /** Chat completions requests with this {@code x-request-id}. */
    public int calls(String requestId) {
        AtomicInteger count = callsByRequestId.get(requestId);
        return count == null ? 0 : count.get();
    }

    public int modelsCalls() {
        return modelsCalls.get();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The request bodies in arrival order. */
    public List<JsonNode> requests() {
        return received().stream().map(Received::body).toList();
    }

    public Received lastRequest() {
        Received last = received.peekLast();
        if (last == null) {
            throw new AssertionError("the fake server received no request");
        }
        return last;
    }

    public int openConnections() {
        return openChannels.size();
    }

    public int acceptedConnections() {
        return acceptedConnections.get();
    }

    public int closedConnections() {
        return closedConnections.get();
    }

    /** Waits (polling) until no client connection is open; fails with the counts after {@code timeout}. */
    public void awaitNoOpenConnections(Duration timeout) {
        await(() -> openChannels.isEmpty(), timeout, "open connections to reach 0");
    }

    /** Waits (polling) until at least {@code expected} calls arrived. */
    public void awaitCalls(int expected, Duration timeout) {
        await(() -> calls.get() >= expected, timeout, expected + " calls");
    }

    private void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + ": calls=" + calls()
                        + ", open=" + openConnections() + ", accepted=" + acceptedConnections() + ", closed="
                        + closedConnections());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        openChannels.forEach(Channel::close);
        server.disposeNow(Duration.ofSeconds(5));
    }

    // --- serving ---

    private void track(Channel channel) {
        acceptedConnections.incrementAndGet();
        openChannels.add(channel);
        channel.closeFuture().addListener(future -> {
            openChannels.remove(channel);
            closedConnections.incrementAndGet();
        });
    }

    private Mono<Void> models(HttpServerRequest request, HttpServerResponse response) {
        modelsCalls.incrementAndGet();
        ObjectNode body = mapper.createObjectNode();
        body.put("object", "list");
        ObjectNode model = body.putArray("data").addObject();
        model.put("id", modelId);
        model.put("object", "model");
        model.put("created", FakeCompletion.CREATED);
        model.put("owned_by", "fake");
        return sendJson(response, 200, mapper.writeValueAsString(body));
    }

    private Mono<Void> chatCompletions(HttpServerRequest request, HttpServerResponse response) {
        AtomicReference<@Nullable Channel> channel = new AtomicReference<>();
        request.withConnection(connection -> channel.set(connection.channel()));
        return request.receive()
                .aggregate()
                .asString(StandardCharsets.UTF_8)
                .defaultIfEmpty("")
                .flatMap(text -> answer(request, response, text, Objects.requireNonNull(channel.get())));
    }

    private Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, String text, Channel channel) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.requestHeaders()
                .forEach(entry -> headers.merge(
                        entry.getKey().toLowerCase(Locale.ROOT), entry.getValue(), (a, b) -> a + ", " + b));
        int call = calls.getAndIncrement();
        String requestId = headers.getOrDefault(REQUEST_ID_HEADER, "");
        int callOfRequestId = callsByRequestId
                .computeIfAbsent(requestId, id -> new AtomicInteger())
                .getAndIncrement();
        JsonNode body;
        try {
            body = mapper.readTree(text);
        } catch (JacksonException e) {
            received.add(new Received(call, mapper.missingNode(), Collections.unmodifiableMap(headers)));
            return sendError(response, 400, "request body is not JSON", "invalid_request_error", null);
        }
        received.add(new Received(call, body, Collections.unmodifiableMap(headers)));

        Rule rule = rules.stream().filter(r -> r.when.test(body)).findFirst().orElse(defaultRule.get());
        int ruleCall = rule.calls.getAndIncrement();
        Reply reply = rule.reply;
        Fault fault = ruleCall < reply.faultTimes ? reply.fault : null;
        int status = reply.status;
        String retryAfter = reply.retryAfter;
        Duration latency = reply.latency;
        if (headers.containsKey(DELAY_HEADER)) {
            latency = Duration.ofMillis(Long.parseLong(headers.get(DELAY_HEADER).trim()));
        }
        if (headers.containsKey(STATUS_HEADER)) {
            status = Integer.parseInt(headers.get(STATUS_HEADER).trim());
            fault = Fault.HTTP_ERROR;
        }
        if (headers.containsKey(FAULT_HEADER)) {
            fault = Fault.fromHeader(headers.get(FAULT_HEADER));
        }
        if (headers.containsKey(RETRY_AFTER_HEADER)) {
            retryAfter = headers.get(RETRY_AFTER_HEADER);
        }
        if (headers.containsKey(FAULT_TIMES_HEADER)
                && callOfRequestId
                        >= Integer.parseInt(headers.get(FAULT_TIMES_HEADER).trim())) {
            fault = reply.fault != null && ruleCall < reply.faultTimes ? reply.fault : null;
        }

        Mono<Void> reaction = react(body, headers, reply, ruleCall, fault, status, retryAfter, response, channel);
        return latency.isZero() ? reaction : delay(channel, latency).then(reaction);
    }

    // On the connection's own event loop, not Reactor's parallel scheduler: there, netty's pooled allocator takes a
    // lock when several replies are written at once, which BlockHound fails as a blocking call.
    private static Mono<Void> delay(Channel channel, Duration latency) {
        return Mono.create(sink -> {
            ScheduledFuture<?> timer =
                    channel.eventLoop().schedule(() -> sink.success(), latency.toNanos(), TimeUnit.NANOSECONDS);
            sink.onCancel(() -> timer.cancel(false));
        });
    }

    private Mono<Void> react(
            JsonNode body,
            Map<String, String> headers,
            Reply reply,
            int ruleCall,
            @Nullable Fault fault,
            int status,
            String retryAfter,
            HttpServerResponse response,
            Channel channel) {
        if (fault != null) {
            switch (fault) {
                case HTTP_ERROR:
                    return sendError(response, status, "fake upstream failure", "server_error", null);
                case RATE_LIMITED:
                    if (!retryAfter.isBlank()) {
                        response.header("Retry-After", retryAfter.trim());
                    }
                    return sendError(
                            response, 429, "Rate limit reached, slow down", "rate_limit_error", "rate_limit_exceeded");
                case CONTEXT_LENGTH:
                    return sendError(
                            response, 400, CONTEXT_LENGTH_MESSAGE, "invalid_request_error", "context_length_exceeded");
                case UNAUTHORIZED:
                    return sendError(
                            response,
                            401,
                            "Incorrect API key provided: " + headers.getOrDefault("authorization", ""),
                            "invalid_request_error",
                            "invalid_api_key");
                case MALFORMED_JSON:
                    return sendJson(response, 200, "{\"id\": \"chatcmpl-fake\", \"choices\": [{\"index\": 0, ");
                case HTML_502:
                    return sendHtml(
                            response,
                            502,
                            "<html><head><title>502 Bad Gateway</title></head><body>"
                                    + "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
                case WRONG_CONTENT_TYPE:
                    return sendHtml(response, 200, "<html><body>Please log in to continue.</body></html>");
                case STALL:
                    return Mono.never();
                case CLOSE:
                    channel.close();
                    return Mono.never();
                case RESET:
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                    channel.close();
                    return Mono.never();
                default:
                    break; // the remaining faults shape the reply itself
            }
        }
        int n = Math.max(1, body.path("n").asInt(1));
        if (n > 1 && !multipleChoices) {
            return sendError(response, 400, "Only one completion choice is allowed", "invalid_request_error", null);
        }
        int choices = ignoreN ? 1 : n;
        FakeCompletion completion =
                FakeCompletion.plan(mapper, body, reply, ruleCall, choices, logprobs, maxTopLogprobs);
        boolean stream = body.path("stream").asBoolean(false);
        if (!stream) {
            if (fault == Fault.IN_BAND_ERROR) {
                return sendJson(response, 200, inBandError());
            }
            if (fault == Fault.NON_JSON_CHUNK || fault == Fault.TRUNCATED) {
                String json = completion.json();
                return sendJson(response, 200, json.substring(0, json.length() / 2));
            }
            if (fault == Fault.STALL_AFTER_FIRST_CHUNK) {
                response.header("Content-Type", "application/json");
                return response.sendString(Flux.concat(Mono.just("{\"id\": "), Flux.<String>never()))
                        .then();
            }
            return sendJson(response, 200, completion.json());
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        List<FakeCompletion.Event> events = completion.events(includeUsage);
        int head = Math.min(events.size(), choices + 1); // the role chunks and the first token
        List<String> wire = new ArrayList<>();
        Flux<String> tail = Flux.empty();
        if (fault == null) {
            events.forEach(e -> wire.add(e.wire()));
        } else if (fault == Fault.IN_BAND_ERROR) {
            events.subList(0, head).forEach(e -> wire.add(e.wire()));
            wire.add("data: " + inBandError() + "\n\n");
            wire.add("data: [DONE]\n\n");
        } else if (fault == Fault.NON_JSON_CHUNK) {
            events.subList(0, head).forEach(e -> wire.add(e.wire()));
            wire.add("data: this is not json\n\n");
            events.subList(head, events.size()).forEach(e -> wire.add(e.wire()));
        } else if (fault == Fault.TRUNCATED) {
            events.stream()
                    .filter(e ->
                            e.kind() == FakeCompletion.Event.Kind.ROLE || e.kind() == FakeCompletion.Event.Kind.TOKEN)
                    .forEach(e -> wire.add(e.wire()));
            response.keepAlive(false);
        } else if (fault == Fault.STALL_AFTER_FIRST_CHUNK) {
            events.subList(0, head).forEach(e -> wire.add(e.wire()));
            tail = Flux.never();
        }
        Flux<String> sse = Flux.fromIterable(wire);
        if (!reply.drip.isZero()) {
            sse = sse.delayElements(reply.drip);
        }
        response.status(200).header("Content-Type", "text/event-stream").header("Cache-Control", "no-cache");
        return response.send(sse.concatWith(tail).map(FakeOpenAiServer::buffer), b -> true)
                .then();
    }

    private String inBandError() {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", "CUDA out of memory while decoding");
        error.put("type", "InternalServerError");
        error.put("code", 500);
        return mapper.writeValueAsString(body);
    }

    private Mono<Void> sendError(
            HttpServerResponse response, int status, String message, String type, @Nullable String code) {
        ObjectNode body = mapper.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        if (code != null) {
            error.put("code", code);
        } else {
            error.put("code", status);
        }
        return sendJson(response, status, mapper.writeValueAsString(body));
    }

    private static Mono<Void> sendJson(HttpServerResponse response, int status, String body) {
        return response.status(status)
                .header("Content-Type", "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private static Mono<Void> sendHtml(HttpServerResponse response, int status, String body) {
        return response.status(status)
                .header("Content-Type", "text/html; charset=utf-8")
                .sendString(Mono.just(body))
                .then();
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
