package dev.deliberate.model.djl;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Kind {@value EndpointSettings#DJL}: a causal language model from a local directory (docs/djl.md), decoded
 * in-process.
 *
 * <p>Each call runs on this endpoint's own bounded scheduler ({@code min(max-concurrency, cores)} threads, at most
 * {@code max-queue} calls waiting per thread; a full queue fails the call as transiently unavailable), never on the
 * caller's thread. The {@code n} choices of a call advance together: one forward pass over the batch of unfinished
 * choices per token; a model of the project's own format runs the prompt once and then only the newest token of
 * each choice against its key-value cache. Cancelling the subscription stops decoding before the next forward pass.
 *
 * <p>A prompt is the chat template's rendering of the messages (and the request's {@code prefix}); a prompt that
 * leaves no room in the context is rejected as a context overflow, and {@code max_tokens} is cut to the room left.
 * A choice ends with {@code stop} at the model's end token or at the first stop sequence (the request's plus the model
 * directory's; the text ends before it), and with {@code length} at the token limit. Usage counts the prompt once and
 * every sampled token, the end token included; so do the logprobs.
 */
public final class DjlEndpoint implements Endpoint, AutoCloseable {

    private static final int MAX_TOP_LOGPROBS = 20;
    private static final Capabilities CAPABILITIES =
            new Capabilities(true, true, MAX_TOP_LOGPROBS, Capabilities.Source.CONFIGURED);

    private final String name;
    private final String modelName;
    private final LanguageModel model;
    private final Scheduler scheduler;
    private final AtomicLong forwardPasses = new AtomicLong();

    private DjlEndpoint(String name, String modelName, LanguageModel model, Scheduler scheduler) {
        this.name = name;
        this.modelName = modelName;
        this.model = model;
        this.scheduler = scheduler;
    }

    /**
     * Loads the model in {@code settings.modelDir()} (blocking: call it at startup, not on an event loop).
     *
     * @throws IllegalArgumentException when the directory is unset, unreadable or not a model this kind loads
     */
    public static DjlEndpoint load(String name, EndpointSettings settings) {
        Path dir = settings.modelDir();
        String field = "deliberate.endpoints." + name + ".model-dir";
        if (dir == null) {
            throw new IllegalArgumentException(field + ": required for kind " + EndpointSettings.DJL);
        }
        LanguageModel model;
        try {
            model = LanguageModel.load(dir);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new IllegalArgumentException(field + ": cannot load a model from " + dir + ": " + e.getMessage(), e);
        }
        int threads = Math.max(
                1, Math.min(settings.maxConcurrency(), Runtime.getRuntime().availableProcessors()));
        Scheduler scheduler = Schedulers.newBoundedElastic(threads, Math.max(1, settings.maxQueue()), "djl-" + name);
        String modelName = "default".equals(settings.model())
                ? String.valueOf(dir.toAbsolutePath().normalize().getFileName())
                : settings.model();
        return new DjlEndpoint(name, modelName, model, scheduler);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return EndpointSettings.DJL;
    }

    @Override
    public String model() {
        return modelName;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** {@code cpu()} or {@code gpu(0)}: where the weights live. */
    public String device() {
        return model.deviceInUse().toString();
    }

    /** Switches the key-value cache off (on by default) to set it against the full recompute in tests. */
    void kvCache(boolean on) {
        model.kvCache(on);
    }

    /** Forward passes run so far (each advances every unfinished choice of one call by one token). */
    long forwardPasses() {
        return forwardPasses.get();
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return Mono.<Generation>create(sink -> {
                    AtomicBoolean cancelled = new AtomicBoolean();
                    sink.onCancel(() -> cancelled.set(true));
                    decodeFor(request, cancelled, chunk -> {}, sink::success, sink::error);
                })
                .subscribeOn(scheduler)
                .onErrorMap(e -> !(e instanceof BackendException), this::classify)
                .checkpoint("generate on endpoint " + name);
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        return Flux.<GenerationChunk>create(sink -> {
                    AtomicBoolean cancelled = new AtomicBoolean();
                    sink.onCancel(() -> cancelled.set(true));
                    decodeFor(
                            request,
                            cancelled,
                            sink::next,
                            generation -> {
                                sink.next(new GenerationChunk(-1, "", List.of(), null, generation.usage()));
                                sink.complete();
                            },
                            sink::error);
                })
                .subscribeOn(scheduler)
                .onErrorMap(e -> !(e instanceof BackendException), this::classify)
                .checkpoint("stream on endpoint " + name);
    }

    /**
     * One decode for a subscriber, on the calling (inference) thread: its chunks, then its generation, or its error.
     * A subscriber that left (a pruned or cancelled run) gets no error: it would only be dropped, and Reactor logs a
     * dropped error at ERROR level.
     */
    private void decodeFor(
            GenerationRequest request,
            AtomicBoolean cancelled,
            Consumer<GenerationChunk> chunks,
            Consumer<Generation> done,
            Consumer<Throwable> failed) {
        try {
            done.accept(decode(request, chunks, cancelled));
        } catch (CancellationException e) {
            // nobody is listening any more
        } catch (RuntimeException e) {
            if (!cancelled.get()) {
                failed.accept(classify(e));
            }
        }
    }

    private BackendException classify(Throwable error) {
        if (error instanceof BackendException backend) {
            return backend;
        }
        if (error instanceof RejectedExecutionException) {
            return new BackendException.Unavailable(name, "the inference queue is full", true, error);
        }
        return new BackendException.Unavailable(
                name,
                "inference failed: " + error.getClass().getSimpleName() + ": " + error.getMessage(),
                false,
                error);
    }

    /** The whole decoding loop, on an inference thread; {@code chunks} sees every delta as it is decided. */
    private Generation decode(GenerationRequest request, Consumer<GenerationChunk> chunks, AtomicBoolean cancelled) {
        long started = System.nanoTime();
        ModelConfig config = model.config();
        long[] prompt = model.encode(config.chatTemplate().render(name, request.messages(), request.prefix()));
        if (prompt.length == 0) {
            throw new BackendException.Rejected(name, "the prompt is empty", 400, false);
        }
        int room = config.contextLength() - prompt.length;
        if (room <= 0) {
            throw new BackendException.Rejected(
                    name,
                    "the prompt has " + prompt.length + " tokens; the model's context length is "
                            + config.contextLength() + ", which leaves no room for a completion",
                    400,
                    true);
        }
        int maxNew = request.maxTokens() == null ? room : Math.max(0, Math.min(request.maxTokens(), room));
        Set<String> stops = new LinkedHashSet<>(request.stop());
        stops.addAll(config.stop());
        stops.remove("");
        Sampler sampler = new Sampler(
                request.temperature() == null ? 1.0 : request.temperature(),
                request.topP() == null ? 1.0 : request.topP());
        long seed = request.seed() == null ? ThreadLocalRandom.current().nextLong() : request.seed();
        SplittableRandom[] random = Sampler.streams(seed, request.n());
        int topLogprobs = Math.min(request.topLogprobs(), Math.min(MAX_TOP_LOGPROBS, config.vocabSize()));
        List<ChoiceDecoder> choices = new ArrayList<>();
        for (int i = 0; i < request.n(); i++) {
            choices.add(new ChoiceDecoder(i, List.copyOf(stops), maxNew));
        }

        try (NDManager manager = model.newManager();
                LanguageModel.Decoding decoding = model.decoding(manager)) {
            for (int step = 0; step < maxNew; step++) {
                List<ChoiceDecoder> active =
                        choices.stream().filter(c -> !c.finished()).toList();
                if (active.isEmpty()) {
                    break;
                }
                if (cancelled.get()) {
                    throw new CancellationException();
                }
                long[][] rows = new long[active.size()][];
                int[] indices = new int[rows.length];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = active.get(r).row(prompt);
                    indices[r] = active.get(r).index;
                }
                float[][] logits = decoding.next(indices, rows);
                forwardPasses.incrementAndGet();
                for (int r = 0; r < rows.length; r++) {
                    ChoiceDecoder choice = active.get(r);
                    int id = sampler.sample(logits[r], random[choice.index]);
                    TokenLogprob token = null;
                    if (request.logprobs()) {
                        double[] logprobs = Sampler.logSoftmax(logits[r]);
                        token = new TokenLogprob(
                                tokenText(id),
                                logprobs[id],
                                Sampler.alternatives(logprobs, topLogprobs, this::tokenText));
                    }
                    choice.accept(id, token, config.eosTokenId()).ifPresent(chunks);
                }
            }
        }
        for (ChoiceDecoder choice : choices) {
            if (!choice.finished()) {
                choice.finish("length").ifPresent(chunks); // max_tokens 0
            }
        }
        if (cancelled.get()) {
            throw new CancellationException();
        }
        long completion = choices.stream().mapToLong(c -> c.sampled).sum();
        return new Generation(
                choices.stream().map(ChoiceDecoder::choice).toList(),
                new Usage(prompt.length, completion),
                Duration.ofNanos(System.nanoTime() - started),
                name,
                1);
    }

    private String tokenText(int id) {
        return model.decode(new long[] {id}, false);
    }

    /**
     * One choice's text as tokens arrive. The text is the decoding of all its tokens so far; a delta is sent only
     * once it can no longer turn into a stop sequence or an incomplete character (U+FFFD while a multi-byte character
     * is split over tokens), so that the streamed deltas add up to the final text.
     */
    private final class ChoiceDecoder {
        private final int index;
        private final List<String> stops;
        private final int maxNew;
        private final List<TokenLogprob> tokens = new ArrayList<>();
        private long[] ids = new long[16];
        private int length;
        private int sampled;
        private String text = "";
        private String emitted = "";
        private @Nullable String finishReason;

        ChoiceDecoder(int index, List<String> stops, int maxNew) {
            this.index = index;
            this.stops = stops;
            this.maxNew = maxNew;
        }

        boolean finished() {
            return finishReason != null;
        }

        long[] row(long[] prompt) {
            long[] row = new long[prompt.length + length];
            System.arraycopy(prompt, 0, row, 0, prompt.length);
            System.arraycopy(ids, 0, row, prompt.length, length);
            return row;
        }

        Optional<GenerationChunk> accept(int id, @Nullable TokenLogprob token, @Nullable Integer eos) {
            sampled++;
            if (token != null) {
                tokens.add(token);
            }
            if (eos != null && id == eos) {
                return chunk(text, token, "stop");
            }
            if (length == ids.length) {
                ids = Arrays.copyOf(ids, length * 2);
            }
            ids[length++] = id;
            text = model.decode(Arrays.copyOf(ids, length), true);
            int stopAt = firstStop();
            if (stopAt >= 0) {
                text = text.substring(0, stopAt);
                return chunk(text, token, "stop");
            }
            if (sampled >= maxNew) {
                return chunk(text, token, "length");
            }
            return chunk(text.substring(0, text.length() - holdBack()), token, null);
        }

        Optional<GenerationChunk> finish(String reason) {
            return chunk(text, null, reason);
        }

        /** The chunk that brings the sent text up to {@code upTo}; empty when there is nothing to send. */
        private Optional<GenerationChunk> chunk(String upTo, @Nullable TokenLogprob token, @Nullable String reason) {
            finishReason = reason;
            String delta = "";
            if (upTo.startsWith(emitted)) {
                delta = upTo.substring(emitted.length());
                emitted = upTo;
            }
            if (delta.isEmpty() && token == null && reason == null) {
                return Optional.empty();
            }
            return Optional.of(
                    new GenerationChunk(index, delta, token == null ? List.of() : List.of(token), reason, null));
        }

        private int firstStop() {
            int first = -1;
            for (String stop : stops) {
                int at = text.indexOf(stop);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                }
            }
            return first;
        }

        /** How many trailing characters may still become part of a stop sequence or a split character. */
        private int holdBack() {
            int hold = 0;
            while (hold < text.length() && text.charAt(text.length() - 1 - hold) == '\uFFFD') {
                hold++;
            }
            for (String stop : stops) {
                for (int n = Math.min(stop.length() - 1, text.length()); n > hold; n--) {
                    if (text.endsWith(stop.substring(0, n))) {
                        hold = n;
                        break;
                    }
                }
            }
            return hold;
        }

        Choice choice() {
            return new Choice(index, text, finishReason, tokens);
        }
    }

    /** Stops the inference threads and frees the model (native memory). */
    @Override
    public void close() {
        scheduler.dispose();
        model.close();
    }
}
