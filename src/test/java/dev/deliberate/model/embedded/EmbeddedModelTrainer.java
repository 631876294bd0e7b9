package dev.deliberate.model.embedded;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.WarmUpTracker;
import dev.deliberate.model.djl.CausalTransformer;
import dev.deliberate.model.djl.ChatTemplate;
import dev.deliberate.model.djl.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains the embedded model (docs/embedded-model.md): {@code mvn -B -Ptrain process-test-classes}, with the
 * {@code train.*} system properties below. Writes the corpus's held-out split (GSM8K format), the tokenizer, the
 * config and the weights into {@code train.out}, saving the weights at every evaluation so that a stopped run leaves
 * its latest checkpoint.
 *
 * <p>Causal LM on the exact prompt the djl endpoint renders ({@code System: <math instruction>\n}, half of the time,
 * then {@code User: <question>\nAssistant:}) followed by the solution and the end token; softmax cross-entropy on the
 * next token, counted over the completion only. Adam with warm-up and cosine decay, gradients clipped.
 */
public final class EmbeddedModelTrainer {

    private static final String ENGINE = "PyTorch";
    private static final String PREFIX = "model";
    static final String DATA = "data/arithmetic-test.jsonl";

    private EmbeddedModelTrainer() {}

    private static String property(String key, String fallback) {
        return System.getProperty("train." + key, fallback);
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(property("seed", "7"));
        int steps = Integer.parseInt(property("steps", "3000"));
        int batch = Integer.parseInt(property("batch", "32"));
        int context = Integer.parseInt(property("context", "128"));
        int embedding = Integer.parseInt(property("embedding", "128"));
        int layers = Integer.parseInt(property("layers", "4"));
        int heads = Integer.parseInt(property("heads", "4"));
        float rate = Float.parseFloat(property("lr", "0.002"));
        int evalEvery = Integer.parseInt(property("eval-every", "250"));
        int evalSize = Integer.parseInt(property("eval-size", "100"));
        int trainSize = Integer.parseInt(property("train-size", "200000"));
        int testSize = Integer.parseInt(property("test-size", "500"));
        Path out = Path.of(property("out", "src/main/resources/models/embedded"));
        Path data = Path.of(property("data", DATA));

        long started = System.nanoTime();
        ArithmeticCorpus.Splits splits = ArithmeticCorpus.splits(seed, trainSize, testSize);
        String instruction = Files.readString(Path.of("prompts/answer/math.md")).strip();
        writeTestSplit(data, splits.test());

        // Pieces depend on the space before them: collect them from the prompts as the endpoint renders them.
        List<String> texts = new ArrayList<>();
        for (List<ArithmeticCorpus.Problem> split : List.of(splits.train(), splits.test())) {
            for (ArithmeticCorpus.Problem problem : split) {
                texts.add(prompt(instruction, problem.question()));
                texts.add(completion(problem));
            }
        }
        List<String> vocabulary = CorpusTokenizer.vocabulary(texts);
        Files.createDirectories(out);
        Files.writeString(out.resolve("tokenizer.json"), CorpusTokenizer.json(vocabulary));
        int end = vocabulary.indexOf(CorpusTokenizer.END);
        ModelConfig config = ModelConfig.transformer(vocabulary.size(), context, embedding, layers, heads)
                .withChat(ChatTemplate.DEFAULT, List.of("\nUser:"), end);
        config.write(out);
        System.out.printf(
                Locale.ROOT,
                "corpus: %d train, %d held-out, vocabulary %d; model: context %d, width %d, %d layers, %d heads%n",
                splits.train().size(),
                splits.test().size(),
                vocabulary.size(),
                context,
                embedding,
                layers,
                heads);

        Engine.getEngine(ENGINE).setRandomSeed((int) seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                        out.resolve("tokenizer.json"),
                        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
                Model model = Model.newInstance(PREFIX, Device.cpu(), ENGINE)) {
            CausalTransformer block = CausalTransformer.of(config);
            model.setBlock(block);
            CosineTracker cosine = CosineTracker.builder()
                    .setBaseValue(rate)
                    .optFinalValue(rate / 20)
                    .setMaxUpdates(steps)
                    .build();
            WarmUpTracker tracker = WarmUpTracker.builder()
                    .setMainTracker(cosine)
                    .optWarmUpSteps(Math.min(200, steps / 10))
                    .optWarmUpBeginValue(rate / 50)
                    .build();
            DefaultTrainingConfig training = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Adam.builder()
                            .optLearningRateTracker(tracker)
                            .optWeightDecays(0f)
                            .optClipGrad(1f)
                            .build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(training)) {
                trainer.initialize(new Shape(1, context));
                long parameters = 0;
                for (var parameter : block.getParameters().values()) {
                    parameters += parameter.getArray().size();
                }
                System.out.printf(Locale.ROOT, "parameters: %d%n", parameters);
                double smoothed = Double.NaN;
                for (int step = 1; step <= steps; step++) {
                    double loss = trainStep(trainer, tokenizer, splits.train(), instruction, batch, end, random);
                    smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
                    if (step % 50 == 0 || step == 1) {
                        System.out.printf(
                                Locale.ROOT,
                                "step %d loss %.4f (smoothed %.4f) %.0fs%n",
                                step,
                                loss,
                                smoothed,
                                (System.nanoTime() - started) / 1e9);
                    }
                    if (step % evalEvery == 0 || step == steps) {
                        // One file, model-0000.params, overwritten: DJL would otherwise number each save anew.
                        model.setProperty("Epoch", "0");
                        model.save(out, PREFIX);
                        double accuracy =
                                accuracy(block, model.getNDManager(), tokenizer, splits.test(), evalSize, end, context);
                        System.out.printf(
                                Locale.ROOT,
                                "step %d held-out greedy accuracy %.3f on %d (saved) %.0fs%n",
                                step,
                                accuracy,
                                evalSize,
                                (System.nanoTime() - started) / 1e9);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "done in %.0fs%n", (System.nanoTime() - started) / 1e9);
    }

    /** The prompt the djl endpoint renders with the default chat template. */
    static String prompt(String instruction, String question) {
        return (instruction.isEmpty() ? "" : "System: " + instruction + "\n") + "User: " + question + "\nAssistant:";
    }

    static String completion(ArithmeticCorpus.Problem problem) {
        return " " + problem.solution();
    }

    private static double trainStep(
            Trainer trainer,
            HuggingFaceTokenizer tokenizer,
            List<ArithmeticCorpus.Problem> train,
            String instruction,
            int batch,
            int end,
            SplittableRandom random) {
        List<long[]> rows = new ArrayList<>();
        List<Integer> promptLengths = new ArrayList<>();
        int longest = 0;
        for (int i = 0; i < batch; i++) {
            ArithmeticCorpus.Problem problem = train.get(random.nextInt(train.size()));
            long[] prompt = encode(tokenizer, prompt(random.nextBoolean() ? instruction : "", problem.question()));
            long[] completion = encode(tokenizer, completion(problem));
            long[] row = Arrays.copyOf(prompt, prompt.length + completion.length + 1);
            System.arraycopy(completion, 0, row, prompt.length, completion.length);
            row[row.length - 1] = end;
            rows.add(row);
            promptLengths.add(prompt.length);
            longest = Math.max(longest, row.length - 1);
        }
        long[] inputs = new long[batch * longest];
        long[] labels = new long[batch * longest];
        float[] mask = new float[batch * longest];
        for (int r = 0; r < batch; r++) {
            long[] row = rows.get(r);
            Arrays.fill(inputs, r * longest, (r + 1) * longest, end);
            Arrays.fill(labels, r * longest, (r + 1) * longest, end);
            for (int t = 0; t < row.length - 1; t++) {
                inputs[r * longest + t] = row[t];
                labels[r * longest + t] = row[t + 1];
                // Position t predicts token t + 1: count it when that token belongs to the completion.
                mask[r * longest + t] = t + 1 >= promptLengths.get(r) ? 1f : 0f;
            }
        }
        try (NDManager manager = trainer.getManager().newSubManager()) {
            NDArray x = manager.create(inputs, new Shape(batch, longest));
            NDArray y = manager.create(labels, new Shape(batch, longest));
            NDArray weights = manager.create(mask, new Shape(batch, longest));
            float value;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray logProbabilities = logits.logSoftmax(-1);
                NDArray picked = logProbabilities
                        .get(new NDIndex().addAllDim(2).addPickDim(y.expandDims(-1)))
                        .squeeze(-1);
                NDArray loss = picked.mul(weights).sum().neg().div(weights.sum());
                value = loss.getFloat();
                collector.backward(loss);
            }
            trainer.step();
            return value;
        }
    }

    private static long[] encode(HuggingFaceTokenizer tokenizer, String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /**
     * Greedy accuracy on the first {@code size} held-out problems (prompt without a system message): prompts of one
     * length decode together, a row's answer read from its {@code The answer is N.} line.
     */
    static double accuracy(
            Block block,
            NDManager parent,
            HuggingFaceTokenizer tokenizer,
            List<ArithmeticCorpus.Problem> test,
            int size,
            int end,
            int context) {
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        List<long[]> prompts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long[] prompt = encode(tokenizer, prompt("", test.get(i).question()));
            prompts.add(prompt);
            byLength.computeIfAbsent(prompt.length, k -> new ArrayList<>()).add(i);
        }
        int right = 0;
        for (List<Integer> group : byLength.values()) {
            int length = prompts.get(group.get(0)).length;
            long[][] rows = new long[group.size()][];
            for (int g = 0; g < group.size(); g++) {
                rows[g] = prompts.get(group.get(g));
            }
            boolean[] done = new boolean[rows.length];
            List<List<Long>> generated = new ArrayList<>();
            for (int g = 0; g < rows.length; g++) {
                generated.add(new ArrayList<>());
            }
            for (int t = length; t < context; t++) {
                long[] next = greedyStep(block, parent, rows);
                boolean all = true;
                for (int g = 0; g < rows.length; g++) {
                    rows[g] = Arrays.copyOf(rows[g], rows[g].length + 1);
                    rows[g][rows[g].length - 1] = next[g];
                    if (!done[g]) {
                        if (next[g] == end) {
                            done[g] = true;
                        } else {
                            generated.get(g).add(next[g]);
                        }
                    }
                    all &= done[g];
                }
                if (all) {
                    break;
                }
            }
            for (int g = 0; g < rows.length; g++) {
                long[] ids =
                        generated.get(g).stream().mapToLong(Long::longValue).toArray();
                String text = tokenizer.decode(ids, true);
                ArithmeticCorpus.Problem problem = test.get(group.get(g));
                if (text.strip().endsWith(ArithmeticCorpus.Problem.finalLine(problem.answer()))) {
                    right++;
                }
            }
        }
        return (double) right / size;
    }

    private static long[] greedyStep(Block block, NDManager parent, long[][] rows) {
        int length = rows[0].length;
        long[] flat = new long[rows.length * length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * length, length);
        }
        try (NDManager manager = parent.newSubManager()) {
            NDArray ids = manager.create(flat, new Shape(rows.length, length));
            NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(ids), false)
                    .singletonOrThrow();
            return logits.get(new NDIndex(":, -1, :")).argMax(-1).toLongArray();
        }
    }

    private static void writeTestSplit(Path file, List<ArithmeticCorpus.Problem> test) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        StringBuilder lines = new StringBuilder();
        for (ArithmeticCorpus.Problem problem : test) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("question", problem.question());
            row.put("answer", problem.gsm8kAnswer());
            lines.append(json.writeValueAsString(row)).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, lines.toString());
    }
}
