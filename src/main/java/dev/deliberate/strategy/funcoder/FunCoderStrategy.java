package dev.deliberate.strategy.funcoder;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.DeliberateException;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.run.Strategy;
import dev.deliberate.sandbox.CallResult;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.sandbox.Execution;
import dev.deliberate.sandbox.Outline;
import dev.deliberate.sandbox.Program;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * FunCoder's depth-first search. For each function: DIVIDE (one draft that may declare helper stubs), the helpers
 * depth first, CONQUER (sampled re-implementations with the body hidden), model-written test inputs (plus, at the
 * root, the docstring's examples and the client's tests as system tests), every candidate run on every input in the
 * sandbox, and the consensus winner committed. All parsing of model code is Python's {@code ast} inside the sandbox.
 */
final class FunCoderStrategy implements Strategy {

    static final String DIVIDE = "funcoder/divide";
    static final String CONQUER = "funcoder/conquer";
    static final String TESTS = "funcoder/tests";
    static final String SYSTEM_TESTS = "funcoder/system-tests";
    static final List<String> PROMPTS = List.of(DIVIDE, CONQUER, TESTS, SYSTEM_TESTS);

    private static final int NOTE_LIMIT = 300;
    /** Longest test line kept: a model that writes a whole program on one line is not writing a test input. */
    private static final int MAX_TEST_LINE = 1000;

    private final FunCoderParameters parameters;
    private final PromptLibrary prompts;
    private final AnswerFormat format;
    private final CodeRunner runner;

    FunCoderStrategy(FunCoderParameters parameters, PromptLibrary prompts, AnswerFormat format, CodeRunner runner) {
        this.parameters = parameters;
        this.prompts = prompts;
        this.format = format;
        this.runner = runner;
    }

    /** What one run shares: its tree, the client's system prompt, its system tests and seeded choices. */
    private record Context(
            Run run,
            FunctionTree tree,
            List<ChatMessage> system,
            List<String> clientTests,
            AtomicReference<@Nullable String> stoppedBy,
            AtomicReference<@Nullable Double> rootShare) {

        Random random(String salt) {
            return new Random(run.seed() ^ salt.hashCode());
        }
    }

    /** One implementation of a function under consensus. */
    private record Implementation(
            String label, String function, List<FunctionTree.Helper> helpers, List<String> imports) {

        String source() {
            List<String> parts = new ArrayList<>();
            if (!imports.isEmpty()) {
                parts.add(String.join("\n", imports));
            }
            parts.add(function);
            helpers.forEach(helper -> parts.add(helper.source()));
            return String.join("\n\n\n", parts);
        }
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        List<ChatMessage> system = problem.messages().stream()
                .filter(m -> m.role().equals(ChatMessage.SYSTEM))
                .toList();
        return entryPoint(problem, run).flatMap(tree -> {
            List<String> clientTests =
                    problem.code() == null ? List.of() : problem.code().tests();
            Context context =
                    new Context(run, tree, system, clientTests, new AtomicReference<>(), new AtomicReference<>());
            return solveFunction(context, tree.root().name()).then(Mono.fromSupplier(() -> solution(context)));
        });
    }

    private Solution solution(Context context) {
        FunctionTree tree = context.tree();
        String program = tree.program();
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("functions", tree.shape());
        notes.put("function_count", tree.size());
        Double share = context.rootShare().get();
        Solution solution = new Solution(program, fenced(program), share, notes);
        String cut = context.stoppedBy().get();
        return cut == null ? solution : solution.stoppedBy(cut);
    }

    // ---------------------------------------------------------------- the entry point

    /**
     * The function to write, read (by the sandbox's parser) from the client's last message or its code fields. This is
     * the run's first box, so a sandbox that cannot run fails the run (503) before any model call.
     */
    private Mono<FunctionTree> entryPoint(Problem problem, Run run) {
        String message = lastUserMessage(problem);
        String code = format.extract(AnswerKind.CODE, message).map(Answer::raw).orElse(message);
        Problem.CodeSpec spec = problem.code();
        String signature = spec == null ? null : spec.signature();
        List<String> sources = signature == null ? List.of(code) : List.of(code, stubFrom(signature, message));
        return outline(run, "parse problem", sources).map(outlines -> {
            Outline outline = outlines.get(0);
            Outline.@Nullable Function stub = outline.parses() ? pickEntryPoint(outline, spec) : null;
            if (stub != null) {
                return new FunctionTree(code.replace(stub.source(), ""), stub.name(), stub.source(), stub.signature());
            }
            if (signature != null) {
                // No stub in the message: the message is the description, the signature its header.
                Outline declared = outlines.get(1);
                Outline.@Nullable Function fromSignature =
                        declared.parses() && declared.functions().size() == 1 ? pickEntryPoint(declared, spec) : null;
                if (fromSignature == null) {
                    throw DeliberateException.invalidRequest(
                            "problem.signature",
                            "must be one Python function header such as 'def add(a: int, b: int) -> int'"
                                    + (spec.entryPoint() == null ? "" : " named '" + spec.entryPoint() + "'"));
                }
                return new FunctionTree("", fromSignature.name(), fromSignature.source(), fromSignature.signature());
            }
            throw DeliberateException.invalidRequest(
                    "messages",
                    spec != null && spec.entryPoint() != null
                            ? "the message declares no Python function named '" + spec.entryPoint() + "'"
                                    + (outline.parses() ? "" : " (it does not parse: " + outline.syntaxError() + ")")
                                    + "; send its stub, or its header in problem.signature"
                            : "funcoder writes a Python function: send its stub (a def with a docstring), in the"
                                    + " message or a fenced code block");
        });
    }

    /** A stub from a bare header and the problem's text as its docstring (quotes escaped, so the text stays data). */
    static String stubFrom(String signature, String description) {
        String header = signature.strip();
        if (header.endsWith(":")) {
            header = header.substring(0, header.length() - 1).stripTrailing();
        }
        if (!header.startsWith("def ") && !header.startsWith("async def ")) {
            header = "def " + header;
        }
        String doc = description.strip().replace("\\", "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
        return header + ":\n    \"\"\"" + doc.replace("\n", "\n    ") + "\n    \"\"\"\n";
    }

    private static Outline.@Nullable Function pickEntryPoint(Outline outline, Problem.@Nullable CodeSpec spec) {
        List<Outline.Function> functions = outline.functions();
        if (spec != null && spec.entryPoint() != null) {
            return functions.stream()
                    .filter(f -> f.name().equals(spec.entryPoint()))
                    .reduce((first, second) -> second)
                    .orElse(null);
        }
        // The function left to write is the last stub; a message of finished functions asks to rewrite the last.
        Outline.@Nullable Function lastStub = null;
        for (Outline.Function function : functions) {
            if (function.stub()) {
                lastStub = function;
            }
        }
        return lastStub != null ? lastStub : functions.isEmpty() ? null : functions.get(functions.size() - 1);
    }

    private static String lastUserMessage(Problem problem) {
        List<ChatMessage> messages = problem.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals(ChatMessage.USER)) {
                return messages.get(i).content();
            }
        }
        return messages.get(messages.size() - 1).content();
    }

    // ---------------------------------------------------------------- the search

    private Mono<Void> solveFunction(Context context, String name) {
        FunctionTree.Node node = context.tree().node(name);
        Map<String, Object> opening = Map.of("function", name, "depth", node.depth());
        return context.run()
                .step(
                        StepKind.GROUP,
                        "function " + name,
                        opening,
                        notes -> divide(context, node)
                                .then(Mono.defer(
                                        () -> Flux.fromIterable(context.tree().children(name))
                                                .concatMap(child -> solveFunction(context, child))
                                                .then()))
                                .then(Mono.defer(() -> conquer(context, node)))
                                .flatMap(candidates -> decide(context, node, candidates, notes))
                                .then());
    }

    /** DIVIDE: a draft of {@code node} that may declare helpers, accepted only when it parses and keeps the signature. */
    private Mono<Void> divide(Context context, FunctionTree.Node node) {
        FunctionTree tree = context.tree();
        if (node.depth() >= parameters.maxDepth() || tree.size() >= parameters.maxFunctions()) {
            return Mono.empty();
        }
        return context.run().step(StepKind.DECOMPOSE, "divide", notes -> {
            String prompt = prompts.render(
                    DIVIDE,
                    Map.of("context", orNone(tree.contextFor(node.name())), "name", node.name(), "stub", node.stub()));
            return attempt(context, notes, 1, prompt, node)
                    .doOnNext(reply -> {
                        List<Outline.Function> declared = new ArrayList<>();
                        for (Outline.Function function : reply.functions()) {
                            if (!function.name().equals(node.name()) && !tree.contains(function.name())) {
                                declared.add(function);
                            }
                        }
                        int room = parameters.maxFunctions() - tree.size();
                        if (declared.size() > room) {
                            notes.put("rejected", declared.size() + " helpers, room for " + room);
                            return;
                        }
                        tree.draft(node.name(), find(reply, node.name()).source());
                        for (Outline.Function helper : declared) {
                            tree.declare(node.name(), helper.name(), helper.source(), helper.signature());
                        }
                        notes.put(
                                "helpers",
                                declared.stream().map(Outline.Function::name).toList());
                    })
                    .then();
        });
    }

    /** Up to {@code retries} divide calls, until one reply implements {@code node} with its signature. */
    private Mono<Outline> attempt(
            Context context, StepNotes notes, int attempt, String prompt, FunctionTree.Node node) {
        GenerationRequest request = request(context, prompt, parameters.divideTemperature());
        return context.run()
                .generate(Roles.SOLVER, request)
                .flatMap(generation -> outline(context.run(), "parse draft", List.of(code(generation.text()))))
                .flatMap(outlines -> {
                    String problem = implementationProblem(outlines.get(0), node);
                    if (problem == null) {
                        notes.put("attempts", attempt);
                        return Mono.just(outlines.get(0));
                    }
                    notes.put("attempt_" + attempt, problem);
                    return attempt < parameters.retries()
                            ? attempt(context, notes, attempt + 1, prompt, node)
                            : Mono.<Outline>empty();
                });
    }

    /** CONQUER: sampled implementations with the body hidden, until {@code min-valid} are valid or tries run out. */
    private Mono<List<Implementation>> conquer(Context context, FunctionTree.Node node) {
        FunctionTree tree = context.tree();
        return context.run().step(StepKind.GROUP, "conquer", notes -> {
            String prompt = prompts.render(
                    CONQUER,
                    Map.of("context", orNone(tree.helpersOf(node.name())), "name", node.name(), "stub", node.stub()));
            List<Implementation> candidates = new ArrayList<>();
            String draft = tree.draftOf(node.name());
            if (draft != null) {
                candidates.add(new Implementation("draft", draft, List.of(), List.of()));
            }
            return sample(context, notes, node, prompt, 1, candidates).map(all -> {
                notes.put("candidates", all.size());
                return all;
            });
        });
    }

    private Mono<List<Implementation>> sample(
            Context context,
            StepNotes notes,
            FunctionTree.Node node,
            String prompt,
            int attempt,
            List<Implementation> candidates) {
        int wanted = parameters.samples();
        Run.Allowance allowance = context.run().samplesWithinBudget(Roles.SOLVER, wanted);
        if (allowance.limitedBy() != null) {
            context.stoppedBy().compareAndSet(null, allowance.limitedBy());
        }
        if (allowance.granted() == 0) {
            return finish(context, node, candidates);
        }
        GenerationRequest request =
                request(context, prompt, parameters.conquerTemperature()).withN(allowance.granted());
        return context.run()
                .generate(Roles.SOLVER, request)
                .flatMap(generation -> {
                    List<String> codes = generation.choices().stream()
                            .map(Choice::text)
                            .map(this::code)
                            .toList();
                    return outline(context.run(), "parse samples", codes).map(outlines -> {
                        List<String> rejected = new ArrayList<>();
                        for (int i = 0; i < outlines.size(); i++) {
                            String problem = implementationProblem(outlines.get(i), node);
                            if (problem != null) {
                                rejected.add(problem);
                                continue;
                            }
                            candidates.add(implementation(
                                    context.tree(), "sample " + (candidates.size() + 1), outlines.get(i), node));
                        }
                        if (!rejected.isEmpty()) {
                            notes.put("rejected_" + attempt, rejected);
                        }
                        return generation;
                    });
                })
                .flatMap(generation -> {
                    int nowValid = candidates.size() - (hasDraft(candidates) ? 1 : 0);
                    if (nowValid >= parameters.minValid() || attempt >= parameters.retries()) {
                        return finish(context, node, candidates);
                    }
                    return sample(context, notes, node, prompt, attempt + 1, candidates);
                });
    }

    private Mono<List<Implementation>> finish(
            Context context, FunctionTree.Node node, List<Implementation> candidates) {
        if (candidates.isEmpty()) {
            return Mono.error(new BackendException.BadReply(
                    Roles.SOLVER,
                    "the model wrote no usable implementation of '" + node.name() + "' in " + parameters.retries()
                            + " tries (each reply needs a fenced Python block that defines it with the signature "
                            + node.signature() + ")",
                    null));
        }
        return Mono.just(List.copyOf(candidates));
    }

    private static boolean hasDraft(List<Implementation> candidates) {
        return !candidates.isEmpty() && candidates.get(0).label().equals("draft");
    }

    /** Why a parsed reply is not an implementation of {@code node}, or {@code null} when it is one. */
    private static @Nullable String implementationProblem(Outline outline, FunctionTree.Node node) {
        if (!outline.parses()) {
            return "does not parse: " + StepNotes.excerpt(String.valueOf(outline.syntaxError()), NOTE_LIMIT);
        }
        Outline.Function function = find(outline, node.name());
        if (function == null) {
            return "defines no " + node.name();
        }
        if (function.stub()) {
            return node.name() + " has no body";
        }
        if (!function.signature().equals(node.signature())) {
            return "changed the signature to " + StepNotes.excerpt(function.signature(), NOTE_LIMIT);
        }
        return null;
    }

    /** A sample: the function, the new functions it defines beside it, and its imports; redefined helpers dropped. */
    private static Implementation implementation(
            FunctionTree tree, String label, Outline outline, FunctionTree.Node node) {
        List<FunctionTree.Helper> helpers = new ArrayList<>();
        for (Outline.Function function : outline.functions()) {
            if (!function.name().equals(node.name()) && !tree.contains(function.name())) {
                helpers.add(new FunctionTree.Helper(function.name(), function.signature(), function.source()));
            }
        }
        Outline.Function function = find(outline, node.name());
        return new Implementation(label, function.source(), helpers, outline.imports());
    }

    private static Outline.@Nullable Function find(Outline outline, String name) {
        Outline.@Nullable Function found = null;
        for (Outline.Function function : outline.functions()) {
            if (function.name().equals(name)) {
                found = function;
            }
        }
        return found;
    }

    // ---------------------------------------------------------------- tests, runs and consensus

    private Mono<Void> decide(
            Context context, FunctionTree.Node node, List<Implementation> candidates, StepNotes functionNotes) {
        boolean root = node.depth() == 0;
        Mono<List<String>> systemTests = root ? systemTests(context, node) : Mono.just(List.of());
        return Mono.zip(testInputs(context, node, candidates), systemTests).flatMap(tests -> {
            List<String> inputs = tests.getT1();
            List<String> checks = tests.getT2();
            List<String> calls = new ArrayList<>(inputs);
            calls.addAll(checks);
            return Flux.range(0, candidates.size())
                    .flatMapSequential(
                            i -> runCandidate(context, node, candidates.get(i), calls, inputs.size()),
                            Math.max(1, Math.min(context.run().fanOut(), 4)))
                    .collectList()
                    .flatMap(runs -> context.run().step(StepKind.VOTE, "consensus", notes -> {
                        Consensus.Verdict verdict = Consensus.decide(
                                runs,
                                inputs.size(),
                                checks.size(),
                                parameters.crashPenalty(),
                                parameters.systemTestPenalty(),
                                context.random(node.name() + "/consensus"));
                        Implementation winner = candidates.get(verdict.winner());
                        notes.put("scores", verdict.scores())
                                .put("winner", winner.label())
                                .put("agreeing", verdict.agreeing())
                                .put("candidates", candidates.size());
                        if (verdict.share() != null) {
                            notes.put("share", verdict.share());
                        }
                        if (!verdict.failedSystemTests().isEmpty()) {
                            notes.put(
                                    "failed_system_tests",
                                    verdict.failedSystemTests().size());
                        }
                        context.tree().commit(node.name(), winner.function(), winner.helpers(), winner.imports());
                        functionNotes.put("winner", winner.label());
                        double confidence = verdict.share() == null ? 0.0 : verdict.share();
                        if (root) {
                            context.rootShare().set(verdict.share());
                        }
                        String program = context.tree().program();
                        context.run().offer(new Candidate(program, fenced(program), root ? confidence : 0.0));
                        return Mono.just(verdict);
                    }))
                    .then();
        });
    }

    /** Model-written calls of {@code node}: one line each, kept only when it parses as a lone call or statement. */
    private Mono<List<String>> testInputs(Context context, FunctionTree.Node node, List<Implementation> candidates) {
        if (node.takesNoArguments()) {
            return Mono.just(List.of(node.name() + "()"));
        }
        return context.run().step(StepKind.GROUP, "tests", notes -> {
            Implementation shown =
                    candidates.get(context.random(node.name() + "/tests").nextInt(candidates.size()));
            String prompt = prompts.render(
                    TESTS,
                    Map.of(
                            "code", context.tree().programWith(node.name(), shown.source()),
                            "name", node.name(),
                            "max_tests", parameters.maxTests()));
            return lines(context, notes, prompt, node.name(), 1, parameters.retries())
                    .map(lines -> {
                        notes.put("inputs", lines);
                        return lines;
                    });
        });
    }

    /** The root's examples from its docstring, copied by the model as assertions, then the client's own tests. */
    private Mono<List<String>> systemTests(Context context, FunctionTree.Node root) {
        return context.run().step(StepKind.GROUP, "system tests", notes -> {
            String prompt = prompts.render(SYSTEM_TESTS, Map.of("stub", root.stub(), "name", root.name()));
            // One try: an empty reply is an answer here (the docstring has no examples).
            return context.run()
                    .generate(Roles.SOLVER, request(context, prompt, parameters.testTemperature()))
                    .flatMap(generation -> {
                        List<String> extracted = candidateLines(code(generation.text()), root.name());
                        List<String> all = new ArrayList<>(extracted);
                        all.addAll(context.clientTests());
                        return validLines(context, all, all.size()).map(valid -> {
                            notes.put("lines", valid);
                            if (valid.size() < all.size()) {
                                notes.put("dropped", all.size() - valid.size());
                            }
                            return valid;
                        });
                    });
        });
    }

    private Mono<List<String>> lines(
            Context context, StepNotes notes, String prompt, String name, int attempt, int attempts) {
        GenerationRequest request = request(context, prompt, parameters.testTemperature());
        return context.run()
                .generate(Roles.SOLVER, request)
                .flatMap(generation ->
                        validLines(context, candidateLines(code(generation.text()), name), parameters.maxTests()))
                .flatMap(lines -> {
                    if (!lines.isEmpty() || attempt >= attempts) {
                        return Mono.just(lines);
                    }
                    notes.put("attempt_" + attempt, "no usable line");
                    return lines(context, notes, prompt, name, attempt + 1, attempts);
                });
    }

    /** Lines that mention a call of {@code name}, at most twice the test cap, before parsing. */
    private List<String> candidateLines(String code, String name) {
        Set<String> lines = new LinkedHashSet<>();
        for (String line : code.split("\n")) {
            String stripped = line.strip();
            if (!stripped.isEmpty()
                    && !stripped.startsWith("#")
                    && stripped.length() <= MAX_TEST_LINE
                    && stripped.contains(name + "(")) {
                lines.add(stripped);
            }
            if (lines.size() >= 2 * parameters.maxTests()) {
                break;
            }
        }
        return List.copyOf(lines);
    }

    /** The lines that parse on their own and define nothing, at most {@code limit}. */
    private Mono<List<String>> validLines(Context context, List<String> lines, int limit) {
        if (lines.isEmpty()) {
            return Mono.just(List.of());
        }
        return outline(context.run(), "parse tests", lines).map(outlines -> {
            List<String> valid = new ArrayList<>();
            for (int i = 0; i < lines.size() && valid.size() < limit; i++) {
                if (outlines.get(i).parses() && outlines.get(i).functions().isEmpty()) {
                    valid.add(lines.get(i));
                }
            }
            return valid;
        });
    }

    private Mono<Execution> runCandidate(
            Context context, FunctionTree.Node node, Implementation candidate, List<String> calls, int inputs) {
        Program program = new Program(
                context.tree().programWith(node.name(), candidate.source()),
                calls,
                parameters.executionTimeout(),
                context.run().seed());
        return context.run()
                .execute(
                        candidate.label(),
                        Map.of("function", node.name()),
                        notes -> runner.execute(program).doOnNext(execution -> {
                            notes.put("verdict", execution.verdict().name().toLowerCase(java.util.Locale.ROOT))
                                    .put("wall_ms", execution.wall().toMillis())
                                    .put("results", results(execution, inputs));
                            if (!execution.output().text().isEmpty()) {
                                notes.put(
                                        "output",
                                        StepNotes.excerpt(execution.output().text(), NOTE_LIMIT));
                            }
                        }));
    }

    /** Each call's outcome for the trace: the value returned, or what went wrong. */
    private static List<String> results(Execution execution, int inputs) {
        List<String> results = new ArrayList<>();
        for (int j = 0; j < execution.calls().size(); j++) {
            CallResult call = execution.calls().get(j);
            String label = j < inputs ? "" : "system: ";
            String result = switch (call.outcome()) {
                case RETURNED -> call.value() == null ? "ok" : StepNotes.excerpt(call.value(), 120);
                case RAISED -> "raised " + StepNotes.excerpt(String.valueOf(call.error()), 120);
                case TIMEOUT -> "timeout";
                case NOT_RUN -> "not run";
            };
            results.add(label + result);
        }
        return results;
    }

    // ---------------------------------------------------------------- plumbing

    private Mono<List<Outline>> outline(Run run, String name, List<String> sources) {
        return run.execute(name, Map.of("sources", sources.size()), notes -> runner.outline(sources));
    }

    private GenerationRequest request(Context context, String prompt, double temperature) {
        List<ChatMessage> messages = new ArrayList<>(context.system());
        messages.add(ChatMessage.user(prompt));
        return GenerationRequest.of(messages).withTemperature(temperature).withMaxTokens(parameters.maxTokens());
    }

    /** The code of a reply: its last fenced block, else the whole reply. */
    private String code(String reply) {
        return format.extract(AnswerKind.CODE, reply).map(Answer::raw).orElse("");
    }

    private static String orNone(String code) {
        return code.isBlank() ? "# (nothing yet)" : code;
    }

    private static String fenced(String program) {
        return "```python\n" + program + "\n```";
    }
}
