package dev.deliberate.api.openai;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.api.ApiLimits;
import dev.deliberate.api.Conversations;
import dev.deliberate.api.ErrorReply;
import dev.deliberate.api.HttpReplies;
import dev.deliberate.api.HttpReplies.SseEvent;
import dev.deliberate.api.ProgressLines;
import dev.deliberate.api.WireBudget;
import dev.deliberate.profile.Profile;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.run.DeliberateException;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StartedRun;
import dev.deliberate.run.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code /v1/chat/completions} and {@code /v1/models}. */
@RestController
public class ChatCompletionsController {

    private static final ChatCompletionChunk.Delta ASSISTANT = new ChatCompletionChunk.Delta("assistant", "", null);

    /** Accepted for clients that always send it; a profile, not the request, decides how hard a strategy works. */
    private static final List<String> REASONING_EFFORTS = List.of("none", "minimal", "low", "medium", "high", "xhigh");

    private static final String DONE = "[DONE]";
    static final String RUN_ID_HEADER = "X-Deliberate-Run-Id";

    private final RunService runs;
    private final ProfileRegistry profiles;
    private final HttpReplies replies;
    private final ApiLimits limits;
    private final long startedAt = Instant.now().getEpochSecond();

    public ChatCompletionsController(RunService runs, ProfileRegistry profiles, HttpReplies replies, ApiLimits limits) {
        this.runs = runs;
        this.profiles = profiles;
        this.replies = replies;
        this.limits = limits;
    }

    @GetMapping("/v1/models")
    public ModelList models() {
        return new ModelList("list", profiles.all().stream().map(this::model).toList());
    }

    @GetMapping("/v1/models/{id}")
    public ModelList.Model model(@PathVariable String id) {
        return profiles.profile(id)
                .map(this::model)
                .orElseThrow(() ->
                        DeliberateException.notFound("model", "model_not_found", "no profile named '" + id + "'"));
    }

    private ModelList.Model model(Profile profile) {
        return new ModelList.Model(profile.name(), "model", startedAt, "deliberate");
    }

    @PostMapping("/v1/chat/completions")
    public Mono<Void> complete(@RequestBody ChatCompletionRequest request, ServerHttpResponse response) {
        RunRequest runRequest = toRunRequest(request);
        StartedRun run = runs.start(runRequest);
        Flux<RunEvent> events = run.events();
        response.getHeaders().set(RUN_ID_HEADER, run.runId());
        if (!request.streaming()) {
            return events.last()
                    .flatMap(event -> event instanceof RunEvent.Finished finished
                            ? replies.json(response, 200, completion(finished.result()))
                            : Mono.error(((RunEvent.Failed) event).error()));
        }
        boolean includeUsage = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        Chunks chunks = new Chunks(
                completionId(run.runId()), request.model(), Instant.now().getEpochSecond());
        Flux<SseEvent> frames = Flux.defer(() -> {
            AtomicBoolean began = new AtomicBoolean();
            return heldUntilProgress(events, limits.streamHold())
                    .index()
                    .concatMap(indexed -> {
                        Flux<SseEvent> own = frames(indexed.getT2(), chunks, includeUsage);
                        return indexed.getT1() == 0
                                ? Flux.concat(Mono.fromSupplier(() -> frame(chunks.delta(ASSISTANT))), own)
                                : own;
                    })
                    .doOnNext(frame -> began.set(true))
                    .onErrorResume(error -> began.get() ? Flux.just(errorFrame(error)) : Flux.error(error));
        });
        return replies.events(response, frames);
    }

    /**
     * The run's events, held back until a step succeeds or the run ends, so that a run failing before any progress
     * (backend down, context overflow) gets its real HTTP status rather than a 200 stream carrying an error. Steps
     * give progress lines only once finished, so holding them costs a client nothing it could have shown. After
     * {@code hold} the events flow anyway: a silent connection would trip client and proxy timeouts.
     */
    static Flux<RunEvent> heldUntilProgress(Flux<RunEvent> events, Duration hold) {
        return events.publish(shared -> {
            AtomicBoolean released = new AtomicBoolean();
            Flux<Optional<RunEvent>> release = Mono.delay(hold)
                    .map(tick -> Optional.<RunEvent>empty())
                    .flux()
                    .takeUntilOther(shared.then());
            return Flux.merge(shared.map(Optional::of), release)
                    .bufferUntil(event ->
                            released.get() || ((event.isEmpty() || progress(event.get())) && !released.getAndSet(true)))
                    .index()
                    .concatMap(batch -> {
                        List<RunEvent> held =
                                batch.getT2().stream().flatMap(Optional::stream).toList();
                        return batch.getT1() == 0
                                        && !held.isEmpty()
                                        && held.get(held.size() - 1) instanceof RunEvent.Failed failed
                                ? Flux.error(failed.error())
                                : Flux.fromIterable(held);
                    });
        });
    }

    private static boolean progress(RunEvent event) {
        return !(event instanceof RunEvent.StepEvent step) || step.step().status() == Step.Status.OK;
    }

    private Flux<SseEvent> frames(RunEvent event, Chunks chunks, boolean includeUsage) {
        if (event instanceof RunEvent.StepEvent step) {
            String line = ProgressLines.of(step.step());
            return line == null
                    ? Flux.empty()
                    : Flux.just(frame(chunks.delta(new ChatCompletionChunk.Delta(null, null, line))));
        }
        if (event instanceof RunEvent.Finished finished) {
            return Flux.fromIterable(finalFrames(chunks, finished.result(), includeUsage));
        }
        return Flux.just(errorFrame(((RunEvent.Failed) event).error()));
    }

    private List<SseEvent> finalFrames(Chunks chunks, RunResult result, boolean includeUsage) {
        Solution solution = result.solution();
        ChatCompletion.RunInfo info = info(result);
        List<SseEvent> frames = new ArrayList<>();
        frames.add(frame(
                chunks.delta(new ChatCompletionChunk.Delta(null, solution == null ? "" : solution.text(), null))));
        frames.add(frame(new ChatCompletionChunk(
                chunks.id(),
                "chat.completion.chunk",
                chunks.created(),
                chunks.model(),
                List.of(new ChatCompletionChunk.Choice(
                        0, new ChatCompletionChunk.Delta(null, null, null), null, finishReason(solution))),
                null,
                info)));
        if (includeUsage) {
            frames.add(frame(new ChatCompletionChunk(
                    chunks.id(),
                    "chat.completion.chunk",
                    chunks.created(),
                    chunks.model(),
                    List.of(),
                    usage(result),
                    null)));
        }
        frames.add(SseEvent.data(DONE));
        return frames;
    }

    private SseEvent frame(ChatCompletionChunk chunk) {
        return SseEvent.data(replies.toJson(chunk));
    }

    /** An error after the stream began: a last {@code data:} event with an {@code error} object and no [DONE]. */
    private SseEvent errorFrame(Throwable error) {
        return SseEvent.data(replies.toJson(ErrorReply.of(error).body()));
    }

    private record Chunks(String id, String model, long created) {
        ChatCompletionChunk delta(ChatCompletionChunk.Delta delta) {
            return new ChatCompletionChunk(
                    id,
                    "chat.completion.chunk",
                    created,
                    model,
                    List.of(new ChatCompletionChunk.Choice(0, delta, null, null)),
                    null,
                    null);
        }
    }

    private ChatCompletion completion(RunResult result) {
        Solution solution = result.solution();
        String text = solution == null ? "" : solution.text();
        return new ChatCompletion(
                completionId(result.runId()),
                "chat.completion",
                result.startedAt().getEpochSecond(),
                result.profile(),
                List.of(new ChatCompletion.Choice(
                        0, new ChatCompletion.Message("assistant", text, null), null, finishReason(solution))),
                usage(result),
                null,
                info(result));
    }

    /** "length" when the answer's text was cut by a token limit; a budget stop shows as deliberate.truncated. */
    private static String finishReason(@Nullable Solution solution) {
        return solution != null && solution.isTextCut() ? Solution.LENGTH : "stop";
    }

    /** The completion id is the run id in OpenAI's form, so that a reply leads to its trace. */
    private static String completionId(String runId) {
        return "chatcmpl-" + runId.substring("run-".length());
    }

    private static ChatCompletion.Usage usage(RunResult result) {
        return new ChatCompletion.Usage(
                result.usage().promptTokens(),
                result.usage().completionTokens(),
                result.usage().totalTokens());
    }

    private static ChatCompletion.RunInfo info(RunResult result) {
        Solution solution = result.solution();
        return new ChatCompletion.RunInfo(
                result.runId(),
                result.profile(),
                result.strategy(),
                solution == null ? null : solution.answer(),
                solution == null ? null : solution.confidence(),
                result.usage().modelCalls(),
                result.truncated(),
                result.wall() == null ? 0 : result.wall().toMillis(),
                result.criticalPath().length().toMillis(),
                solution == null ? java.util.Map.of() : solution.notes());
    }

    private RunRequest toRunRequest(ChatCompletionRequest request) {
        if (request.model() == null || request.model().isBlank()) {
            throw DeliberateException.invalidRequest(
                    "model", "is required: name a profile (GET /v1/models lists them)");
        }
        var messages = Conversations.of(request.messages(), "messages", limits);
        if (request.n() != null && request.n() != 1) {
            throw DeliberateException.invalidRequest(
                    "n", "must be 1; strategies sample internally (try a profile such as self-consistency)");
        }
        if (request.temperature() != null && !(request.temperature() >= 0 && request.temperature() <= 2)) {
            throw DeliberateException.invalidRequest("temperature", "must be between 0 and 2");
        }
        if (request.topP() != null && !(request.topP() >= 0 && request.topP() <= 1)) {
            throw DeliberateException.invalidRequest("top_p", "must be between 0 and 1");
        }
        if (request.streamOptions() != null && !request.streaming()) {
            throw DeliberateException.invalidRequest("stream_options", "is only allowed when stream is true");
        }
        refuseWhatStrategiesCannotHonour(request);
        Integer maxTokens = maxTokens(request);
        AnswerKind kind = null;
        WireBudget budget = null;
        if (request.deliberate() != null) {
            String kindName = request.deliberate().kind();
            if (kindName != null) {
                kind = AnswerKind.fromWireName(kindName)
                        .orElseThrow(() -> DeliberateException.invalidRequest(
                                "deliberate.kind", "must be one of math, choice, code, text"));
            }
            budget = request.deliberate().budget();
        }
        return new RunRequest(
                request.model(),
                new Problem(messages, kind, null),
                WireBudget.toOverrides(budget, "deliberate.budget"),
                request.seed(),
                maxTokens,
                new RunRequest.Sampling(request.temperature(), request.topP(), stops(request.stop())));
    }

    /**
     * OpenAI fields that clients often send at their neutral values pass; a value that asks for something a strategy's
     * answer cannot give (one sequence's logprobs, tool calls, a JSON schema, penalties) is refused by name rather
     * than dropped, so a client never believes it got what it asked for.
     */
    private static void refuseWhatStrategiesCannotHonour(ChatCompletionRequest request) {
        penalty("frequency_penalty", request.frequencyPenalty());
        penalty("presence_penalty", request.presencePenalty());
        if (present(request.logitBias())) {
            throw unsupported("logit_bias", "strategies set their own sampling");
        }
        if (Boolean.TRUE.equals(request.logprobs())) {
            throw unsupported("logprobs", "an answer is voted or refined from many samples, not one sequence");
        }
        if (request.topLogprobs() != null && request.topLogprobs() != 0) {
            throw unsupported("top_logprobs", "an answer is voted or refined from many samples, not one sequence");
        }
        JsonNode format = request.responseFormat();
        if (format != null
                && !format.isNull()
                && !"text".equals(format.path("type").asString(""))) {
            throw unsupported("response_format", "only {\"type\": \"text\"} is accepted");
        }
        if (present(request.tools()) || present(request.functions())) {
            throw unsupported(
                    present(request.tools()) ? "tools" : "functions",
                    "tool calling is not offered; strategies answer in text");
        }
        for (String field : List.of("tool_choice", "function_call")) {
            JsonNode choice = field.equals("tool_choice") ? request.toolChoice() : request.functionCall();
            if (choice != null && !choice.isNull() && !"none".equals(choice.asString(""))) {
                throw unsupported(field, "only \"none\" is accepted; strategies answer in text");
            }
        }
        JsonNode modalities = request.modalities();
        if (modalities != null && !modalities.isNull()) {
            if (!modalities.isArray()) {
                throw DeliberateException.invalidRequest("modalities", "must be an array of strings");
            }
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asString(""))) {
                    throw unsupported("modalities", "only \"text\" is produced");
                }
            }
        }
        String effort = request.reasoningEffort();
        if (effort != null && !REASONING_EFFORTS.contains(effort)) {
            throw DeliberateException.invalidRequest(
                    "reasoning_effort", "must be one of " + String.join(", ", REASONING_EFFORTS));
        }
    }

    /** Anything but null, {@code []} or {@code {}}: a scalar where a list or map belongs is not "nothing asked". */
    private static boolean present(@Nullable JsonNode value) {
        return value != null && !value.isNull() && !(value.isContainer() && value.isEmpty());
    }

    private static void penalty(String field, @Nullable Double value) {
        if (value != null && !(value >= -2 && value <= 2)) {
            throw DeliberateException.invalidRequest(field, "must be between -2 and 2");
        }
        if (value != null && value != 0) {
            throw unsupported(field, "strategies set their own sampling; send 0 or leave it out");
        }
    }

    private static DeliberateException unsupported(String field, String why) {
        return DeliberateException.invalidRequest(field, "is not supported: " + why);
    }

    private @Nullable Integer maxTokens(ChatCompletionRequest request) {
        Integer legacy = request.maxTokens();
        Integer current = request.maxCompletionTokens();
        if (legacy != null && current != null && !legacy.equals(current)) {
            throw DeliberateException.invalidRequest("max_tokens", "conflicts with max_completion_tokens; send one");
        }
        Integer value = current != null ? current : legacy;
        String field = current != null ? "max_completion_tokens" : "max_tokens";
        if (value != null && (value < 1 || value > limits.maxTokensPerCall())) {
            throw DeliberateException.invalidRequest(field, "must be between 1 and " + limits.maxTokensPerCall());
        }
        return value;
    }

    private static List<String> stops(@Nullable JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isString()) {
            return List.of(stop.asString());
        }
        if (stop.isArray() && stop.size() <= 4) {
            List<String> stops = new ArrayList<>();
            for (JsonNode item : stop) {
                if (!item.isString()) {
                    throw DeliberateException.invalidRequest("stop", "must be a string or an array of strings");
                }
                stops.add(item.asString());
            }
            return stops;
        }
        throw DeliberateException.invalidRequest("stop", "must be a string or an array of at most 4 strings");
    }
}
