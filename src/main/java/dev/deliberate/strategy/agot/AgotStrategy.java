package dev.deliberate.strategy.agot;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Adaptive Graph of Thoughts. The main graph grows layer by layer: the initial tasks, then for each layer every node
 * concurrently (checked for complexity below {@code max-depth}; a complex node is answered by a subgraph, a simple one
 * by one task execution), then NEW_TASKS proposes the next layer or a final task; when the layers run out a final
 * task over every node is forced. The final node is answered in the problem's answer kind; a subgraph's final node
 * is answered as plain text and becomes its complex node's answer. Simple nodes below {@code max-depth} are answered,
 * as the paper says (the reference code leaves them without an answer).
 */
final class AgotStrategy implements Strategy {

    private static final int NOTE_LIMIT = 400;

    private final AgotParameters parameters;
    private final AgotPrompts prompts;
    private final AnswerFormat format;

    AgotStrategy(AgotParameters parameters, AgotPrompts prompts, AnswerFormat format) {
        this.parameters = parameters;
        this.prompts = prompts;
        this.format = format;
    }

    /** What one run shares across its graphs: the question, the client's system prompt and the node allowance. */
    private record Context(
            Run run,
            Problem problem,
            AnswerKind kind,
            String question,
            List<ChatMessage> system,
            Graph main,
            AtomicInteger nodesLeft,
            AtomicReference<@Nullable String> leafStoppedBy) {

        /** Up to {@code wanted} of the run's remaining task nodes. */
        int reserve(int wanted) {
            while (true) {
                int left = nodesLeft.get();
                int granted = Math.min(left, wanted);
                if (nodesLeft.compareAndSet(left, left - granted)) {
                    return granted;
                }
            }
        }

        void release(int unused) {
            nodesLeft.addAndGet(unused);
        }
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(parameters.answerKind());
        String question = question(problem.messages());
        Graph main = new Graph(0, question, "");
        List<ChatMessage> system = problem.messages().stream()
                .filter(m -> m.role().equals(ChatMessage.SYSTEM))
                .toList();
        Context context = new Context(
                run,
                problem,
                kind,
                question,
                system,
                main,
                new AtomicInteger(parameters.maxNodes()),
                new AtomicReference<>());
        return build(context, main).flatMap(last -> finalAnswer(context, last));
    }

    /** The client's conversation as text: all of it is kept, earlier turns included; a lone user turn as it is. */
    private static String question(List<ChatMessage> messages) {
        List<ChatMessage> turns = messages.stream()
                .filter(m -> !m.role().equals(ChatMessage.SYSTEM))
                .toList();
        if (turns.size() == 1) {
            return turns.get(0).content();
        }
        StringBuilder out = new StringBuilder();
        for (ChatMessage turn : turns) {
            out.append(turn.role()).append(": ").append(turn.content()).append('\n');
        }
        return out.toString().strip();
    }

    /** Steps 2-4 on {@code graph}: returns its final node, added but not yet answered. */
    private Mono<Graph.Node> build(Context context, Graph graph) {
        return initialTasks(context, graph).then(Mono.defer(() -> layer(context, graph, 0)));
    }

    private Mono<Void> initialTasks(Context context, Graph graph) {
        boolean sub = graph.depth() > 0;
        return context.run().step(StepKind.DECOMPOSE, sub ? "initial-subtasks" : "initial-tasks", notes -> {
            notes.put("depth", graph.depth());
            String prompt = sub
                    ? prompts.render(
                            AgotPrompts.INITIAL_SUBTASKS,
                            Map.of(
                                    "question", context.question(),
                                    "task", graph.goal(),
                                    "graph", context.main().serialize(),
                                    "max_tasks", parameters.maxNewTasks()))
                    : prompts.render(
                            AgotPrompts.INITIAL_TASKS,
                            Map.of("question", context.question(), "max_tasks", parameters.maxNewTasks()));
            Replies.Plan fallback = new Replies.Plan(
                    "(fallback) answer directly",
                    List.of(new Replies.TaskSpec("Answer", graph.goal(), List.of())),
                    null,
                    1);
            return ask(context, "plan", prompt, Replies.INITIAL, reply -> fallback, notes)
                    .map(plan -> {
                        graph.strategy(plan.strategy());
                        addTasks(context, graph, plan, 0, notes);
                        return plan;
                    })
                    .then();
        });
    }

    /** Adds the capped tasks of {@code plan} as {@code layer}, dropping bad edges; records both in {@code notes}. */
    private List<Graph.Node> addTasks(Context context, Graph graph, Replies.Plan plan, int layer, StepNotes notes) {
        int wanted = Math.min(plan.tasks().size(), parameters.maxNewTasks());
        // A subgraph starts with the one node its complex parent reserved when it decided to expand.
        int ahead = graph.claimReserved();
        int granted = ahead + context.reserve(Math.max(0, wanted - ahead));
        if (granted > wanted) {
            context.release(granted - wanted);
            granted = wanted;
        }
        List<String> dropped = new ArrayList<>();
        List<Graph.Node> added = new ArrayList<>();
        int firstNew = graph.nextId();
        for (int i = 0; i < granted; i++) {
            Replies.TaskSpec task = plan.tasks().get(i);
            List<Integer> parents = layer == 0
                    ? List.of()
                    : graph.checkParents(task.parentIds(), firstNew + i, firstNew, task.title(), dropped);
            added.add(graph.add(task.title(), task.content(), layer, parents, false));
        }
        notes.put("strategy", excerpt(plan.strategy()))
                .put("requested", plan.requested())
                .put("kept", granted)
                .put("nodes", added.stream().map(Graph.Node::traceId).toList());
        if (granted < plan.requested()) {
            notes.put("capped_by", granted < wanted ? "max_nodes" : "max_new_tasks");
        }
        if (!dropped.isEmpty()) {
            notes.put("dropped_edges", dropped);
        }
        return added;
    }

    /** Answers every node of {@code layer} concurrently, then plans the next layer or the final node. */
    private Mono<Graph.Node> layer(Context context, Graph graph, int layer) {
        int layers = parameters.layersAt(graph.depth());
        return Flux.fromIterable(graph.layer(layer))
                .flatMap(node -> process(context, graph, node), context.run().fanOut())
                .then(Mono.defer(() ->
                        layer < layers - 1 ? next(context, graph, layer) : forceFinal(context, graph, "max_layers")));
    }

    private Mono<Graph.Node> next(Context context, Graph graph, int layer) {
        return context.run()
                .step(StepKind.DECOMPOSE, "new-tasks", notes -> {
                    notes.put("depth", graph.depth()).put("layer", layer + 1);
                    String prompt = prompts.render(
                            AgotPrompts.NEW_TASKS,
                            Map.of(
                                    "question", graph.goal(),
                                    "graph", graph.serialize(),
                                    "strategies", graph.strategies(),
                                    "nodes", graph.nodeList(),
                                    "max_tasks", parameters.maxNewTasks()));
                    return ask(context, "plan", prompt, Replies.NEXT, reply -> null, notes)
                            .map(plan -> {
                                if (plan.finalTask() != null) {
                                    notes.put("final", true);
                                    return new Next(plan, List.of());
                                }
                                graph.strategy(plan.strategy());
                                return new Next(plan, addTasks(context, graph, plan, layer + 1, notes));
                            })
                            .defaultIfEmpty(new Next(null, List.of()));
                })
                .flatMap(next -> {
                    Replies.Plan plan = next.plan();
                    if (plan != null && plan.finalTask() != null) {
                        return proposedFinal(context, graph, plan.finalTask());
                    }
                    if (next.added().isEmpty()) {
                        // A fallback or the node cap left no new layer: synthesize from what there is.
                        return forceFinal(context, graph, plan == null ? "fallback" : "max_nodes");
                    }
                    return layer(context, graph, layer + 1);
                });
    }

    private record Next(Replies.@Nullable Plan plan, List<Graph.Node> added) {}

    private Mono<Graph.Node> proposedFinal(Context context, Graph graph, Replies.TaskSpec task) {
        return context.run().step(StepKind.SYNTHESIZE, "final-task", notes -> {
            List<String> dropped = new ArrayList<>();
            List<Integer> parents =
                    graph.checkParents(task.parentIds(), graph.nextId(), graph.nextId(), task.title(), dropped);
            if (parents.isEmpty()) {
                parents = graph.taskIds();
                notes.put("parents_defaulted", "no valid parent id given; every node is a parent");
            }
            if (!dropped.isEmpty()) {
                notes.put("dropped_edges", dropped);
            }
            Graph.Node node = graph.add(task.title(), task.content(), graph.nextLayer(), parents, true);
            finalNotes(notes, node, false);
            return Mono.just(node);
        });
    }

    /** FINAL_TASK: the layers (or the plan) ran out; a final task whose parents are every node. */
    private Mono<Graph.Node> forceFinal(Context context, Graph graph, String why) {
        return context.run().step(StepKind.SYNTHESIZE, "final-task", notes -> {
            notes.put("forced", why);
            String prompt = prompts.render(
                    AgotPrompts.FINAL_TASK, Map.of("question", graph.goal(), "graph", graph.serialize()));
            Replies.TaskSpec fallback = new Replies.TaskSpec(
                    "Combine the results", "Combine the results of every node into the answer.", List.of());
            return ask(context, "final_task", prompt, Replies.FINAL, reply -> fallback, notes)
                    .map(task -> {
                        Graph.Node node =
                                graph.add(task.title(), task.content(), graph.nextLayer(), graph.taskIds(), true);
                        finalNotes(notes, node, true);
                        return node;
                    });
        });
    }

    private static void finalNotes(StepNotes notes, Graph.Node node, boolean forced) {
        notes.put("id", node.traceId())
                .put("layer", node.layer())
                .put("depth", node.depth())
                .put("parents", node.parents())
                .put("title", excerpt(node.title()))
                .put("forced_final", forced);
    }

    /** PROCESS: one node of a layer, as a GROUP step that holds its check, its subgraph or its execution. */
    private Mono<Void> process(Context context, Graph graph, Graph.Node node) {
        Map<String, Object> placed = new LinkedHashMap<>();
        placed.put("id", node.traceId());
        placed.put("layer", node.layer());
        placed.put("depth", node.depth());
        placed.put("parents", node.parents());
        placed.put("title", excerpt(node.title()));
        return context.run().step(StepKind.GROUP, "node", placed, notes -> {
            Mono<String> answer;
            if (node.depth() < parameters.maxDepth()) {
                answer = complexity(context, graph, node, notes).flatMap(complex -> {
                    node.complex(complex);
                    notes.put("complex", complex);
                    // Reserve the subgraph's first node now: two complex siblings must not both expand on the last one.
                    if (complex && context.reserve(1) == 1) {
                        return subgraph(context, node);
                    }
                    if (complex) {
                        notes.put("expansion_skipped", "max_nodes");
                    }
                    return execute(context, graph, node);
                });
            } else {
                notes.put("complex", "unchecked");
                answer = execute(context, graph, node);
            }
            return answer.map(text -> {
                        node.answer(text);
                        notes.put("answer", excerpt(text));
                        if (node.depth() == 0) {
                            offer(context, text);
                        }
                        return text;
                    })
                    .then();
        });
    }

    private Mono<Boolean> complexity(Context context, Graph graph, Graph.Node node, StepNotes notes) {
        String prompt = prompts.render(
                AgotPrompts.COMPLEXITY_CHECK,
                Map.of(
                        "id", node.traceId(),
                        "depth", node.depth(),
                        "title", node.title(),
                        "content", node.content(),
                        "main_graph", context.main().serialize(),
                        "graph", graph.serialize()));
        // A verdict that cannot be read counts as simple: the node is answered directly, never dropped.
        return ask(
                        context,
                        "complexity",
                        prompt,
                        Replies.VERDICT,
                        reply -> new Replies.Verdict(false, "(fallback) unreadable verdict"),
                        notes)
                .map(verdict -> {
                    notes.put("justification", excerpt(verdict.justification()));
                    return verdict.complex();
                });
    }

    /** SUBGRAPH: a nested graph for a complex node; its final node's answer becomes the node's answer. */
    private Mono<String> subgraph(Context context, Graph.Node node) {
        Graph sub = new Graph(node.depth() + 1, node.title() + ": " + node.content(), node.traceId() + ".", 1);
        return context.run().step(StepKind.DECOMPOSE, "subgraph", notes -> {
            notes.put("id", node.traceId()).put("depth", sub.depth()).put("layers", parameters.layersAt(sub.depth()));
            return build(context, sub)
                    .flatMap(last -> context.run().step(StepKind.SYNTHESIZE, "final", finalNotes -> {
                        finalNotes.put("id", last.traceId()).put("depth", last.depth());
                        return taskExecution(context, sub, last, finalNotes).map(text -> {
                            last.answer(text);
                            finalNotes.put("answer", excerpt(text));
                            notes.put("nodes", sub.nodes().size());
                            return text;
                        });
                    }));
        });
    }

    /** EVAL: the leaf profile when there is one, else one TASK_EXECUTION call. */
    private Mono<String> execute(Context context, Graph graph, Graph.Node node) {
        String leaf = parameters.leafProfile();
        if (leaf == null) {
            return context.run()
                    .step(StepKind.EVALUATE, "execute", notes -> taskExecution(context, graph, node, notes));
        }
        String prompt = prompts.render(AgotPrompts.LEAF_TASK, executionVariables(context, graph, node));
        List<ChatMessage> messages = new ArrayList<>(context.system());
        messages.add(ChatMessage.user(prompt));
        // The leaf profile answers in its own default kind; the node keeps its whole text, reasoning included.
        return context.run().solveWith(leaf, new Problem(messages, null, null)).map(solution -> {
            if (solution.isStoppedByBudget()) {
                // The graph goes on with the cut leaf's answer, and the run must say it was cut.
                context.leafStoppedBy()
                        .compareAndSet(null, String.valueOf(solution.notes().get(Solution.STOPPED_BY)));
            }
            return solution.text();
        });
    }

    private Mono<String> taskExecution(Context context, Graph graph, Graph.Node node, StepNotes notes) {
        String prompt = prompts.render(AgotPrompts.TASK_EXECUTION, executionVariables(context, graph, node));
        // A result that is not the JSON asked for is still the model's work: keep its text rather than lose it.
        return ask(context, "result", prompt, Replies.RESULT, reply -> reply.strip(), notes);
    }

    private Map<String, Object> executionVariables(Context context, Graph graph, Graph.Node node) {
        StringBuilder ancestors = new StringBuilder();
        for (Graph.Node ancestor : graph.ancestors(node)) {
            ancestors
                    .append("- ")
                    .append(ancestor.title())
                    .append(": ")
                    .append(String.valueOf(ancestor.answer()))
                    .append('\n');
        }
        String goal = graph.depth() == 0 ? "" : "The larger task this one belongs to:\n" + graph.goal() + "\n\n";
        return Map.of(
                "question", context.question(),
                "goal", goal,
                "title", node.title(),
                "content", node.content(),
                "ancestors",
                        ancestors.isEmpty() ? "(none)" : ancestors.toString().strip());
    }

    /** FINAL_EXECUTION on the main graph's final node, in the problem's answer kind. */
    private Mono<Solution> finalAnswer(Context context, Graph.Node last) {
        Graph main = context.main();
        return context.run().step(StepKind.SYNTHESIZE, "final", notes -> {
            notes.put("id", last.traceId()).put("layer", last.layer()).put("parents", last.parents());
            // Over the final task's ancestors, as the paper has it (a forced final's parents are every node).
            String prompt = prompts.render(AgotPrompts.FINAL_EXECUTION, executionVariables(context, main, last));
            List<ChatMessage> messages = new ArrayList<>(context.system());
            messages.add(ChatMessage.user(prompt));
            if (context.kind() != AnswerKind.TEXT) {
                messages = format.frame(messages, context.kind());
            }
            return context.run().generate(Roles.SOLVER, request(messages)).map(generation -> {
                Choice choice = generation.choices().get(0);
                String answer = read(context.kind(), choice.text());
                last.answer(choice.text());
                notes.put("answer", answer == null ? "none" : excerpt(answer));
                context.run().offer(new Candidate(answer, choice.text(), 0.0));
                Map<String, Object> solutionNotes = new LinkedHashMap<>();
                solutionNotes.put(
                        "nodes", parameters.maxNodes() - context.nodesLeft().get());
                solutionNotes.put("layers", last.layer());
                Solution solution =
                        new Solution(answer, choice.text(), null, solutionNotes).textCut(choice.cutByLength());
                String leafCut = context.leafStoppedBy().get();
                return leafCut == null ? solution : solution.stoppedBy(leafCut);
            });
        });
    }

    private @Nullable String read(AnswerKind kind, String text) {
        return kind == AnswerKind.TEXT
                ? text
                : format.extract(kind, text).map(Answer::raw).orElse(null);
    }

    /**
     * A main-graph node's readable answer is the best there is should the budget stop the graph (later ones win
     * ties); a subgraph's steps answer sub-questions, and a text without an answer in the problem's kind is no answer.
     */
    private void offer(Context context, String text) {
        String answer = read(context.kind(), text);
        if (answer != null) {
            context.run().offer(new Candidate(answer, text, 0.0));
        }
    }

    /**
     * One JSON call: the reply is read with {@code schema}; a reply that does not fit is sent back once with the
     * error, and if the second reply fails too, {@code fallback} (given the last reply) stands in, recorded under
     * {@code <role>_fallback}. A {@code null} fallback completes empty.
     */
    private <T> Mono<T> ask(
            Context context,
            String role,
            String prompt,
            Function<Map<String, Object>, T> schema,
            Function<String, @Nullable T> fallback,
            StepNotes notes) {
        List<ChatMessage> messages = new ArrayList<>(context.system());
        messages.add(ChatMessage.user(prompt));
        return text(context, messages).flatMap(first -> {
            try {
                return Mono.just(schema.apply(JsonValue.objectIn(first)));
            } catch (JsonValue.SyntaxError firstError) {
                notes.put(role + "_error", firstError.getMessage());
                List<ChatMessage> repair = new ArrayList<>(messages);
                repair.add(ChatMessage.assistant(first));
                repair.add(
                        ChatMessage.user(prompts.render(AgotPrompts.REPAIR, Map.of("error", firstError.getMessage()))));
                return text(context, repair).flatMap(second -> {
                    try {
                        T value = schema.apply(JsonValue.objectIn(second));
                        notes.put(role + "_repaired", true);
                        return Mono.just(value);
                    } catch (JsonValue.SyntaxError secondError) {
                        notes.put(role + "_fallback", secondError.getMessage());
                        return Mono.justOrEmpty(fallback.apply(second));
                    }
                });
            }
        });
    }

    private Mono<String> text(Context context, List<ChatMessage> messages) {
        return context.run()
                .generate(Roles.SOLVER, request(messages))
                .map(generation -> generation.choices().get(0).text());
    }

    private GenerationRequest request(List<ChatMessage> messages) {
        return GenerationRequest.of(messages)
                .withTemperature(parameters.temperature())
                .withMaxTokens(parameters.maxTokens());
    }

    private static String excerpt(String text) {
        return StepNotes.excerpt(text, NOTE_LIMIT);
    }
}
