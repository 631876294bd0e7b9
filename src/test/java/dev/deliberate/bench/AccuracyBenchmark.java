package dev.deliberate.bench;

import dev.deliberate.bench.ArmRunner.Arm;
import dev.deliberate.bench.ArmRunner.Outcome;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.testkit.synthetic.SyntheticModel;
import dev.deliberate.testkit.synthetic.SyntheticProblem;
import dev.deliberate.testkit.synthetic.SyntheticSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the probability-aware strategies buy, measured on the calibrated synthetic model
 * ({@code docs/synthetic-model.md}): every arm solves the same problems through the run engine with the shipped
 * profiles, side by side in one process, and the report gives accuracy against the compute it cost.
 *
 * <p>Run with {@code mvn -q -Pbench verify} (both benchmarks; {@code -Dbench.overhead.skip=true} for this one alone); settings:
 * {@code bench.problems} (400), {@code bench.seed} (7), {@code bench.accuracyOutput} (target/bench/accuracy.md).
 */
public final class AccuracyBenchmark {

    private static final int[] KS = {4, 8, 16, 32};

    private final List<SyntheticProblem> problems;
    private final ArmRunner runner;
    private final SyntheticModel local;
    private final long seed;
    private final StringBuilder report = new StringBuilder();

    private AccuracyBenchmark(SyntheticModel local, SyntheticModel server, long seed) {
        this.local = local;
        this.problems = local.problems();
        this.runner = new ArmRunner(local, server);
        this.seed = seed;
    }

    public static void main(String[] args) throws IOException {
        int problems = Integer.getInteger("bench.problems", 400);
        long seed = Long.getLong("bench.seed", 7L);
        Path output = Path.of(System.getProperty("bench.accuracyOutput", "target/bench/accuracy.md"));
        SyntheticSettings settings = SyntheticSettings.builder()
                .problems(problems)
                .seed(seed)
                // A cold first sample is not the mode of an infinite vote on a real model; see synthetic-model.md.
                .greedyTemperature(0.6)
                .build();
        SyntheticModel local = SyntheticModel.of("local", settings);
        SyntheticModel server = local.stronger("server", 1.5);
        AccuracyBenchmark benchmark = new AccuracyBenchmark(local, server, seed);
        long started = System.nanoTime();
        benchmark
                .report
                .append("# Accuracy against compute on the synthetic model\n\n")
                .append(String.format(
                        Locale.ROOT,
                        "%d problems, seed %d, synthetic defaults with greedy-temperature 0.6; calibration:%n%n%s%n%n",
                        problems,
                        seed,
                        local.describe(KS)));
        benchmark.voting();
        benchmark.report.append(String.format(
                Locale.ROOT, "%nWall time of the whole benchmark: %.1f s.%n", (System.nanoTime() - started) / 1e9));
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, benchmark.report, StandardCharsets.UTF_8);
        System.out.println(benchmark.report);
    }

    /** RPC against self-consistency and single-path perplexity, on the same sampled paths per K. */
    private void voting() {
        report.append("## RPC vs self-consistency vs perplexity (PPL)\n\n")
                .append("Each K runs `self-consistency` and `rpc` at T = 1.0 with the same run seeds; PPL takes the")
                .append(" answer of the single most probable path among RPC's K samples.\n\n")
                .append("| K | SC | PPL | RPC | RPC without pruning | mean paths pruned |\n")
                .append("|---|---|---|---|---|---|\n");
        double bestSc = 0;
        int bestScK = 0;
        Map<Integer, Double> rpcByK = new java.util.TreeMap<>();
        Map<Integer, Double> scByK = new java.util.TreeMap<>();
        for (int k : KS) {
            List<Outcome> sc = runner.run(
                    Arm.of("sc", "self-consistency", "params.n", k, "params.temperature", 1.0), problems, seed);
            List<Outcome> rpc = runner.run(Arm.of("rpc", "rpc", "params.n", k), problems, seed);
            List<Outcome> pc = runner.run(Arm.of("pc", "rpc", "params.n", k, "params.pruning", false), problems, seed);
            double scAccuracy = accuracy(sc);
            double rpcAccuracy = accuracy(rpc);
            scByK.put(k, scAccuracy);
            rpcByK.put(k, rpcAccuracy);
            if (scAccuracy > bestSc) {
                bestSc = scAccuracy;
                bestScK = k;
            }
            report.append(String.format(
                    Locale.ROOT,
                    "| %d | %.3f | %.3f | %.3f | %.3f | %.2f |%n",
                    k,
                    scAccuracy,
                    pplAccuracy(rpc),
                    rpcAccuracy,
                    accuracy(pc),
                    rpc.stream().mapToDouble(o -> number(o, "pruned")).average().orElse(0)));
        }
        double target = bestSc;
        int rpcK = rpcByK.entrySet().stream()
                .filter(entry -> entry.getValue() >= target)
                .mapToInt(Map.Entry::getKey)
                .min()
                .orElse(-1);
        report.append(String.format(
                Locale.ROOT,
                "%nSelf-consistency's best accuracy in this grid is %.3f, at K = %d; RPC reaches it at %s.%n%n",
                bestSc,
                bestScK,
                rpcK < 0 ? "no K in the grid" : "K = " + rpcK));
    }

    /** PPL: the answer of the sample with the highest p among those RPC drew (from its vote step's notes). */
    private double pplAccuracy(List<Outcome> rpc) {
        int correct = 0;
        for (Outcome outcome : rpc) {
            String best = null;
            double bestP = -1;
            for (Map<String, Object> sample : samples(outcome)) {
                Object p = sample.get("p");
                if (p instanceof Number number && number.doubleValue() > bestP) {
                    bestP = number.doubleValue();
                    best = String.valueOf(sample.get("answer"));
                }
            }
            if (local.grade(outcome.problem(), best)) {
                correct++;
            }
        }
        return (double) correct / rpc.size();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> samples(Outcome outcome) {
        for (Step step : outcome.result().steps()) {
            if (step.kind() == StepKind.VOTE && step.notes().get("samples") instanceof List<?> list) {
                return (List<Map<String, Object>>) list;
            }
        }
        return List.of();
    }

    static double accuracy(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::correct).count() / (double) outcomes.size();
    }

    static double number(Outcome outcome, String note) {
        Object value = outcome.result().solution() == null
                ? null
                : outcome.result().solution().notes().get(note);
        return value instanceof Number number ? number.doubleValue() : 0;
    }

    static double meanCalls(List<Outcome> outcomes) {
        return outcomes.stream()
                .mapToLong(o -> o.result().usage().modelCalls())
                .average()
                .orElse(0);
    }

    static double meanCompletionTokens(List<Outcome> outcomes) {
        return outcomes.stream()
                .mapToLong(o -> o.result().usage().completionTokens())
                .average()
                .orElse(0);
    }
}
