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
 * {@code bench.problems} (400), {@code bench.seed} (7), {@code bench.experiments}
 * (voting,separation,adaptive,pruning,cascade), {@code bench.accuracyOutput} (target/bench/accuracy.md).
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
        List<String> experiments =
                List.of(System.getProperty("bench.experiments", "voting,separation,adaptive,pruning,cascade")
                        .split(","));
        if (experiments.contains("voting")) {
            benchmark.voting();
        }
        if (experiments.contains("separation")) {
            benchmark.separation(settings);
        }
        if (experiments.contains("adaptive")) {
            benchmark.adaptive();
        }
        if (experiments.contains("pruning")) {
            benchmark.pruning(settings);
        }
        if (experiments.contains("cascade")) {
            benchmark.cascade();
        }
        benchmark.report.append(String.format(
                Locale.ROOT, "%nWall time of the whole benchmark: %.1f s.%n", (System.nanoTime() - started) / 1e9));
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, benchmark.report, StandardCharsets.UTF_8);
        System.out.println(benchmark.report);
    }

    /** RPC against self-consistency and single-path perplexity, on the same sampled paths per K. */
    private void voting() {
        report.append("## RPC vs self-consistency vs perplexity (PPL)\n\n")
                .append("Each K runs `self-consistency` and `rpc` at T = 1.0 on the same problems and run seeds (their")
                .append(" samples still differ: each call's seed derives from its step path); PPL takes the answer of")
                .append(" the single most probable path among RPC's K samples.\n\n")
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

    /** How much of RPC's edge comes from the logprobs: the same K on models whose logprobs say more or less. */
    private void separation(SyntheticSettings settings) {
        report.append("### RPC against the logprob signal\n\n")
                .append("K = 8 on models that differ only in `logprob-separation` (the gap in mean token logprob")
                .append(" between correct and wrong paths; 0 means logprobs carry no signal).\n\n")
                .append("| separation | SC | PPL | RPC |\n|---|---|---|---|\n");
        for (double gap : new double[] {0.0, 0.05, 0.1, 0.2}) {
            SyntheticModel model = SyntheticModel.of(
                    "local", settings.toBuilder().logprobSeparation(gap).build());
            ArmRunner arms = new ArmRunner(model, model.stronger("server", 1.5));
            List<Outcome> sc = arms.run(
                    Arm.of("sc", "self-consistency", "params.n", 8, "params.temperature", 1.0), problems, seed);
            List<Outcome> rpc = arms.run(Arm.of("rpc", "rpc", "params.n", 8), problems, seed);
            report.append(String.format(
                    Locale.ROOT,
                    "| %.2f | %.3f | %.3f | %.3f |%n",
                    gap,
                    accuracy(sc),
                    pplAccuracy(rpc),
                    accuracy(rpc)));
        }
        report.append('\n');
    }

    /** Adaptive sampling against best-of-16 by the same self-evaluation score. */
    private void adaptive() {
        report.append("## Adaptive sampling vs best-of-16\n\n")
                .append("Best-of-16 draws 16 samples at T = 0.7 and keeps the one whose self-evaluation P(Yes) is")
                .append(" lowest (threshold 0 never stops early). Adaptive draws at T = 0, 0.3, 0.7, 1.0, … and stops")
                .append(" at the first sample scored below the threshold. The single-sample baseline is adaptive's")
                .append(" first, greedy sample. Gain kept = (adaptive − single) / (best-of-16 − single).\n\n")
                .append("| arm | accuracy | samples drawn | model calls | completion tokens | gain kept |\n")
                .append("|---|---|---|---|---|---|\n");
        List<Outcome> single = runner.run(Arm.of("single", "adaptive", "params.max-samples", 1), problems, seed);
        List<Outcome> bestOf16 = runner.run(
                Arm.of("best-of-16", "adaptive", "params.threshold", 0.0, "params.temperatures", "0.7"),
                problems,
                seed);
        double base = accuracy(single);
        double gain = accuracy(bestOf16) - base;
        adaptiveRow("single sample (greedy)", single, base, gain);
        adaptiveRow("best-of-16, T = 0.7", bestOf16, base, gain);
        for (double threshold : new double[] {0.3, 0.5, 0.7}) {
            adaptiveRow(
                    "adaptive, threshold " + threshold,
                    runner.run(Arm.of("adaptive", "adaptive", "params.threshold", threshold), problems, seed),
                    base,
                    gain);
        }
        adaptiveRow(
                "adaptive, threshold 0.5, no annealing (T = 0.7)",
                runner.run(Arm.of("flat", "adaptive", "params.temperatures", "0.7"), problems, seed),
                base,
                gain);
        report.append('\n');
    }

    private void adaptiveRow(String label, List<Outcome> outcomes, double base, double gain) {
        report.append(String.format(
                Locale.ROOT,
                "| %s | %.3f | %.2f | %.2f | %.0f | %s |%n",
                label,
                accuracy(outcomes),
                outcomes.stream()
                        .mapToDouble(o -> number(o, "samples"))
                        .average()
                        .orElse(0),
                meanCalls(outcomes),
                meanCompletionTokens(outcomes),
                gain <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * (accuracy(outcomes) - base) / gain)));
    }

    /** Early pruning against letting every stream finish. */
    private void pruning(SyntheticSettings settings) {
        // Tokens arrive 1 ms apart, as from a real server, so that a checkpoint falls while streams still run.
        SyntheticModel streaming = SyntheticModel.of(
                "local",
                settings.toBuilder().tokenDelay(java.time.Duration.ofMillis(1)).build());
        ArmRunner runner = new ArmRunner(streaming, streaming.stronger("server", 1.5));
        report.append("## Early pruning\n\n")
                .append("8 streams at T = 0.7, each prefix scored at the checkpoint; `keep` of them run to the end and")
                .append(
                        " the best full response is returned. `keep` 1.0 prunes nothing (best-of-8 by score). The model")
                .append(" streams one token per millisecond.\n\n")
                .append("| keep | checkpoint | accuracy | completion tokens | tokens saved | model calls |\n")
                .append("|---|---|---|---|---|---|\n");
        List<Outcome> all = runner.run(Arm.of("all", "prune", "params.keep", 1.0), problems, seed);
        double full = meanCompletionTokens(all);
        pruningRow("1.0", 64, all, full);
        for (double keep : new double[] {0.5, 0.25}) {
            for (int checkpoint : new int[] {32, 64}) {
                pruningRow(
                        String.valueOf(keep),
                        checkpoint,
                        runner.run(
                                Arm.of("prune", "prune", "params.keep", keep, "params.checkpoint", checkpoint),
                                problems,
                                seed),
                        full);
            }
        }
        report.append('\n');
    }

    private void pruningRow(String keep, int checkpoint, List<Outcome> outcomes, double full) {
        double tokens = meanCompletionTokens(outcomes);
        report.append(String.format(
                Locale.ROOT,
                "| %s | %d | %.3f | %.0f | %.0f%% | %.2f |%n",
                keep,
                checkpoint,
                accuracy(outcomes),
                tokens,
                100 * (1 - tokens / full),
                meanCalls(outcomes)));
    }

    /** The local→server cascade as its threshold moves, against each side alone. */
    private void cascade() {
        report.append("## Cascade: local `adaptive`, server `direct` on a stronger model\n\n")
                .append(
                        "The server model is the same synthetic model shifted up by 1.5 in logit space, decoding greedily")
                .append(" (T = 0). The local")
                .append(" side's confidence is 1 − P(Yes) of its chosen sample.\n\n")
                .append("| arm | accuracy | escalation rate | local calls | server calls |\n")
                .append("|---|---|---|---|---|\n");
        String greedyServer = "deliberate.profiles.server.params.temperature";
        cascadeRow("local only (`adaptive`)", runner.run(Arm.of("local", "adaptive"), problems, seed));
        cascadeRow(
                "server only (`server`)",
                runner.run(Arm.of("server", "server").with(greedyServer, 0.0), problems, seed));
        for (double threshold : new double[] {0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}) {
            cascadeRow(
                    "cascade, θ = " + threshold,
                    runner.run(
                            Arm.of("cascade", "cascade", "params.threshold", threshold)
                                    .with(greedyServer, 0.0),
                            problems,
                            seed));
        }
        report.append('\n');
    }

    private void cascadeRow(String label, List<Outcome> outcomes) {
        double escalated = outcomes.stream()
                .filter(o -> o.result().solution() != null
                        && Boolean.TRUE.equals(o.result().solution().notes().get("escalated")))
                .count();
        report.append(String.format(
                Locale.ROOT,
                "| %s | %.3f | %.3f | %.2f | %.2f |%n",
                label,
                accuracy(outcomes),
                escalated / outcomes.size(),
                callsTo(outcomes, "local"),
                callsTo(outcomes, "server")));
    }

    /** Mean calls per problem to one endpoint, read from the trace's model-call steps. */
    private static double callsTo(List<Outcome> outcomes, String endpoint) {
        return outcomes.stream()
                .mapToLong(o -> o.result().steps().stream()
                        .filter(step -> endpoint.equals(step.endpoint()))
                        .count())
                .average()
                .orElse(0);
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
