package dev.deliberate.bench;

import dev.deliberate.bench.ArmRunner.Arm;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.BudgetOverrides;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.testkit.synthetic.SyntheticInstructions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Flux;

/**
 * SPaR's comparison, on the synthetic instruction follower ({@link SyntheticInstructions}): the pass rate against the
 * number of responses generated, for greedy decoding, best-of-N with the same judge, and the shipped BFS and DFS tree
 * searches, side by side in one process on the same problems, for a few settings of the judge's accuracy and the
 * refiner's chance of fixing a failing response. Every arm runs the shipped {@code spar} profile (with overrides)
 * through the run engine; the pass rate is graded on each chosen response's hidden truth.
 *
 * <p>Run with {@code mvn -q -Pbench verify} ({@code -Dbench.spar.skip=true} leaves it out); settings:
 * {@code bench.sparProblems} (400), {@code bench.sparOutput} (target/bench/spar.md).
 */
public final class SparBenchmark {

    private static final int CONCURRENCY = 16;

    private SparBenchmark() {}

    /** One arm's totals over the problems. */
    private record Totals(String label, int problems, int passed, long responses, long calls, long judgeRequests) {
        double passRate() {
            return (double) passed / problems;
        }
    }

    public static void main(String[] args) throws IOException {
        int problems = Integer.getInteger("bench.sparProblems", 400);
        Path output = Path.of(System.getProperty("bench.sparOutput", "target/bench/spar.md"));
        SyntheticInstructions.Settings base = SyntheticInstructions.Settings.defaults();
        base = new SyntheticInstructions.Settings(
                problems,
                base.actorPassRate(),
                base.judgeAccuracy(),
                base.judgeNoise(),
                base.fixRate(),
                base.breakRate(),
                base.missingMarkers(),
                base.seed());
        List<SyntheticInstructions.Settings> scenarios = List.of(
                base,
                base.withJudgeAccuracy(0.7),
                base.withFixRate(0.15),
                base.withJudgeAccuracy(0.95).withFixRate(0.6));
        long started = System.nanoTime();
        StringBuilder report = new StringBuilder("# SPaR: pass rate against responses generated\n\n");
        for (SyntheticInstructions.Settings scenario : scenarios) {
            report.append(String.format(
                    Locale.ROOT,
                    "### judge accuracy %.2f (sample noise %.2f), fix rate %.2f, actor pass rate %.2f, %d problems%n%n",
                    scenario.judgeAccuracy(),
                    scenario.judgeNoise(),
                    scenario.fixRate(),
                    scenario.actorPassRate(),
                    scenario.problems()));
            report.append(
                    "| arm | pass rate | responses / problem | model calls / problem | judge requests / problem |\n");
            report.append("|---|---:|---:|---:|---:|\n");
            for (Arm arm : arms()) {
                Totals totals = run(arm, scenario);
                report.append(String.format(
                        Locale.ROOT,
                        "| %s | %.3f | %.2f | %.2f | %.2f |%n",
                        totals.label(),
                        totals.passRate(),
                        (double) totals.responses() / totals.problems(),
                        (double) totals.calls() / totals.problems(),
                        (double) totals.judgeRequests() / totals.problems()));
            }
            report.append('\n');
        }
        report.append(String.format(
                Locale.ROOT,
                "Wall time: %.1f s, %d cores, java %s%n",
                (System.nanoTime() - started) / 1e9,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        Files.createDirectories(output.getParent());
        Files.writeString(output, report);
        System.out.println(report);
    }

    private static List<Arm> arms() {
        List<Arm> arms = new ArrayList<>();
        // Greedy: the actor's answer as it is (depth 0 still judges it, which changes nothing returned).
        arms.add(Arm.of("greedy", "spar", "params.depth", 0));
        for (int n : new int[] {2, 4, 8, 16}) {
            arms.add(Arm.of(
                    "best-of-" + n + " (same judge, actor T 0.9)",
                    "spar",
                    "params.search",
                    "best-of-n",
                    "params.breadth",
                    n,
                    "params.keep",
                    1,
                    "params.temperature",
                    0.9));
        }
        for (int depth = 1; depth <= 3; depth++) {
            arms.add(Arm.of("BFS, depth " + depth, "spar", "params.depth", depth));
        }
        for (int depth = 1; depth <= 3; depth++) {
            arms.add(Arm.of("DFS, depth " + depth, "spar-dfs", "params.depth", depth));
        }
        return arms;
    }

    private static Totals run(Arm arm, SyntheticInstructions.Settings settings) {
        SyntheticInstructions model = new SyntheticInstructions("local", settings);
        // The shipped profiles name a server endpoint too; the SPaR arms never call it.
        RunService service = ArmRunner.service(arm, List.of(model, new SyntheticInstructions("server", settings)));
        List<RunResult> results = Flux.range(0, model.problems())
                .flatMapSequential(
                        id -> service.start(new RunRequest(
                                        arm.profile(),
                                        new Problem(
                                                List.of(ChatMessage.user(SyntheticInstructions.instruction(id))),
                                                null,
                                                null),
                                        BudgetOverrides.NONE,
                                        settings.seed() * 1_000_003L + id,
                                        null,
                                        null))
                                .events()
                                .last()
                                .map(ArmRunner::resultOf),
                        CONCURRENCY)
                .collectList()
                .block(Duration.ofMinutes(10));
        int passed = 0;
        long calls = 0;
        long judgeRequests = 0;
        for (RunResult result : results) {
            String text = result.solution() == null ? "" : result.solution().text();
            if (model.passes(text)) {
                passed++;
            }
            calls += result.usage().modelCalls();
            judgeRequests += result.steps().stream()
                    .filter(step -> step.name().equals("judge")
                            && step.kind().wireName().equals("generate"))
                    .count();
        }
        return new Totals(arm.label(), results.size(), passed, model.responsesWritten(), calls, judgeRequests);
    }
}
