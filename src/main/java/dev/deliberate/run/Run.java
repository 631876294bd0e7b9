package dev.deliberate.run;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.ContextView;

/**
 * One execution of a strategy, and the only door it has to the outside: every model call reserves budget first,
 * opens a trace step under the current parent step (carried in the Reactor context), derives its seed from the step
 * path and records its usage when it settles. Sub-runs ({@link #solveWith}) share the budget and the trace.
 */
public final class Run {

    /** Completion cap for a call whose request sets none. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private static final String PARENT_STEP = Run.class.getName() + ".parentStep";
    private static final int NOTE_TEXT_LIMIT = 400;

    private final String id;
    private final Plan plan;
    private final Budget budget;
    private final Trace trace;
    private final long seed;
    private final int depth;
    private final String rootStepId;
    private final ProfileLookup profiles;
    private final RunRequest.Sampling sampling;
    private final @Nullable Integer maxTokensPerCall;
    private final AtomicReference<@Nullable Candidate> best = new AtomicReference<>();

    Run(
            String id,
            Plan plan,
            Budget budget,
            Trace trace,
            long seed,
            int depth,
            String rootStepId,
            ProfileLookup profiles,
            RunRequest.Sampling sampling,
            @Nullable Integer maxTokensPerCall) {
        this.id = id;
        this.plan = plan;
        this.budget = budget;
        this.trace = trace;
        this.seed = seed;
        this.depth = depth;
        this.rootStepId = rootStepId;
        this.profiles = profiles;
        this.sampling = sampling;
        this.maxTokensPerCall = maxTokensPerCall;
    }

    public String id() {
        return id;
    }

    public String profile() {
        return plan.profile();
    }

    public long seed() {
        return seed;
    }

    public int depth() {
        return depth;
    }

    public Budget budget() {
        return budget;
    }

    public Trace trace() {
        return trace;
    }

    /** The client's own sampling settings, for strategies that pass the conversation straight through. */
    public RunRequest.Sampling clientSampling() {
        return sampling;
    }

    /** How many calls a strategy may have in flight at once in one fan-out. */
    public int fanOut() {
        return budget.limits().maxBreadth();
    }

    /**
     * How many of {@code wanted} samples from {@code role} the budget can still pay for in one request, and which
     * limit cut them: a strategy that can answer from fewer samples asks for these and reports the limit with
     * {@link Solution#stoppedBy}, so the run ends truncated instead of failing. An endpoint that returns n choices in
     * one request costs one call for all of them; one that fans out costs a call per sample.
     */
    public Allowance samplesWithinBudget(String role, int wanted) {
        int breadth = budget.limits().maxBreadth();
        int calls = capabilities(role).multipleChoices() ? (budget.callsLeft() > 0 ? wanted : 0) : budget.callsLeft();
        if (wanted <= Math.min(calls, breadth)) {
            return new Allowance(wanted, null);
        }
        return calls <= breadth ? new Allowance(calls, "max_model_calls") : new Allowance(breadth, "max_breadth");
    }

    /**
     * @param granted samples the budget pays for, possibly 0
     * @param limitedBy the budget limit that cut them below what was wanted, or {@code null}
     */
    public record Allowance(int granted, @Nullable String limitedBy) {}

    public Capabilities capabilities(String role) {
        return endpoint(role).capabilities();
    }

    /** {@code request.n()} completions from the endpoint behind {@code role}, as one GENERATE step. */
    public Mono<Generation> generate(String role, GenerationRequest request) {
        return Mono.deferContextual(context -> {
            Endpoint endpoint = callable(role);
            Call call = admit(endpoint, request);
            Step step = trace.open(parentOf(context), StepKind.GENERATE, role, endpoint.name(), call.notes());
            return endpoint.generate(call.request().withSeed(seedOr(call.request(), step)))
                    .doOnNext(generation -> {
                        budget.settle(call.reservation(), generation.usage());
                        trace.close(
                                step.id(),
                                Step.Status.OK,
                                RunUsage.ofCalls(generation.backendCalls(), generation.usage()),
                                outputNotes(generation.choices()));
                    })
                    .doFinally(signal -> settleUnfinished(call, step, signal))
                    .doOnError(error -> fail(call, step, error, Usage.ZERO));
        });
    }

    /** Streamed completions from the endpoint behind {@code role}, as one STREAM step. */
    public Flux<GenerationChunk> stream(String role, GenerationRequest request) {
        return Flux.deferContextual(context -> {
            Endpoint endpoint = callable(role);
            Call call = admit(endpoint, request);
            Step step = trace.open(parentOf(context), StepKind.STREAM, role, endpoint.name(), call.notes());
            AtomicReference<Usage> usage = new AtomicReference<>(Usage.ZERO);
            AtomicLong streamed = new AtomicLong();
            return endpoint.stream(call.request().withSeed(seedOr(call.request(), step)))
                    .doOnNext(chunk -> {
                        if (chunk.usage() != null) {
                            usage.set(chunk.usage());
                        }
                        streamed.addAndGet(chunk.tokenCount());
                    })
                    .doOnComplete(() -> {
                        budget.settle(call.reservation(), usage.get());
                        trace.close(step.id(), Step.Status.OK, RunUsage.ofCalls(call.calls(), usage.get()), Map.of());
                    })
                    .doFinally(signal -> {
                        if (signal == SignalType.CANCEL) {
                            // A stream cancelled midway (pruned, or the client left) has still cost its prompt and
                            // the tokens it sent; the backend reports no usage for it, so count what was seen.
                            Usage spent = new Usage(promptEstimate(call.request()), streamed.get());
                            budget.settle(call.reservation(), spent);
                            trace.close(
                                    step.id(),
                                    Step.Status.CANCELLED,
                                    RunUsage.ofCalls(call.calls(), spent),
                                    Map.of("usage", "estimated"));
                        }
                    })
                    .doOnError(error -> {
                        // Tokens that arrived before the failure were generated, and paid for, all the same.
                        Usage spent = streamed.get() == 0
                                ? Usage.ZERO
                                : new Usage(promptEstimate(call.request()), streamed.get());
                        fail(call, step, error, spent);
                    });
        });
    }

    /**
     * Runs {@code body} as one step of the trace: the model calls and steps it makes become children of this step.
     * The body may attach notes; the step ends when the body's Mono settles.
     */
    public <T> Mono<T> step(StepKind kind, String name, Function<StepNotes, Mono<T>> body) {
        return step(kind, name, Map.of(), body);
    }

    /**
     * As {@link #step(StepKind, String, Function)}, with notes known when the step starts: they travel with the
     * step's start event (so a client following the trace live can place the step at once) and stay in its notes.
     */
    public <T> Mono<T> step(
            StepKind kind, String name, Map<String, Object> opening, Function<StepNotes, Mono<T>> body) {
        return Mono.deferContextual(context -> {
            Step step = trace.open(parentOf(context), kind, name, null, opening);
            StepNotes notes = new StepNotes();
            opening.forEach(notes::put);
            return Mono.defer(() -> body.apply(notes))
                    .contextWrite(inner -> inner.put(PARENT_STEP, step.id()))
                    .doOnSuccess(value -> trace.close(step.id(), Step.Status.OK, RunUsage.ZERO, notes.snapshot()))
                    .doOnError(error -> trace.close(
                            step.id(), Step.Status.FAILED, RunUsage.ZERO, errorNotes(notes.snapshot(), error)))
                    .doOnCancel(() -> trace.close(step.id(), Step.Status.CANCELLED, RunUsage.ZERO, notes.snapshot()));
        });
    }

    /**
     * Runs {@code body} as one code execution: charges the run's {@code max_code_executions} budget first (failing
     * before anything starts when it is spent), then records an EXECUTE step that counts the execution in its usage.
     */
    public <T> Mono<T> execute(String name, Map<String, Object> opening, Function<StepNotes, Mono<T>> body) {
        return Mono.deferContextual(context -> {
            budget.reserveExecution();
            Step step = trace.open(parentOf(context), StepKind.EXECUTE, name, null, opening);
            StepNotes notes = new StepNotes();
            opening.forEach(notes::put);
            RunUsage oneExecution = new RunUsage(0, 0, 0, 1);
            return Mono.defer(() -> body.apply(notes))
                    .doOnSuccess(value -> trace.close(step.id(), Step.Status.OK, oneExecution, notes.snapshot()))
                    .doOnError(error -> trace.close(
                            step.id(), Step.Status.FAILED, oneExecution, errorNotes(notes.snapshot(), error)))
                    .doOnCancel(() -> trace.close(step.id(), Step.Status.CANCELLED, oneExecution, notes.snapshot()));
        });
    }

    /**
     * Solves {@code problem} with another profile, one level deeper, on this run's budget and trace. The child's
     * candidates stay its own: the caller decides what to offer. When a budget limit stops the child, it answers with
     * its best offer marked {@link Solution#stoppedBy} (and fails only when it had none), as a whole run does.
     */
    public Mono<Solution> solveWith(String profile, Problem problem) {
        return Mono.deferContextual(context -> {
            Plan child = profiles.find(profile)
                    .orElseThrow(() -> new IllegalArgumentException("unknown profile for a sub-run: " + profile));
            budget.checkDepth(depth + 1);
            Step step = trace.open(
                    parentOf(context),
                    StepKind.RUN,
                    profile,
                    null,
                    Map.of("strategy", child.strategyName(), "depth", depth + 1));
            Run sub = new Run(
                    id,
                    child,
                    budget,
                    trace,
                    seed ^ step.path().hashCode(),
                    depth + 1,
                    step.id(),
                    profiles,
                    sampling,
                    maxTokensPerCall);
            return child.strategy()
                    .solve(problem, sub)
                    // Like a whole run, a sub-run that a budget limit stops answers with its best offer, marked.
                    .onErrorResume(
                            BudgetExhaustedException.class,
                            exhausted -> sub.best()
                                    .map(best -> Mono.just(best.toSolution().stoppedBy(exhausted.limit())))
                                    .orElseGet(() -> Mono.error(exhausted)))
                    .contextWrite(inner -> inner.put(PARENT_STEP, step.id()))
                    .doOnSuccess(solution -> trace.close(
                            step.id(),
                            Step.Status.OK,
                            RunUsage.ZERO,
                            solution == null ? Map.of() : solutionNotes(solution)))
                    .doOnError(error ->
                            trace.close(step.id(), Step.Status.FAILED, RunUsage.ZERO, errorNotes(Map.of(), error)))
                    .doOnCancel(() -> trace.close(step.id(), Step.Status.CANCELLED, RunUsage.ZERO, Map.of()));
        });
    }

    /** Records an answer the run could return if the budget or deadline stops it early. */
    public void offer(Candidate candidate) {
        best.accumulateAndGet(
                candidate,
                (current, offered) ->
                        current == null || offered.confidence() >= current.confidence() ? offered : current);
    }

    public Optional<Candidate> best() {
        return Optional.ofNullable(best.get());
    }

    String rootStepId() {
        return rootStepId;
    }

    static String parentKey() {
        return PARENT_STEP;
    }

    private Endpoint endpoint(String role) {
        Endpoint endpoint = plan.roles().get(role);
        if (endpoint == null) {
            throw new IllegalArgumentException("profile " + plan.profile() + " maps no endpoint to role " + role);
        }
        return endpoint;
    }

    /** The endpoint behind {@code role}, refused when its probed capabilities lack what the strategy needs. */
    private Endpoint callable(String role) {
        Endpoint endpoint = endpoint(role);
        Capabilities capabilities = endpoint.capabilities();
        if (capabilities.source() != Capabilities.Source.ASSUMED) {
            for (Requirement requirement : plan.requirements().getOrDefault(role, java.util.Set.of())) {
                if (!requirement.metBy(capabilities)) {
                    throw new DeliberateException(
                            503,
                            "server_error",
                            null,
                            "endpoint_lacks_capability",
                            "endpoint '" + endpoint.name() + "' lacks " + requirement.wireName() + ", which profile '"
                                    + plan.profile() + "' needs for role '" + role + "'; use an endpoint that has it",
                            null,
                            null);
                }
            }
        }
        return endpoint;
    }

    private String parentOf(ContextView context) {
        return context.getOrDefault(PARENT_STEP, rootStepId);
    }

    private record Call(GenerationRequest request, int calls, Budget.Reservation reservation) {
        Map<String, Object> notes() {
            Map<String, Object> notes = new LinkedHashMap<>();
            notes.put("n", request.n());
            if (request.temperature() != null) {
                notes.put("temperature", request.temperature());
            }
            notes.put("max_tokens", request.maxTokens());
            return notes;
        }
    }

    /** Checks breadth, caps max_tokens to what the budget can still pay for, and reserves the worst case. */
    private Call admit(Endpoint endpoint, GenerationRequest request) {
        budget.checkBreadth(request.n());
        int calls = endpoint.capabilities().multipleChoices() ? 1 : request.n();
        long prompt = promptEstimate(request);
        int wanted = request.maxTokens() != null ? request.maxTokens() : DEFAULT_MAX_TOKENS;
        if (maxTokensPerCall != null) {
            wanted = Math.min(wanted, maxTokensPerCall);
        }
        long affordable = (budget.tokensLeft() - prompt) / request.n();
        int maxTokens = (int) Math.min(wanted, Math.max(affordable, 0));
        if (maxTokens < 1) {
            // Let the budget name the exhausted limit in its own words.
            maxTokens = wanted;
        }
        GenerationRequest shaped = request.withMaxTokens(maxTokens);
        Budget.Reservation reservation = budget.reserveCalls(calls, prompt + (long) maxTokens * request.n());
        return new Call(shaped, calls, reservation);
    }

    /** A deliberate over-estimate (3 characters a token plus framing) so that reservations are worst cases. */
    private static long promptEstimate(GenerationRequest request) {
        long chars = 0;
        for (ChatMessage message : request.messages()) {
            chars += message.content().length() + 16;
        }
        return chars / 3 + 8;
    }

    private long seedOr(GenerationRequest request, Step step) {
        if (request.seed() != null) {
            return request.seed();
        }
        // SplitMix64 finaliser over the step path: stable across runs with the same seed and call order.
        long z = seed + 0x9E3779B97F4A7C15L * (step.path().hashCode() + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & 0x7FFFFFFFL;
    }

    private void settleUnfinished(Call call, Step step, SignalType signal) {
        if (signal == SignalType.CANCEL) {
            budget.settle(call.reservation(), Usage.ZERO);
            trace.close(step.id(), Step.Status.CANCELLED, RunUsage.ofCalls(call.calls(), Usage.ZERO), Map.of());
        }
    }

    private void fail(Call call, Step step, Throwable error, Usage spent) {
        budget.settle(call.reservation(), spent);
        trace.close(step.id(), Step.Status.FAILED, RunUsage.ofCalls(call.calls(), spent), errorNotes(Map.of(), error));
    }

    /** The message of errors we raise ourselves; only the type of anything else, whose message may hold internals. */
    static Map<String, Object> errorNotes(Map<String, Object> notes, Throwable error) {
        Map<String, Object> merged = new LinkedHashMap<>(notes);
        merged.put(
                "error",
                error instanceof BackendException || error instanceof DeliberateException
                        ? String.valueOf(error.getMessage())
                        : error.getClass().getSimpleName());
        return merged;
    }

    private static Map<String, Object> outputNotes(List<Choice> choices) {
        List<String> outputs = new ArrayList<>();
        for (Choice choice : choices) {
            String text = choice.text();
            outputs.add(StepNotes.excerpt(text, NOTE_TEXT_LIMIT));
        }
        return Map.of("outputs", outputs);
    }

    static Map<String, Object> solutionNotes(Solution solution) {
        Map<String, Object> notes = new LinkedHashMap<>();
        if (solution.answer() != null) {
            notes.put("answer", solution.answer());
        }
        if (solution.confidence() != null) {
            notes.put("confidence", solution.confidence());
        }
        return notes;
    }
}
