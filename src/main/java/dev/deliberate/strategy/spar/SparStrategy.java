package dev.deliberate.strategy.spar;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.BudgetExhaustedException;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SPaR's inference-time refinement. The actor answers the client's conversation as sent; the judge values the answer;
 * an answer whose value is above the threshold is returned as it is. Otherwise a tree search rooted at it asks the
 * refiner for {@code breadth} rewrites of a node (shown the judge's question and critique), judges each, and stops at
 * the first level (BFS) or expansion (DFS) whose best child passes; when the depth runs out the best node of the whole
 * tree is returned, the root included. Among nodes of equal value the earlier one (lower id) wins everywhere: fewer
 * rewrites of what the client asked for are preferred when the judge cannot tell them apart.
 */
final class SparStrategy implements Strategy {

    private static final int EXCERPT = 400;

    /** Higher value first; on equal value the earlier node. */
    private static final Comparator<Node> BETTER =
            Comparator.comparingDouble(Node::value).reversed().thenComparingInt(Node::id);

    private final SparParameters parameters;
    private final SparPrompts prompts;

    SparStrategy(SparParameters parameters, SparPrompts prompts) {
        this.parameters = parameters;
        this.prompts = prompts;
    }

    /** A judged node of the tree; the root (id 0) is the actor's answer. */
    private record Node(int id, @Nullable Integer parent, int depth, String response, Judgment judgment, boolean cut) {
        double value() {
            return judgment.value();
        }
    }

    /** A node about to be refined from {@code parent}: its id and place are fixed before any call starts. */
    private record Slot(int id, Node parent) {}

    /** The state of one run's search: judged nodes, the judgment cache, the node allowance and any limit hit. */
    private static final class Search {
        final Run run;
        final String instruction;
        final int maxNodes;
        final Map<String, Mono<Judgment>> judgments = new ConcurrentHashMap<>();
        final AtomicReference<@Nullable String> stoppedBy = new AtomicReference<>();
        final AtomicBoolean searched = new AtomicBoolean();
        private final List<Node> nodes = new ArrayList<>();
        private int allocated = 1;
        private int dropped;
        private boolean capped;

        Search(Run run, String instruction, int maxNodes) {
            this.run = run;
            this.instruction = instruction;
            this.maxNodes = maxNodes;
        }

        /** Ids for up to {@code breadth} children of each parent, in order, within {@code max-nodes}. */
        synchronized List<Slot> allocate(List<Node> parents, int breadth) {
            List<Slot> slots = new ArrayList<>();
            for (Node parent : parents) {
                for (int i = 0; i < breadth; i++) {
                    if (allocated >= maxNodes) {
                        capped = true;
                        return slots;
                    }
                    slots.add(new Slot(allocated++, parent));
                }
            }
            return slots;
        }

        synchronized void add(Node node) {
            nodes.add(node);
        }

        synchronized void drop() {
            dropped++;
        }

        synchronized Optional<Node> best() {
            return nodes.stream().min(BETTER);
        }

        synchronized Map<String, Object> notes() {
            Map<String, Object> notes = new LinkedHashMap<>();
            notes.put("nodes", nodes.size());
            notes.put("depth", nodes.stream().mapToInt(Node::depth).max().orElse(0));
            if (dropped > 0) {
                notes.put("dropped", dropped);
            }
            if (capped) {
                notes.put("capped_by", "max_nodes");
            }
            return notes;
        }

        void limitedBy(String limit) {
            stoppedBy.compareAndSet(null, limit);
        }
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        Search search = new Search(run, instruction(problem.messages()), parameters.maxNodes());
        Mono<Node> chosen = parameters.search() == SparParameters.SearchKind.BEST_OF_N
                ? bestOfN(search, problem)
                : root(search, problem).flatMap(root -> {
                    if (root.value() > parameters.threshold()) {
                        return Mono.just(root);
                    }
                    search.searched.set(true);
                    return parameters.search() == SparParameters.SearchKind.BFS
                            ? bfs(search, List.of(root), 1)
                            : dfs(search, root).switchIfEmpty(Mono.fromSupplier(() -> best(search)));
                });
        return chosen.map(node -> solution(search, node, search.stoppedBy.get()))
                // A limit hit mid-search answers with the best node judged so far; before any, the run's own salvage
                // returns the actor's answer it was offered.
                .onErrorResume(
                        BudgetExhaustedException.class,
                        exhausted -> search.best()
                                .map(best -> Mono.just(solution(search, best, exhausted.limit())))
                                .orElseGet(() -> Mono.error(exhausted)));
    }

    /**
     * The judge's view of the client's conversation: a lone user turn as it is, otherwise every message (system
     * prompt included, as its constraints count too) as {@code role: content} lines.
     */
    static String instruction(List<ChatMessage> messages) {
        if (messages.size() == 1 && messages.get(0).role().equals(ChatMessage.USER)) {
            return messages.get(0).content();
        }
        StringBuilder out = new StringBuilder();
        for (ChatMessage message : messages) {
            out.append(message.role()).append(": ").append(message.content()).append('\n');
        }
        return out.toString().strip();
    }

    /** Node 0: the actor's answer to the conversation as sent, judged. */
    private Mono<Node> root(Search search, Problem problem) {
        Map<String, Object> opening = Map.of("id", 0, "depth", 0);
        return search.run.step(StepKind.GROUP, "node", opening, notes -> {
            GenerationRequest request = GenerationRequest.of(problem.messages())
                    .withTemperature(parameters.temperature())
                    .withMaxTokens(parameters.maxTokens());
            return search.run.generate(Roles.ACTOR, request).flatMap(generation -> {
                Choice choice = generation.choices().isEmpty()
                        ? new Choice(0, "", "stop", List.of())
                        : generation.choices().get(0);
                // Should the judge never answer, the actor's text is still an answer.
                search.run.offer(new Candidate(choice.text(), choice.text(), 0.0));
                return judged(search, notes, 0, null, 0, choice.text(), choice.cutByLength());
            });
        });
    }

    /**
     * Best-of-N with the same judge: {@code breadth} actor samples in one request, each judged (concurrently; equal
     * texts share one judgment), the best returned, the earliest among equals.
     */
    private Mono<Node> bestOfN(Search search, Problem problem) {
        Run.Allowance allowance = search.run.samplesWithinBudget(Roles.ACTOR, parameters.breadth());
        if (allowance.limitedBy() != null) {
            search.limitedBy(allowance.limitedBy());
        }
        int n = Math.max(1, Math.min(allowance.granted(), parameters.maxNodes()));
        GenerationRequest request = GenerationRequest.of(problem.messages())
                .withN(n)
                .withTemperature(parameters.temperature())
                .withMaxTokens(parameters.maxTokens());
        return search.run.generate(Roles.ACTOR, request).flatMap(generation -> {
            List<Choice> samples = generation.choices().stream().limit(n).toList();
            return Flux.range(0, samples.size())
                    .flatMap(
                            id -> search.run.step(
                                    StepKind.GROUP,
                                    "node",
                                    Map.of("id", id, "depth", 0),
                                    notes -> judged(
                                            search,
                                            notes,
                                            id,
                                            null,
                                            0,
                                            samples.get(id).text(),
                                            samples.get(id).cutByLength())),
                            search.run.fanOut())
                    .then(Mono.fromSupplier(() -> best(search)));
        });
    }

    /** BFS from {@code frontier}, whose children are at {@code depth}. */
    private Mono<Node> bfs(Search search, List<Node> frontier, int depth) {
        if (depth > parameters.depth()) {
            return Mono.just(best(search));
        }
        List<Slot> slots = search.allocate(frontier, parameters.breadth());
        return expand(search, slots).flatMap(children -> {
            if (!children.isEmpty() && children.get(0).value() > parameters.threshold()) {
                return Mono.just(children.get(0));
            }
            if (children.isEmpty()) {
                return Mono.just(best(search));
            }
            return bfs(search, children.subList(0, Math.min(parameters.keep(), children.size())), depth + 1);
        });
    }

    /** DFS below {@code node}: the first child found above the threshold, or empty. */
    private Mono<Node> dfs(Search search, Node node) {
        if (node.depth() >= parameters.depth()) {
            return Mono.empty();
        }
        List<Slot> slots = search.allocate(List.of(node), parameters.breadth());
        return expand(search, slots).flatMap(children -> {
            if (!children.isEmpty() && children.get(0).value() > parameters.threshold()) {
                return Mono.just(children.get(0));
            }
            return Flux.fromIterable(children.subList(0, Math.min(parameters.keep(), children.size())))
                    .concatMap(child -> dfs(search, child))
                    .next();
        });
    }

    /** Refines and judges every slot concurrently; the judged children, best first. */
    private Mono<List<Node>> expand(Search search, List<Slot> slots) {
        return Flux.fromIterable(slots)
                .flatMap(slot -> child(search, slot), search.run.fanOut())
                .collectSortedList(BETTER);
    }

    private Node best(Search search) {
        return search.best().orElseThrow();
    }

    /** One child: refined (retried while the markers are missing), then judged; empty when every try failed. */
    private Mono<Node> child(Search search, Slot slot) {
        Map<String, Object> opening = new LinkedHashMap<>();
        opening.put("id", slot.id());
        opening.put("parent", slot.parent().id());
        opening.put("depth", slot.parent().depth() + 1);
        return search.run.step(
                StepKind.GROUP,
                "node",
                opening,
                notes -> refine(search, slot.parent(), notes, 1)
                        .flatMap(text -> judged(
                                search,
                                notes,
                                slot.id(),
                                slot.parent().id(),
                                slot.parent().depth() + 1,
                                text,
                                false))
                        .switchIfEmpty(Mono.fromRunnable(() -> {
                            search.drop();
                            notes.put("dropped", "missing_markers");
                        })));
    }

    private Mono<String> refine(Search search, Node parent, StepNotes notes, int attempt) {
        List<ChatMessage> conversation = List.of(
                ChatMessage.user(prompts.judge(search.instruction, parent.response())),
                ChatMessage.assistant(parent.judgment().critique()),
                ChatMessage.user(prompts.refine()));
        GenerationRequest request = GenerationRequest.of(conversation)
                .withTemperature(parameters.refineTemperature())
                .withMaxTokens(parameters.maxTokens());
        return search.run.generate(Roles.REFINER, request).flatMap(generation -> {
            notes.put("refine_attempts", attempt);
            String reply = generation.choices().isEmpty()
                    ? ""
                    : generation.choices().get(0).text();
            String refined = Refinement.extract(reply);
            if (refined != null) {
                return Mono.just(refined);
            }
            return attempt <= parameters.refineRetries() ? refine(search, parent, notes, attempt + 1) : Mono.empty();
        });
    }

    /** Judges {@code response} (or reuses its judgment), records the node in the tree and in its GROUP step. */
    private Mono<Node> judged(
            Search search, StepNotes notes, int id, @Nullable Integer parent, int depth, String response, boolean cut) {
        return judge(search, response).map(judgment -> {
            Node node = new Node(id, parent, depth, response, judgment, cut);
            search.add(node);
            search.run.offer(new Candidate(response, response, judgment.value()));
            notes.put("value", judgment.value())
                    .put("votes", judgment.votes())
                    .put("critique", StepNotes.excerpt(judgment.critique(), EXCERPT))
                    .put("response", StepNotes.excerpt(response, EXCERPT));
            return node;
        });
    }

    /**
     * A JUDGE step for {@code response}. The judgment is cached by response text for the run: a later node with the
     * same text makes no call, and its step says {@code cached: true}.
     */
    private Mono<Judgment> judge(Search search, String response) {
        return search.run.step(StepKind.JUDGE, "judge", notes -> {
            AtomicBoolean hit = new AtomicBoolean(true);
            Mono<Judgment> shared = search.judgments.computeIfAbsent(response, text -> {
                hit.set(false);
                return sample(search, prompts.judge(search.instruction, text), 1)
                        .cache();
            });
            notes.put("cached", hit.get());
            return shared.doOnNext(judgment -> notes.put("value", judgment.value())
                    .put("votes", judgment.votes())
                    .put("attempts", judgment.attempts()));
        });
    }

    /** One judge request of n samples; a tie is resampled while attempts are left. */
    private Mono<Judgment> sample(Search search, String prompt, int attempt) {
        Run.Allowance allowance = search.run.samplesWithinBudget(Roles.JUDGE, parameters.judgeSamples());
        if (allowance.limitedBy() != null) {
            search.limitedBy(allowance.limitedBy());
        }
        // Fewer samples still judge; none at all lets the budget's own error through.
        int n = allowance.granted() > 0 ? allowance.granted() : parameters.judgeSamples();
        GenerationRequest request = GenerationRequest.of(List.of(ChatMessage.user(prompt)))
                .withN(n)
                .withTemperature(parameters.judgeTemperature())
                .withMaxTokens(parameters.maxTokens());
        return search.run.generate(Roles.JUDGE, request).flatMap(generation -> {
            // A backend that returns more choices than asked does not get more votes.
            List<String> replies =
                    generation.choices().stream().limit(n).map(Choice::text).toList();
            Judgment judgment = Judgment.of(replies, attempt);
            return judgment.tied() && attempt < parameters.judgeAttempts()
                    ? sample(search, prompt, attempt + 1)
                    : Mono.just(judgment);
        });
    }

    private Solution solution(Search search, Node chosen, @Nullable String stoppedBy) {
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("searched", search.searched.get());
        notes.put("search", parameters.search().wireName());
        notes.put("value", chosen.value());
        notes.put("chosen", chosen.id());
        notes.putAll(search.notes());
        Solution solution =
                new Solution(chosen.response(), chosen.response(), chosen.value(), notes).textCut(chosen.cut());
        return stoppedBy == null ? solution : solution.stoppedBy(stoppedBy);
    }
}
