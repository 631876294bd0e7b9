package dev.deliberate.model.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Tokens per second of greedy decoding with the key-value cache against the full recompute, side by side in one JVM
 * (the runs of the two alternate, so a busy machine slows both alike): the committed embedded model and a random
 * model of the same width with context 512, {@code n} 1 and 8, {@value #NEW_TOKENS} new tokens after a short and a
 * long prompt (random ids; every row runs all its tokens, the end token is ignored). Then the cached prefill of a
 * shared prompt: once with batch 1 and copied to the 8 rows (what {@link LanguageModel#decoding} does) against batch 8.
 *
 * <p>Run with {@code mvn -q -Pbench verify} and the other benchmarks' {@code -Dbench.*.skip=true} (docs/djl.md); settings: {@code bench.kvcacheReps}
 * (3 timed runs per cell, after a warm-up), {@code
 * ai.djl.pytorch.num_threads} (1 in the Maven profile), {@code bench.kvcacheOutput} (target/bench/kvcache.md).
 */
public final class KvCacheBenchmark {

    static final int NEW_TOKENS = 40;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private KvCacheBenchmark() {}

    public static void main(String[] args) throws Exception {
        int reps = Integer.getInteger("bench.kvcacheReps", 3);
        Path output = Path.of(System.getProperty("bench.kvcacheOutput", "target/bench/kvcache.md"));
        Path embedded = Path.of("src/main/resources/models/embedded");
        Path random = Files.createTempDirectory("kvcache-bench");
        writeRandomModel(embedded, random, 512);
        long started = System.nanoTime();
        List<String> rows = new ArrayList<>();
        List<String> prefills = new ArrayList<>();
        try (LanguageModel first = LanguageModel.load(embedded);
                LanguageModel second = LanguageModel.load(random)) {
            sideBySide(first, prompt(first.config().vocabSize(), 30), 8, 3); // JIT and libtorch warm-up
            for (LanguageModel model : List.of(first, second)) {
                int context = model.config().contextLength();
                String name = (model == first ? "embedded" : "random") + " (context " + context + ")";
                // the long prompt fills the context but for the new tokens, up to 400
                for (int promptLength : new int[] {30, Math.min(400, context - NEW_TOKENS)}) {
                    long[] prompt = prompt(model.config().vocabSize(), promptLength);
                    for (int n : new int[] {1, 8}) {
                        double[] perSecond = sideBySide(model, prompt, n, reps);
                        rows.add(String.format(
                                Locale.ROOT,
                                "| %s | %d | %d | %.0f | %.0f | %.1fx | %.0f | %.0f | %.1fx |",
                                name,
                                promptLength,
                                n,
                                perSecond[1],
                                perSecond[0],
                                perSecond[0] / perSecond[1],
                                perSecond[3],
                                perSecond[2],
                                perSecond[2] / perSecond[3]));
                    }
                    double[] ms = prefills(model, prompt, 8, reps);
                    prefills.add(
                            String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |", name, promptLength, ms[0], ms[1]));
                }
            }
        } finally {
            TinyModel.delete(random);
        }
        String report = "Greedy, " + NEW_TOKENS + " new tokens per row; tokens/s counts every row's tokens (median of "
                + reps + " runs). PyTorch intra-op threads: "
                + System.getProperty("ai.djl.pytorch.num_threads", "default")
                + "; with 1, the decoding thread's CPU time is all the work, a measure a busy machine does not"
                + " distort.\n\n"
                + "| model | prompt tokens | n | recompute tokens/s | cached tokens/s | speed-up"
                + " | recompute tokens/CPU-s | cached tokens/CPU-s | speed-up (CPU) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                + String.join("\n", rows) + "\n\n"
                + "Cached prefill of a prompt shared by 8 rows (median CPU ms of the decoding thread):\n\n"
                + "| model | prompt tokens | batch 1, copied to 8 rows | batch 8 |\n"
                + "|---|---:|---:|---:|\n"
                + String.join("\n", prefills) + "\n\n"
                + "cores: " + Runtime.getRuntime().availableProcessors() + ", java "
                + System.getProperty("java.version") + ", run took "
                + (System.nanoTime() - started) / 1_000_000_000 + " s\n";
        System.out.println(report);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, report, StandardCharsets.UTF_8);
    }

    /** A model directory with the embedded model's shape and tokenizer, random weights and a longer context. */
    private static void writeRandomModel(Path like, Path dir, int context) throws Exception {
        ModelConfig shape = ModelConfig.read(like);
        ModelConfig config = ModelConfig.transformer(
                        shape.vocabSize(), context, shape.embeddingSize(), shape.layers(), shape.heads())
                .withChat(shape.chatTemplate(), shape.stop(), shape.eosTokenId());
        TinyModel.writeRandom(config, 1, dir);
        Files.copy(like.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    }

    private static long[] prompt(int vocab, int length) {
        SplittableRandom random = new SplittableRandom(length);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 2 + random.nextInt(vocab - 2);
        }
        return ids;
    }

    /** Median tokens per second: {@code [cached wall, recompute wall, cached CPU, recompute CPU]}. */
    private static double[] sideBySide(LanguageModel model, long[] prompt, int n, int reps) {
        long[][] times = new long[4][reps];
        for (int rep = -1; rep < reps; rep++) {
            for (int arm = 0; arm < 2; arm++) {
                model.kvCache(arm == 0);
                long[] nanos = decode(model, prompt, n);
                if (rep >= 0) {
                    times[arm][rep] = nanos[0];
                    times[2 + arm][rep] = nanos[1];
                }
            }
        }
        model.kvCache(true);
        double tokens = (double) n * NEW_TOKENS;
        double[] perSecond = new double[4];
        for (int i = 0; i < 4; i++) {
            perSecond[i] = tokens * 1e9 / median(times[i]);
        }
        return perSecond;
    }

    /** One greedy decode of {@code n} rows as the endpoint runs it: nanoseconds of wall and of this thread's CPU. */
    private static long[] decode(LanguageModel model, long[] prompt, int n) {
        long start = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        try (NDManager manager = model.newManager();
                LanguageModel.Decoding decoding = model.decoding(manager)) {
            int[] choices = new int[n];
            long[][] rows = new long[n][];
            for (int r = 0; r < n; r++) {
                choices[r] = r;
                rows[r] = prompt;
            }
            for (int step = 0; step < NEW_TOKENS; step++) {
                float[][] logits = decoding.next(choices, rows);
                for (int r = 0; r < n; r++) {
                    long[] longer = Arrays.copyOf(rows[r], rows[r].length + 1);
                    longer[rows[r].length] = Sampler.argMax(logits[r]);
                    rows[r] = longer;
                }
            }
        }
        return new long[] {System.nanoTime() - start, THREADS.getCurrentThreadCpuTime() - cpu};
    }

    /** Median CPU ms of the cached prefill of {@code prompt} for {@code n} rows: {@code [batch 1 copied, batch n]}. */
    private static double[] prefills(LanguageModel model, long[] prompt, int n, int reps) {
        if (!(model.block() instanceof CausalTransformer block)) {
            throw new IllegalStateException("not the djl format");
        }
        long[] repeated = new long[n * prompt.length];
        for (int r = 0; r < n; r++) {
            System.arraycopy(prompt, 0, repeated, r * prompt.length, prompt.length);
        }
        long[][] times = new long[2][reps];
        for (int rep = -1; rep < reps; rep++) {
            for (int arm = 0; arm < 2; arm++) {
                try (NDManager manager = model.newManager()) {
                    ParameterStore store = new ParameterStore(manager, false);
                    long start = THREADS.getCurrentThreadCpuTime();
                    if (arm == 0) {
                        CausalTransformer.Step step =
                                block.forwardCached(store, manager.create(prompt, new Shape(1, prompt.length)), null);
                        step.cache().rows(new long[n]);
                        step.logits().toFloatArray();
                    } else {
                        block.forwardCached(store, manager.create(repeated, new Shape(n, prompt.length)), null)
                                .logits()
                                .toFloatArray();
                    }
                    if (rep >= 0) {
                        times[arm][rep] = THREADS.getCurrentThreadCpuTime() - start;
                    }
                }
            }
        }
        return new double[] {median(times[0]) / 1e6, median(times[1]) / 1e6};
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }
}
