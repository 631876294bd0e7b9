package dev.deliberate.bench;

import static dev.deliberate.strategy.agot.AgotModel.finalTask;
import static dev.deliberate.strategy.agot.AgotModel.next;
import static dev.deliberate.strategy.agot.AgotModel.result;
import static dev.deliberate.strategy.agot.AgotModel.tasks;
import static dev.deliberate.strategy.agot.AgotModel.title;
import static dev.deliberate.strategy.agot.AgotModel.verdict;

import dev.deliberate.strategy.agot.AgotModel;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.util.Arrays;
import tools.jackson.databind.JsonNode;

/**
 * The graph an AGoT run builds on the fake backend: every reply is valid JSON for its prompt role (read as
 * {@link AgotModel} reads it) and depends only on the prompt, so each run executes the same known DAG, with a known
 * number of calls and of sequential rounds (calls on its longest chain). The counts are for the {@code agot}
 * profile's parameters, {@link #MAX_DEPTH}, {@link #MAX_LAYERS} and {@link #MAX_NEW_TASKS}.
 */
enum AgotShape {
    /**
     * Tasks A, B, C; A is complex and becomes a subgraph of A1 and A2 whose planner then gives a final task; the
     * planner adds D (after A, B) and E (after B, C), which are simple, then a final task over D and E. Calls: 1 plan,
     * 3 checks, subgraph 1 plan + 2 tasks + 1 plan + 1 final, 2 tasks, 1 plan, 2 checks + 2 tasks, 1 plan, 1 final.
     * Rounds: plan, check + subgraph (plan, tasks, plan, final), plan, check, task, plan, final.
     */
    GRAPH("agot/graph", 18, 11) {
        @Override
        String text(AgotModel.Role role, String prompt) {
            return switch (role) {
                case INITIAL -> tasks("A", "B", "C");
                case SUBTASKS -> tasks("A1", "A2");
                case COMPLEXITY -> verdict(title(prompt).equals("A"));
                case NEW_TASKS -> {
                    String nodes = citable(prompt);
                    if (nodes.contains(": A1")) {
                        yield finalTask("0, 1");
                    }
                    yield nodes.contains(": D") ? finalTask("3, 4") : next("D=0,1", "E=1,2");
                }
                default -> common(role);
            };
        }
    },
    /**
     * The spec's worst case: every planner asks for more tasks than the cap and never for a final task, every
     * top-level node is complex, so every graph runs all its layers full and ends in a forced final.
     */
    WORST_CASE("agot/worst", worstCaseCalls(0), worstCaseRounds(0)) {
        @Override
        String text(AgotModel.Role role, String prompt) {
            return switch (role) {
                case INITIAL, SUBTASKS -> tasks("t1", "t2", "t3", "t4", "t5");
                case COMPLEXITY -> verdict(true);
                case NEW_TASKS -> next("n1=0", "n2=1", "n3=2", "n4=0,1");
                default -> common(role);
            };
        }
    };

    static final int MAX_DEPTH = 1;
    static final int MAX_LAYERS = 3;
    static final int MAX_NEW_TASKS = 3;

    static final String ANSWER = "The answer is 42.";

    private final String label;
    private final int calls;
    private final int rounds;

    AgotShape(String label, int calls, int rounds) {
        this.label = label;
        this.calls = calls;
        this.rounds = rounds;
    }

    abstract String text(AgotModel.Role role, String prompt);

    /** The row's name in the report. */
    String label() {
        return label;
    }

    /** Backend calls of one run of this shape. */
    int calls() {
        return calls;
    }

    /** Backend calls on the run's longest chain of dependent calls. */
    int rounds() {
        return rounds;
    }

    /** Every call answered after {@code latency}, by role. */
    Reply reply() {
        return Reply.text((request, choice, call) -> {
            JsonNode messages = request.path("messages");
            String prompt = messages.get(messages.size() - 1).path("content").asString();
            return text(AgotModel.role(prompt), prompt);
        });
    }

    private static String common(AgotModel.Role role) {
        return switch (role) {
            case EXECUTE -> result("done");
            case FINAL_TASK -> "{\"title\": \"Combine\", \"content\": \"combine all results\"}";
            case FINAL -> ANSWER;
            // A repair would mean a reply above is malformed; the bench's call count then fails the phase.
            default -> "{}";
        };
    }

    /** The node list of a NEW_TASKS prompt ({@code id: title} per line). */
    private static String citable(String prompt) {
        int start = prompt.indexOf("The nodes you can cite, by id:\n");
        int end = prompt.indexOf("\n\n", start);
        return Arrays.stream(
                        prompt.substring(start, end < 0 ? prompt.length() : end).split("\n"))
                .skip(1)
                .reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * The spec's worst-case calls of a graph at {@code depth}: 1 plan + (L-1) new-task plans + n·L nodes + 2 final
     * calls, where L = max(1, max-layers - depth) and a node below max-depth costs a check plus a whole subgraph.
     * 104 at max-depth 1, 3 layers, 3 new tasks (14 top-level calls plus 9 subgraphs of 10).
     */
    static int worstCaseCalls(int depth) {
        int layers = Math.max(1, MAX_LAYERS - depth);
        int node = depth < MAX_DEPTH ? 1 + worstCaseCalls(depth + 1) : 1;
        return 1 + (layers - 1) + MAX_NEW_TASKS * layers * node + 2;
    }

    /** The same graph's sequential rounds: nodes of a layer run at once, everything else one after another. 26. */
    static int worstCaseRounds(int depth) {
        int layers = Math.max(1, MAX_LAYERS - depth);
        int node = depth < MAX_DEPTH ? 1 + worstCaseRounds(depth + 1) : 1;
        return 1 + layers * node + (layers - 1) + 2;
    }
}
