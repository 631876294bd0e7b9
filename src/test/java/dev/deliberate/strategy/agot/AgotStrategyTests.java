package dev.deliberate.strategy.agot;

import static dev.deliberate.strategy.agot.AgotModel.finalTask;
import static dev.deliberate.strategy.agot.AgotModel.next;
import static dev.deliberate.strategy.agot.AgotModel.result;
import static dev.deliberate.strategy.agot.AgotModel.tasks;
import static dev.deliberate.strategy.agot.AgotModel.title;
import static dev.deliberate.strategy.agot.AgotModel.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.BudgetExhaustedException;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.run.RunStatus;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.Formats;
import dev.deliberate.strategy.agot.AgotModel.Role;
import dev.deliberate.strategy.direct.DirectKind;
import dev.deliberate.strategy.direct.DirectParameters;
import dev.deliberate.testkit.Eventually;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

class AgotStrategyTests {

    private static final Problem PROBLEM = Problem.of("What is 6 times 7?", AnswerKind.MATH);

    private static AgotParameters params(
            int maxDepth, int maxLayers, @Nullable Integer maxNodes, @Nullable String leaf) {
        return new AgotParameters(maxDepth, maxLayers, 3, maxNodes, null, 256, AnswerKind.MATH, leaf);
    }

    private static Strategy agot(AgotParameters params) {
        return new AgotKind(PromptLibrary.load(Path.of("prompts")), Formats.shipped()).create(params);
    }

    private static RunResult solve(AgotParameters params, ScriptedEndpoint model) {
        return solve(params, model, Runs.GENEROUS);
    }

    private static RunResult solve(AgotParameters params, ScriptedEndpoint model, BudgetLimits budget) {
        RunService service = new Runs()
                .caps(budget)
                .plan("agot", agot(params), Map.of("solver", model), budget)
                .service();
        return Runs.finished(Runs.last(service, "agot", PROBLEM));
    }

    /** Task nodes of the trace by node id. */
    private static Map<String, Step> nodes(RunResult result) {
        return result.steps().stream()
                .filter(s -> s.kind() == StepKind.GROUP && s.name().equals("node"))
                .collect(java.util.stream.Collectors.toMap(
                        s -> (String) s.notes().get("id"), s -> s));
    }

    private static List<Step> named(RunResult result, String name) {
        return result.steps().stream().filter(s -> s.name().equals(name)).toList();
    }

    private static List<String> prompts(ScriptedEndpoint model, Role role) {
        return model.requests().stream()
                .map(AgotModel::ask)
                .filter(a -> a.role() == role)
                .map(AgotModel.Ask::prompt)
                .toList();
    }

    private static String executionOf(ScriptedEndpoint model, String title) {
        return prompts(model, Role.EXECUTE).stream()
                .filter(p -> title(p).equals(title))
                .findFirst()
                .orElseThrow();
    }

    /** Answers each task with "answer of <title>", judges every task simple, ends with 42. */
    private static String simple(AgotModel.Ask ask, Function<AgotModel.Ask, String> plan) {
        return switch (ask.role()) {
            case COMPLEXITY -> verdict(false);
            case EXECUTE -> result("answer of " + title(ask.prompt()));
            case FINAL -> "Combining the nodes gives 42. The answer is 42.";
            case FINAL_TASK -> "{\"title\": \"Forced\", \"content\": \"combine all\"}";
            default -> plan.apply(ask);
        };
    }

    @Test
    void aChainPassesEachAnswerToTheNextTask() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks("A");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? next("B=0") : finalTask("1");
            default -> throw new AssertionError(a.role());
        }));

        RunResult result = solve(params(1, 3, null, null), model);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("42");
        // init, (check, execute) x2, two plans, final answer
        assertThat(model.calls()).isEqualTo(8);
        assertThat(executionOf(model, "B")).contains("- A: answer of A");
        assertThat(executionOf(model, "A")).contains("(none)");
        Map<String, Step> nodes = nodes(result);
        assertThat(nodes).containsOnlyKeys("0", "1");
        assertThat(nodes.get("1").notes())
                .containsEntry("layer", 1)
                .containsEntry("depth", 0)
                .containsEntry("parents", List.of(0))
                .containsEntry("complex", false)
                .containsEntry("answer", "answer of B");
        Step finalTask = named(result, "final-task").get(0);
        assertThat(finalTask.notes())
                .containsEntry("id", "2")
                .containsEntry("parents", List.of(1))
                .containsEntry("forced_final", false);
        assertThat(result.steps().stream().filter(s -> s.kind() == StepKind.GENERATE))
                .allMatch(s -> "local".equals(s.endpoint()));
    }

    @Test
    void aTreeGivesEachBranchOnlyItsOwnAncestors() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks("Left", "Right");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? next("LeftLeaf=0", "RightLeaf=1") : finalTask("2,3");
            default -> throw new AssertionError(a.role());
        }));

        RunResult result = solve(params(0, 3, null, null), model);

        assertThat(result.solution().answer()).isEqualTo("42");
        // no checks at max depth 0: init, 2 + 2 executions, two plans, final answer
        assertThat(model.calls()).isEqualTo(8);
        assertThat(executionOf(model, "LeftLeaf")).contains("answer of Left").doesNotContain("answer of Right");
        assertThat(executionOf(model, "RightLeaf")).contains("answer of Right").doesNotContain("answer of Left");
        assertThat(nodes(result).get("0").notes()).containsEntry("complex", "unchecked");
    }

    @Test
    void aDagWithSharedParentsSeesAllTransitiveAncestorsThenForcesTheFinalAfterTheLastLayer() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks("P", "Q");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? next("R=0,1", "S=1") : next("T=2,3");
            default -> throw new AssertionError(a.role());
        }));

        RunResult result = solve(params(0, 3, null, null), model);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(executionOf(model, "T")).contains("answer of P", "answer of Q", "answer of R", "answer of S");
        assertThat(executionOf(model, "S")).contains("answer of Q").doesNotContain("answer of P");
        assertThat(nodes(result).get("2").notes()).containsEntry("parents", List.of(0, 1));
        // the third layer is the last: no plan after it, a forced final over every node
        assertThat(prompts(model, Role.NEW_TASKS)).hasSize(2);
        assertThat(prompts(model, Role.FINAL_TASK)).hasSize(1);
        Step forced = named(result, "final-task").get(0);
        assertThat(forced.kind()).isEqualTo(StepKind.SYNTHESIZE);
        assertThat(forced.notes())
                .containsEntry("forced", "max_layers")
                .containsEntry("forced_final", true)
                .containsEntry("parents", List.of(0, 1, 2, 3, 4))
                .containsEntry("layer", 3);
        assertThat(prompts(model, Role.FINAL).get(0)).contains("Title: Forced", "answer of T");
        assertThat(model.calls()).isEqualTo(1 + 2 + 1 + 2 + 1 + 1 + 1 + 1);
    }

    @Test
    void aComplexNodeExpandsIntoASubgraphWhoseFinalAnswerBecomesTheNodesAnswer() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("Hard");
            case COMPLEXITY -> verdict(title(ask.prompt()).equals("Hard"));
            case SUBTASKS -> tasks("H1", "H2");
            case NEW_TASKS -> ask.prompt().contains("Hard: do Hard") ? finalTask("0,1") : finalTask("0");
            case EXECUTE ->
                title(ask.prompt()).equals("Combine")
                        ? result("hard is 42")
                        : result("answer of " + title(ask.prompt()));
            case FINAL -> "So 42. The answer is 42.";
            default -> throw new AssertionError(ask.role());
        });

        RunResult result = solve(params(1, 3, null, null), model);

        assertThat(result.solution().answer()).isEqualTo("42");
        // init, check, sub-init, 2 sub-executions (no checks at depth 1), sub-plan, sub-final, plan, final
        assertThat(model.calls()).isEqualTo(9);
        assertThat(prompts(model, Role.COMPLEXITY)).hasSize(1);
        Map<String, Step> nodes = nodes(result);
        assertThat(nodes).containsOnlyKeys("0", "0.0", "0.1");
        Step hard = nodes.get("0");
        assertThat(hard.notes()).containsEntry("complex", true).containsEntry("answer", "hard is 42");
        Step subgraph = named(result, "subgraph").get(0);
        assertThat(subgraph.kind()).isEqualTo(StepKind.DECOMPOSE);
        assertThat(subgraph.parentId()).isEqualTo(hard.id());
        assertThat(subgraph.notes()).containsEntry("depth", 1).containsEntry("layers", 2);
        assertThat(nodes.get("0.1").notes()).containsEntry("depth", 1).containsEntry("complex", "unchecked");
        assertThat(ancestorIds(result, nodes.get("0.1"))).contains(subgraph.id(), hard.id());
        // the final answer rests on its ancestors, here the expanded node and its subgraph's result
        assertThat(prompts(model, Role.FINAL).get(0)).contains("- Hard: hard is 42");
        assertThat(executionOf(model, "Combine")).contains("answer of H1", "answer of H2");
    }

    private static List<String> ancestorIds(RunResult result, Step step) {
        Map<String, Step> byId = result.steps().stream().collect(java.util.stream.Collectors.toMap(Step::id, s -> s));
        List<String> ids = new java.util.ArrayList<>();
        String parent = step.parentId();
        while (parent != null) {
            ids.add(parent);
            parent = byId.get(parent).parentId();
        }
        return ids;
    }

    @Test
    void aMalformedReplyIsSentBackOnceWithItsErrorAndTheRepairIsUsed() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> "{\"strategy\": \"x\", \"tasks\": [{\"title\": \"A\", \"content\": \"do A\",}]}";
            case REPAIR -> tasks("A");
            case NEW_TASKS -> finalTask("0");
            default -> throw new AssertionError(a.role());
        }));

        RunResult result = solve(params(0, 3, null, null), model);

        assertThat(result.solution().answer()).isEqualTo("42");
        // init, its repair, execute, plan, final
        assertThat(model.calls()).isEqualTo(5);
        GenerationRequest repair = model.requests().get(1);
        List<ChatMessage> messages = repair.messages();
        assertThat(messages).hasSize(3);
        assertThat(messages.get(1).role()).isEqualTo(ChatMessage.ASSISTANT);
        assertThat(messages.get(1).content()).contains("\"do A\",}");
        assertThat(messages.get(2).content()).startsWith("Your reply could not be used: expected a quoted key");
        Step initial = named(result, "initial-tasks").get(0);
        assertThat(initial.notes())
                .containsEntry("plan_repaired", true)
                .containsEntry("nodes", List.of("0"))
                .containsKey("plan_error");
    }

    @Test
    void anUnrepairedReplyFallsBackAndTheFallbackIsRecorded() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("A");
            case COMPLEXITY -> "maybe?";
            case EXECUTE -> "A is seven";
            case REPAIR ->
                AgotModel.role(ask.request().messages().get(0).content()) == Role.COMPLEXITY
                        ? "still not json"
                        : "A is seven, really";
            case NEW_TASKS -> finalTask("0");
            case FINAL -> "The answer is 7.";
            default -> throw new AssertionError(ask.role());
        });

        RunResult result = solve(params(1, 3, null, null), model);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("7");
        // init, check + repair, execute + repair, plan, final
        assertThat(model.calls()).isEqualTo(7);
        Step node = nodes(result).get("0");
        assertThat(node.notes())
                .containsEntry("complex", false)
                .containsEntry("complexity_fallback", "no JSON object found in the reply")
                .containsEntry("justification", "(fallback) unreadable verdict")
                .containsEntry("answer", "A is seven, really");
        Step execute = result.steps().stream()
                .filter(s -> s.name().equals("execute"))
                .findFirst()
                .orElseThrow();
        assertThat(execute.kind()).isEqualTo(StepKind.EVALUATE);
        assertThat(execute.notes()).containsEntry("result_fallback", "no JSON object found in the reply");
    }

    @Test
    void aHostileModelCannotGrowTheGraphPastTheCaps() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL, SUBTASKS -> tasks("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10");
            case COMPLEXITY -> verdict(true);
            case NEW_TASKS -> next("n1=0,0,99,-1,3", "n2=3", "n3=1", "n4=0", "n5=0");
            case EXECUTE -> result("done");
            case FINAL_TASK -> "{\"title\": \"Forced\", \"content\": \"combine all\"}";
            case FINAL -> "The answer is 1.";
            default -> throw new AssertionError(ask.role());
        });

        RunResult result = solve(
                params(1, 3, null, null), model, new BudgetLimits(200, 10_000_000, Duration.ofSeconds(30), 3, 64, 0));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        // The spec's worst case at d_max=1, l_max=3, n_max=3: 14 top-level calls and 9 subgraphs of 10.
        assertThat(model.calls()).isEqualTo(104);
        assertThat(prompts(model, Role.COMPLEXITY)).hasSize(9);
        assertThat(prompts(model, Role.SUBTASKS)).hasSize(9);
        assertThat(nodes(result)).hasSize(9 + 9 * 6);
        assertThat(nodes(result).values()).allMatch(s -> (int) s.notes().get("depth") <= 1);
        Step firstPlan = named(result, "new-tasks").get(0);
        assertThat(firstPlan.notes())
                .containsEntry("requested", 5)
                .containsEntry("kept", 3)
                .containsEntry("capped_by", "max_new_tasks")
                .containsEntry(
                        "dropped_edges",
                        List.of(
                                "duplicate edge 0 -> 'n1'",
                                "unknown parent id 99 of 'n1'",
                                "unknown parent id -1 of 'n1'",
                                "self-loop on 'n1'",
                                "unknown parent id 3 of 'n2'"));
        assertThat(nodes(result).get("3").notes()).containsEntry("parents", List.of(0));
        assertThat(nodes(result).get("4").notes()).containsEntry("parents", List.of());
        assertThat(named(result, "initial-tasks").get(0).notes())
                .containsEntry("requested", 10)
                .containsEntry("kept", 3);
    }

    @Test
    void theTotalNodeCapStopsExpansionAndNewLayers() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL, SUBTASKS -> tasks("t1", "t2", "t3");
            case COMPLEXITY -> verdict(true);
            case NEW_TASKS -> next("n1=0", "n2=1", "n3=2");
            case EXECUTE -> result("done");
            case FINAL_TASK -> "{\"title\": \"Forced\", \"content\": \"combine all\"}";
            case FINAL -> "The answer is 1.";
            default -> throw new AssertionError(ask.role());
        });

        RunResult result = solve(params(1, 3, 4, null), model);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(nodes(result)).hasSize(4);
        assertThat(result.solution().notes()).containsEntry("nodes", 4);
    }

    @Test
    void aBudgetStopMidGraphReturnsTheBestAnswerSoFarTruncated() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("A");
            case COMPLEXITY -> verdict(false);
            case EXECUTE -> result("A gives 7. The answer is 7.");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? next("B=0") : finalTask("1");
            default -> throw new AssertionError(ask.role());
        });

        RunResult result = solve(
                params(1, 3, null, null), model, new BudgetLimits(5, 1_000_000, Duration.ofSeconds(30), 3, 64, 0));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.truncated()).isTrue();
        assertThat(result.solution().answer()).isEqualTo("7");
        assertThat(result.solution().text()).isEqualTo("A gives 7. The answer is 7.");
        assertThat(result.solution().notes()).containsEntry("stopped_by", "max_model_calls");
        // init, check, execute, plan, check of B; B's execution found the budget spent
        assertThat(model.calls()).isEqualTo(5);
    }

    @Test
    void cancellingMidLayerCancelsTheCallsInFlightAndFanOutBoundsThem() {
        ScriptedEndpoint model = AgotModel.replying(ask -> switch (ask.role()) {
            case INITIAL -> Mono.just(tasks("A", "B", "C"));
            case EXECUTE -> Mono.never();
            default -> Mono.error(new AssertionError(ask.role()));
        });
        RunService service = new Runs()
                .plan(
                        "agot",
                        agot(params(0, 3, null, null)),
                        Map.of("solver", model),
                        new BudgetLimits(100, 1_000_000, Duration.ofSeconds(30), 3, 2, 0))
                .service();

        Disposable run = service.start(RunRequest.of("agot", PROBLEM)).events().subscribe();
        Eventually.await(() -> model.calls() == 3, Duration.ofSeconds(5), "two executions in flight");
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        int inFlight = model.calls();
        run.dispose();

        assertThat(inFlight).isEqualTo(3);
        Eventually.await(() -> model.cancellations() == 2, Duration.ofSeconds(5), "both executions cancelled");
        assertThat(model.calls()).isEqualTo(3);
    }

    @Test
    void leafTasksGoToTheLeafProfileAsNestedRunsOnTheSameTrace() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks("A", "B");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? finalTask("0,1") : finalTask("0");
            default -> throw new AssertionError(a.role());
        }));
        ScriptedEndpoint leafModel = ScriptedEndpoint.cycling("leaf-model", "leaf says 21");
        Strategy leaf =
                new DirectKind(Formats.shipped()).create(new DirectParameters(null, null, 128, AnswerKind.TEXT, false));
        RunService service = new Runs()
                .plan("agot", agot(params(0, 3, null, "leaf")), Map.of("solver", model))
                .plan("leaf", leaf, Map.of("solver", leafModel))
                .service();

        RunResult result = Runs.finished(Runs.last(service, "agot", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(leafModel.calls()).isEqualTo(2);
        assertThat(prompts(model, Role.EXECUTE)).isEmpty();
        assertThat(leafModel.requests().get(0).messages().get(0).content()).startsWith("## Execute: task");
        Map<String, Step> nodes = nodes(result);
        assertThat(nodes.get("0").notes()).containsEntry("answer", "leaf says 21");
        List<Step> runs = result.steps().stream()
                .filter(s -> s.kind() == StepKind.RUN && s.name().equals("leaf"))
                .toList();
        assertThat(runs).hasSize(2);
        assertThat(runs)
                .extracting(Step::parentId)
                .containsExactlyInAnyOrder(nodes.get("0").id(), nodes.get("1").id());
    }

    @Test
    void aBudgetStopKeepsTheLastMainGraphAnswerThatHasOneNotALaterNodeWithout() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("A");
            case COMPLEXITY -> verdict(false);
            case EXECUTE ->
                title(ask.prompt()).equals("A") ? result("A gives 7. The answer is 7.") : result("B checked the units");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? next("B=0") : next("C=1");
            default -> throw new AssertionError(ask.role());
        });

        // init, check A, execute A, plan, check B, execute B, plan, check C: C's execution finds the budget spent
        RunResult result = solve(
                params(1, 3, null, null), model, new BudgetLimits(8, 1_000_000, Duration.ofSeconds(30), 3, 64, 0));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(nodes(result).get("1").notes()).containsEntry("answer", "B checked the units");
        assertThat(result.solution().answer()).isEqualTo("7");
    }

    @Test
    void subgraphStepsAreNeverOfferedAsTheAnswerToTheQuestion() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("A");
            case SUBTASKS -> tasks("a1");
            case COMPLEXITY -> verdict(true);
            case EXECUTE -> result("a1 is 3. The answer is 3.");
            case NEW_TASKS -> finalTask("0");
            default -> throw new AssertionError(ask.role());
        });

        // init, check A, subtasks, execute a1 (depth 1: no check), sub plan: budget spent on the 5th call
        RunEvent event = Runs.last(
                new Runs()
                        .caps(new BudgetLimits(4, 1_000_000, Duration.ofSeconds(30), 3, 64, 0))
                        .plan(
                                "agot",
                                agot(params(1, 3, null, null)),
                                Map.of("solver", model),
                                new BudgetLimits(4, 1_000_000, Duration.ofSeconds(30), 3, 64, 0))
                        .service(),
                "agot",
                PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        assertThat(((RunEvent.Failed) event).error()).isInstanceOf(BudgetExhaustedException.class);
    }

    @Test
    void twoComplexSiblingsCannotBothExpandOnTheLastNode() {
        ScriptedEndpoint model = AgotModel.endpoint(ask -> switch (ask.role()) {
            case INITIAL -> tasks("A", "B");
            case SUBTASKS -> tasks("sub");
            case COMPLEXITY -> verdict(true);
            case EXECUTE -> result("done. The answer is 1.");
            case NEW_TASKS -> finalTask(title(ask.prompt()).isEmpty() ? "0" : "0");
            case FINAL_TASK -> "{\"title\": \"Forced\", \"content\": \"combine all\"}";
            case FINAL -> "The answer is 1.";
            default -> throw new AssertionError(ask.role());
        });

        // two initial tasks use two of three nodes; both are complex, one node is left for one subgraph
        RunResult result = solve(params(1, 3, 3, null), model);

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(named(result, "subgraph")).hasSize(1);
        assertThat(nodes(result)).hasSize(3);
        assertThat(result.solution().notes()).containsEntry("nodes", 3);
        List<Step> nodeSteps = List.copyOf(nodes(result).values());
        assertThat(nodeSteps.stream().filter(s -> "max_nodes".equals(s.notes().get("expansion_skipped"))))
                .hasSize(1);
    }

    @Test
    void aLeafCutByTheBudgetMarksTheWholeRunTruncated() {
        AtomicInteger planned = new AtomicInteger();
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks("A");
            case NEW_TASKS -> planned.getAndIncrement() == 0 ? finalTask("0") : finalTask("0");
            default -> throw new AssertionError(a.role());
        }));
        Strategy cutLeaf = (problem, run) -> Mono.just(
                dev.deliberate.run.Solution.of("21", "leaf says 21", 0.5).stoppedBy("max_breadth"));
        RunService service = new Runs()
                .plan("agot", agot(params(0, 3, null, "leaf")), Map.of("solver", model))
                .plan("leaf", cutLeaf, Map.of())
                .service();

        RunResult result = Runs.finished(Runs.last(service, "agot", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes()).containsEntry("stopped_by", "max_breadth");
    }

    @Test
    void aTitleLongerThanTheLimitIsSentBackForRepairInsteadOfGrowingEveryLaterPrompt() {
        String longTitle = "T".repeat(3_000);
        ScriptedEndpoint model = AgotModel.endpoint(ask -> simple(ask, a -> switch (a.role()) {
            case INITIAL -> tasks(longTitle);
            case REPAIR -> tasks("A");
            case NEW_TASKS -> finalTask("0");
            default -> throw new AssertionError(a.role());
        }));

        RunResult result = solve(params(0, 3, null, null), model);

        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(model.requests().get(1).messages().get(2).content())
                .contains("tasks[0].title has 3000 characters; keep it under 2000");
        assertThat(nodes(result).get("0").notes()).containsEntry("title", "A");
    }
}
