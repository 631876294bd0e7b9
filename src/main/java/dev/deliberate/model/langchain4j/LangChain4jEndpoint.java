package dev.deliberate.model.langchain4j;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Secret;
import dev.deliberate.model.Usage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A remote provider model reached through LangChain4j's OpenAI or Anthropic client: kinds
 * {@value EndpointSettings#LANGCHAIN4J_OPENAI} and {@value EndpointSettings#LANGCHAIN4J_ANTHROPIC}.
 *
 * <p>{@link #generate} runs LangChain4j's blocking client on the scheduler given at construction; {@link #stream}
 * bridges its callback client to a {@link Flux}. LangChain4j has no {@code n}, so {@code n > 1} becomes {@code n}
 * concurrent calls merged into one reply. Neither kind returns logprobs. LangChain4j's own retries are off: the
 * resilience decorator owns the one retry loop.
 *
 * <p>{@link GenerationRequest#prefix()} is sent as a trailing assistant message (Anthropic's prefill, which the model
 * continues; trailing whitespace is stripped because Anthropic rejects it) for Anthropic, and ignored for OpenAI,
 * whose chat API does not continue an assistant turn. Choices hold only the newly generated text. A seed is sent to
 * OpenAI only (as {@code seed + choice index}, so that fanned-out choices differ), folded into an {@code int}.
 *
 * <p>{@code timeouts.total} is LangChain4j's one timeout, used for connecting and for reading (its models override a
 * separate connect timeout). For a stream it bounds the wait for the response headers only; stalls mid-stream are
 * the resilience decorator's to cut.
 */
public final class LangChain4jEndpoint implements Endpoint {

    private static final Capabilities CAPABILITIES = new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED);

    /** What differs between the providers once the models are built. */
    enum Provider {
        OPENAI(EndpointSettings.LANGCHAIN4J_OPENAI),
        ANTHROPIC(EndpointSettings.LANGCHAIN4J_ANTHROPIC);

        private final String kind;

        Provider(String kind) {
            this.kind = kind;
        }

        ChatRequestParameters parameters(GenerationRequest request, int choiceIndex) {
            List<String> stop = request.stop().isEmpty() ? null : request.stop();
            if (this == OPENAI) {
                OpenAiChatRequestParameters.Builder builder = OpenAiChatRequestParameters.builder()
                        .temperature(request.temperature())
                        .topP(request.topP())
                        .maxOutputTokens(request.maxTokens())
                        .stopSequences(stop);
                if (request.seed() != null) {
                    builder.seed(seedFor(request.seed(), choiceIndex));
                }
                return builder.build();
            }
            return DefaultChatRequestParameters.builder()
                    .temperature(request.temperature())
                    .topP(request.topP())
                    .maxOutputTokens(request.maxTokens())
                    .stopSequences(stop)
                    .build();
        }

        boolean continuesPrefix() {
            return this == ANTHROPIC;
        }

        private static int seedFor(long seed, int choiceIndex) {
            long perChoice = seed + choiceIndex;
            return perChoice == (int) perChoice ? (int) perChoice : Long.hashCode(perChoice);
        }
    }

    private final String name;
    private final Provider provider;
    private final ChatModel chatModel;
    private final StreamingChatModel streamingModel;
    private final Scheduler blockingScheduler;
    private final LangChain4jErrorMapping errors;
    /** A fan-out of n sends at most this many requests at once, as {@code max-concurrency} promises the server. */
    private final int maxConcurrency;
    /** Why every call fails before it is sent (a provider's own host with no key), or {@code null}. */
    private final @Nullable String unusable;

    LangChain4jEndpoint(
            String name,
            Provider provider,
            ChatModel chatModel,
            StreamingChatModel streamingModel,
            Scheduler blockingScheduler,
            Secret apiKey,
            int maxConcurrency) {
        this(name, provider, chatModel, streamingModel, blockingScheduler, apiKey, maxConcurrency, null);
    }

    private LangChain4jEndpoint(
            String name,
            Provider provider,
            ChatModel chatModel,
            StreamingChatModel streamingModel,
            Scheduler blockingScheduler,
            Secret apiKey,
            int maxConcurrency,
            @Nullable String unusable) {
        this.unusable = unusable;
        this.name = name;
        this.provider = provider;
        this.chatModel = chatModel;
        this.streamingModel = streamingModel;
        this.blockingScheduler = blockingScheduler;
        this.errors = new LangChain4jErrorMapping(name, apiKey);
        this.maxConcurrency = maxConcurrency;
    }

    /**
     * Kind {@value EndpointSettings#LANGCHAIN4J_OPENAI}: {@code base-url} (default OpenAI's, including {@code /v1}),
     * {@code model}, {@code api-key} and {@code timeouts.total}.
     *
     * @param blockingScheduler a bounded scheduler for the blocking calls; one call holds one of its threads
     */
    public static LangChain4jEndpoint openAi(String name, EndpointSettings settings, Scheduler blockingScheduler) {
        OpenAiChatModel.OpenAiChatModelBuilder chat = OpenAiChatModel.builder()
                .timeout(settings.timeouts().total())
                .modelName(settings.model())
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false);
        OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder streaming = OpenAiStreamingChatModel.builder()
                .timeout(settings.timeouts().total())
                .modelName(settings.model())
                .logRequests(false)
                .logResponses(false);
        if (settings.baseUrl() != null) {
            chat.baseUrl(settings.baseUrl().toString());
            streaming.baseUrl(settings.baseUrl().toString());
        }
        if (settings.apiKey().isPresent()) {
            chat.apiKey(settings.apiKey().value());
            streaming.apiKey(settings.apiKey().value());
        }
        // OpenAI's own API refuses every call without a key; a local server behind base-url may need none. Saying so
        // up front beats a 401 (or, offline, a connection error) that does not name the setting.
        String unusable = settings.baseUrl() == null && !settings.apiKey().isPresent()
                ? "no api-key configured; set deliberate.endpoints." + name
                        + ".api-key (the shipped server endpoint reads OPENAI_API_KEY)"
                : null;
        return new LangChain4jEndpoint(
                name,
                Provider.OPENAI,
                chat.build(),
                streaming.build(),
                blockingScheduler,
                settings.apiKey(),
                settings.maxConcurrency(),
                unusable);
    }

    /**
     * Kind {@value EndpointSettings#LANGCHAIN4J_ANTHROPIC}: {@code base-url} (default Anthropic's, including
     * {@code /v1/}), {@code model}, {@code api-key} (required) and {@code timeouts.total}.
     *
     * @param blockingScheduler a bounded scheduler for the blocking calls; one call holds one of its threads
     */
    public static LangChain4jEndpoint anthropic(String name, EndpointSettings settings, Scheduler blockingScheduler) {
        if (!settings.apiKey().isPresent()) {
            throw new IllegalArgumentException(
                    "endpoint '" + name + "' (" + EndpointSettings.LANGCHAIN4J_ANTHROPIC + ") needs an api-key");
        }
        AnthropicChatModel.AnthropicChatModelBuilder chat = AnthropicChatModel.builder()
                .timeout(settings.timeouts().total())
                .apiKey(settings.apiKey().value())
                .modelName(settings.model())
                .maxRetries(0)
                .logRequests(false)
                .logResponses(false);
        AnthropicStreamingChatModel.AnthropicStreamingChatModelBuilder streaming = AnthropicStreamingChatModel.builder()
                .timeout(settings.timeouts().total())
                .apiKey(settings.apiKey().value())
                .modelName(settings.model())
                .logRequests(false)
                .logResponses(false);
        if (settings.baseUrl() != null) {
            chat.baseUrl(settings.baseUrl().toString());
            streaming.baseUrl(settings.baseUrl().toString());
        }
        return new LangChain4jEndpoint(
                name,
                Provider.ANTHROPIC,
                chat.build(),
                streaming.build(),
                blockingScheduler,
                settings.apiKey(),
                settings.maxConcurrency());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String model() {
        return String.valueOf(chatModel.defaultRequestParameters().modelName());
    }

    @Override
    public String kind() {
        return provider.kind;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        if (unusable != null) {
            return Mono.error(new BackendException.Rejected(name, unusable, 401, false));
        }
        return Mono.defer(() -> {
                    long started = System.nanoTime();
                    return Flux.range(0, request.n())
                            .flatMap(index -> callOnce(request, index), Math.min(request.n(), maxConcurrency))
                            .collectSortedList(Comparator.comparingInt(
                                    (Reply reply) -> reply.choice().index()))
                            .map(replies -> generation(replies, Duration.ofNanos(System.nanoTime() - started)));
                })
                .checkpoint("generate on endpoint " + name);
    }

    private Mono<Reply> callOnce(GenerationRequest request, int index) {
        return Mono.fromCallable(() -> chatModel.chat(chatRequest(request, index)))
                .subscribeOn(blockingScheduler)
                .map(response -> new Reply(
                        new Choice(index, text(response), finishReason(response.finishReason()), List.of()),
                        usage(response.tokenUsage())))
                .onErrorMap(errors::map);
    }

    private Generation generation(List<Reply> replies, Duration latency) {
        Usage usage = replies.stream().map(Reply::usage).reduce(Usage.ZERO, Usage::plus);
        List<Choice> choices = replies.stream().map(Reply::choice).toList();
        return new Generation(choices, usage, latency, name, replies.size());
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        if (unusable != null) {
            return Flux.error(new BackendException.Rejected(name, unusable, 401, false));
        }
        if (request.n() == 1) {
            return streamOne(request, 0).checkpoint("stream on endpoint " + name);
        }
        // Each fanned-out stream ends with its own usage chunk; hold those back and send one sum at the very end.
        return Flux.defer(() -> {
                    AtomicReference<Usage> total = new AtomicReference<>(Usage.ZERO);
                    return Flux.range(0, request.n())
                            .flatMap(index -> streamOne(request, index), Math.min(request.n(), maxConcurrency))
                            .<GenerationChunk>handle((chunk, sink) -> {
                                if (chunk.isUsageOnly() && chunk.usage() != null) {
                                    total.accumulateAndGet(chunk.usage(), Usage::plus);
                                } else {
                                    sink.next(chunk);
                                }
                            })
                            .concatWith(Mono.fromSupplier(() -> usageChunk(total.get())));
                })
                .checkpoint("stream on endpoint " + name);
    }

    private Flux<GenerationChunk> streamOne(GenerationRequest request, int index) {
        return Flux.<GenerationChunk>create(sink -> {
                    SinkHandler handler = new SinkHandler(sink, index);
                    sink.onCancel(handler::cancel);
                    try {
                        streamingModel.chat(chatRequest(request, index), handler);
                    } catch (RuntimeException e) {
                        sink.error(errors.map(e));
                    }
                })
                // chat() returns once the request is sent off, but building and sending it (DNS included) happens
                // on the calling thread, which must not be an event loop.
                .subscribeOn(blockingScheduler)
                .onErrorMap(errors::map); // a saturated scheduler rejects the subscription
    }

    private ChatRequest chatRequest(GenerationRequest request, int index) {
        List<dev.langchain4j.data.message.ChatMessage> messages = new ArrayList<>();
        for (ChatMessage message : request.messages()) {
            messages.add(message(message));
        }
        String prefix = request.prefix();
        if (provider.continuesPrefix() && prefix != null && !prefix.isBlank()) {
            messages.add(AiMessage.from(prefix.stripTrailing()));
        }
        return ChatRequest.builder()
                .messages(messages)
                .parameters(provider.parameters(request, index))
                .build();
    }

    private dev.langchain4j.data.message.ChatMessage message(ChatMessage message) {
        return switch (message.role()) {
            case ChatMessage.SYSTEM -> SystemMessage.from(message.content());
            case ChatMessage.USER -> UserMessage.from(message.content());
            case ChatMessage.ASSISTANT -> AiMessage.from(message.content());
            default ->
                throw new BackendException.Rejected(
                        name, "unsupported message role '" + message.role() + "'", 400, false);
        };
    }

    private static String text(ChatResponse response) {
        String text = response.aiMessage() == null ? null : response.aiMessage().text();
        return text == null ? "" : text;
    }

    private static @Nullable String finishReason(@Nullable FinishReason reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            default -> reason.name().toLowerCase(Locale.ROOT);
        };
    }

    private static Usage usage(@Nullable TokenUsage usage) {
        if (usage == null) {
            return Usage.ZERO;
        }
        return new Usage(
                usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
                usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
    }

    private static GenerationChunk usageChunk(Usage usage) {
        return new GenerationChunk(-1, "", List.of(), null, usage);
    }

    private record Reply(Choice choice, Usage usage) {}

    /**
     * Feeds one LangChain4j stream into a sink. LangChain4j hands out the handle that aborts the HTTP stream only
     * with a partial response, so a cancel that comes before the first token takes effect at that token.
     */
    private final class SinkHandler implements StreamingChatResponseHandler {
        private final FluxSink<GenerationChunk> sink;
        private final int index;
        private final AtomicReference<@Nullable StreamingHandle> handle = new AtomicReference<>();
        private volatile boolean cancelled;

        SinkHandler(FluxSink<GenerationChunk> sink, int index) {
            this.sink = sink;
            this.index = index;
        }

        void cancel() {
            cancelled = true;
            StreamingHandle current = handle.get();
            if (current != null) {
                current.cancel();
            }
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            handle.set(context.streamingHandle());
            if (cancelled) {
                context.streamingHandle().cancel();
                return;
            }
            onPartialResponse(partialResponse.text());
        }

        @Override
        public void onPartialResponse(String text) {
            if (!cancelled && text != null && !text.isEmpty()) {
                sink.next(GenerationChunk.delta(index, text));
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            String reason = finishReason(response.finishReason());
            if (reason == null) {
                sink.error(new BackendException.BadReply(name, "stream ended without a finish reason", null));
                return;
            }
            sink.next(new GenerationChunk(index, "", List.of(), reason, null));
            sink.next(usageChunk(usage(response.tokenUsage())));
            sink.complete();
        }

        @Override
        public void onError(Throwable error) {
            if (cancelled) {
                return; // closing the stream on cancel can surface here as an IOException nobody waits for
            }
            sink.error(errors.map(error));
        }
    }
}
