package dev.deliberate.model.embedded;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
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
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains the embedded model (docs/embedded-model.md): {@code mvn -B -Ptrain verify}, with the {@code train.*} system
 * properties below. Writes the corpus's held-out split (GSM8K format), the tokenizer, the config and the weights into
 * {@code train.out}, saving the weights at every evaluation so that a stopped run leaves its latest checkpoint.
 *
 * <p>Two kinds of batch. A solving batch: causal LM on the exact prompt the djl endpoint renders
 * ({@code System: <math instruction>\n}, half of the time, then {@code User: <question>\nAssistant:}) followed by the
 * solution and the end token. A judging batch (every {@code train.judge-every}th step): the conversation the
 * self-evaluation strategies send ({@link #judgingPrompt}): a right or a flawed solution, whole or cut short, then
 * the restart question, answered {@code Yes} exactly when the response has already gone wrong. Softmax cross-entropy
 * on the next token, counted over the completion (or the Yes/No answer) only. Adam with warm-up and cosine decay,
 * gradients clipped. {@code train.init} starts from an earlier checkpoint: weights are copied by name, token rows by
 * token, and positions beyond the earlier context (and new tokens) keep their fresh initialization.
 */
public final class EmbeddedModelTrainer {

    private static final String ENGINE = "PyTorch";
    private static final String PREFIX = "model";
    static final String DATA = "data/arithmetic-test.jsonl";
    /** The self-evaluation question the judging examples ask (the one {@code RestartQuestion} sends). */
    static final String RESTART = "prompts/selfeval/restart.md";

    static final String YES = " Yes";
    static final String NO = " No";

    private EmbeddedModelTrainer() {}

    private static String property(String key, String fallback) {
        return System.getProperty("train." + key, fallback);
    }

    private static int intProperty(String key, int fallback) {
        return Integer.parseInt(property(key, String.valueOf(fallback)));
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(property("seed", "7"));
        int steps = intProperty("steps", 3000);
        int batch = intProperty("batch", 32);
        int context = intProperty("context", 128);
        int embedding = intProperty("embedding", 128);
        int layers = intProperty("layers", 4);
        int heads = intProperty("heads", 4);
        float rate = Float.parseFloat(property("lr", "0.002"));
        int evalEvery = intProperty("eval-every", 250);
        int evalSize = intProperty("eval-size", 100);
        int trainSize = intProperty("train-size", 200000);
        int judgeEvery = intProperty("judge-every", 0);
        String init = property("init", "");
        int warmUp = intProperty("warm-up", 200);
        int testSize = intProperty("test-size", 500);
        Path out = Path.of(property("out", "src/main/resources/models/embedded"));
        Path data = Path.of(property("data", DATA));

        long started = System.nanoTime();
        ArithmeticCorpus.Splits splits = ArithmeticCorpus.splits(seed, trainSize, testSize);
        String instruction = Files.readString(Path.of("prompts/answer/math.md")).strip();
        String question = Files.readString(Path.of(RESTART)).strip();
        writeTestSplit(data, splits.test());
        // Read before anything is written: the earlier checkpoint may live in the output directory.
        Checkpoint previous = init.isEmpty() ? null : Checkpoint.read(Path.of(init));

        // Pieces depend on the space before them: collect them from the prompts as the endpoint renders them.
        List<String> texts = new ArrayList<>();
        for (List<ArithmeticCorpus.Problem> split : List.of(splits.train(), splits.test())) {
            for (ArithmeticCorpus.Problem problem : split) {
                texts.add(prompt(instruction, problem.question()));
                texts.add(completion(problem));
            }
        }
        if (judgeEvery > 0) {
            // The judging conversation: its pieces include the lone space between "Assistant:" and a response that
            // starts with one, as the endpoint renders the self-evaluation's turn.
            ArithmeticCorpus.Problem first = splits.train().get(0);
            texts.add(judgingPrompt(instruction, first.question(), completion(first), question) + YES + NO);
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
        Judging judging = judgeEvery > 0 ? new Judging(instruction, question) : null;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                        out.resolve("tokenizer.json"),
                        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
                Model model = Model.newInstance(PREFIX, Device.cpu(), ENGINE)) {
            CausalTransformer block = CausalTransformer.of(config);
            model.setBlock(block);
            Answers answers = new Answers(tokenizer);
            CosineTracker cosine = CosineTracker.builder()
                    .setBaseValue(rate)
                    .optFinalValue(rate / 20)
                    .setMaxUpdates(steps)
                    .build();
            WarmUpTracker tracker = WarmUpTracker.builder()
                    .setMainTracker(cosine)
                    .optWarmUpSteps(Math.min(warmUp, steps / 10))
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
                if (previous != null) {
                    previous.copyInto(block, vocabulary);
                }
                long parameters = 0;
                for (var parameter : block.getParameters().values()) {
                    parameters += parameter.getArray().size();
                }
                System.out.printf(Locale.ROOT, "parameters: %d%n", parameters);
                double smoothed = Double.NaN;
                double smoothedJudging = Double.NaN;
                for (int step = 1; step <= steps; step++) {
                    boolean judge = judging != null && step % judgeEvery == 0;
                    List<Example> examples = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        ArithmeticCorpus.Problem problem =
                                splits.train().get(random.nextInt(splits.train().size()));
                        examples.add(
                                judge
                                        ? judging.example(tokenizer, answers, problem, end, random)
                                        : solving(tokenizer, instruction, problem, end, random));
                    }
                    double loss = trainStep(trainer, examples, end);
                    if (judge) {
                        smoothedJudging = Double.isNaN(smoothedJudging) ? loss : 0.95 * smoothedJudging + 0.05 * loss;
                    } else {
                        smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
                    }
                    if (step % 50 == 0 || step == 1) {
                        System.out.printf(
                                Locale.ROOT,
                                "step %d loss %.4f (smoothed %.4f, judging %.4f) %.0fs%n",
                                step,
                                loss,
                                smoothed,
                                smoothedJudging,
                                (System.nanoTime() - started) / 1e9);
                    }
                    if (step % evalEvery == 0 || step == steps) {
                        // One file, model-0000.params, overwritten: DJL would otherwise number each save anew.
                        model.setProperty("Epoch", "0");
                        model.save(out, PREFIX);
                        List<Solved> solved =
                                solve(block, model.getNDManager(), tokenizer, splits.test(), evalSize, end, context);
                        long right = solved.stream().filter(Solved::right).count();
                        System.out.printf(
                                Locale.ROOT,
                                "step %d held-out greedy accuracy %.3f on %d (saved) %.0fs%n",
                                step,
                                (double) right / evalSize,
                                evalSize,
                                (System.nanoTime() - started) / 1e9);
                        if (judging != null) {
                            System.out.println("step " + step + " "
                                    + judging.evaluate(
                                            block, model.getNDManager(), tokenizer, answers, splits.test(), solved));
                        }
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

    /**
     * The prompt of the self-evaluation strategies ({@code RestartQuestion}) as the endpoint renders it: the
     * conversation, the response as the assistant's turn, and the restart question as the next user turn.
     */
    static String judgingPrompt(String instruction, String problem, String response, String question) {
        return prompt(instruction, problem) + " " + response + "\nUser: " + question + "\nAssistant:";
    }

    /** One training row: tokens, and the first position whose token the loss counts. */
    record Example(long[] tokens, int counted) {}

    private static Example solving(
            HuggingFaceTokenizer tokenizer,
            String instruction,
            ArithmeticCorpus.Problem problem,
            int end,
            SplittableRandom random) {
        long[] prompt = encode(tokenizer, prompt(random.nextBoolean() ? instruction : "", problem.question()));
        return new Example(withEnd(prompt, encode(tokenizer, completion(problem)), end), prompt.length);
    }

    private static long[] withEnd(long[] prompt, long[] completion, int end) {
        long[] row = Arrays.copyOf(prompt, prompt.length + completion.length + 1);
        System.arraycopy(completion, 0, row, prompt.length, completion.length);
        row[row.length - 1] = end;
        return row;
    }

    /** The token ids of the two answers to the restart question (each one piece: a space and the word). */
    record Answers(long yes, long no) {
        Answers(HuggingFaceTokenizer tokenizer) {
            this(single(tokenizer, YES), single(tokenizer, NO));
        }

        private static long single(HuggingFaceTokenizer tokenizer, String word) {
            long[] ids = encode(tokenizer, word);
            if (ids.length != 1) {
                throw new IllegalStateException("'" + word + "' is " + ids.length + " tokens, not one");
            }
            return ids[0];
        }
    }

    /** A response to judge and whether starting over would do better (it has gone wrong already). */
    record Judgment(String response, boolean restart) {}

    /**
     * The judging half of the corpus: half of the responses are right and half flawed ({@link
     * ArithmeticCorpus#flawed}); three in ten are cut at a random piece, as a stream is at a checkpoint, and a cut
     * response counts as gone wrong only if it already differs from the right one; one in four loses its leading
     * space, as a client may send it.
     */
    record Judging(String instruction, String question) {

        static Judgment judgment(ArithmeticCorpus.Problem problem, SplittableRandom random) {
            String right = completion(problem);
            String response = random.nextBoolean()
                    ? " " + ArithmeticCorpus.flawed(problem, random).solution()
                    : right;
            if (random.nextInt(10) < 3) {
                List<String> pieces = CorpusTokenizer.pieces(response);
                response = String.join("", pieces.subList(0, 1 + random.nextInt(pieces.size() - 1)));
            }
            boolean restart = !right.startsWith(response);
            if (random.nextInt(4) == 0) {
                response = response.stripLeading();
            }
            return new Judgment(response, restart);
        }

        Example example(
                HuggingFaceTokenizer tokenizer,
                Answers answers,
                ArithmeticCorpus.Problem problem,
                int end,
                SplittableRandom random) {
            Judgment judgment = judgment(problem, random);
            String system = random.nextInt(5) < 4 ? instruction : "";
            long[] prompt = encode(tokenizer, judgingPrompt(system, problem.question(), judgment.response(), question));
            long answer = judgment.restart() ? answers.yes() : answers.no();
            return new Example(withEnd(prompt, new long[] {answer}, end), prompt.length);
        }

        /** P(Yes) renormalised over {Yes, No}, as {@code RestartQuestion} reads it, for one response. */
        double restartProbability(
                CausalTransformer block,
                NDManager parent,
                HuggingFaceTokenizer tokenizer,
                Answers answers,
                String problem,
                String response) {
            long[] prompt = encode(tokenizer, judgingPrompt(instruction, problem, response, question));
            try (NDManager manager = parent.newSubManager()) {
                NDArray ids = manager.create(prompt, new Shape(1, prompt.length));
                float[] last = block.forwardCached(new ParameterStore(manager, false), ids, null)
                        .logits()
                        .toFloatArray();
                double yes = Math.exp(last[(int) answers.yes()]);
                double no = Math.exp(last[(int) answers.no()]);
                return yes / (yes + no);
            }
        }

        /**
         * How well the model judges, on the right and a flawed solution of each held-out problem and on its own greedy
         * answers {@code solved}: accuracy (P(Yes) at least one half exactly for the wrong ones) and the area under
         * the ROC curve of P(Yes) for telling wrong from right.
         */
        String evaluate(
                CausalTransformer block,
                NDManager parent,
                HuggingFaceTokenizer tokenizer,
                Answers answers,
                List<ArithmeticCorpus.Problem> test,
                List<Solved> solved) {
            SplittableRandom random = new SplittableRandom(11);
            List<double[]> synthetic = new ArrayList<>();
            for (int i = 0; i < solved.size(); i++) {
                ArithmeticCorpus.Problem problem = test.get(i);
                String flawed = " " + ArithmeticCorpus.flawed(problem, random).solution();
                synthetic.add(new double[] {
                    restartProbability(block, parent, tokenizer, answers, problem.question(), completion(problem)), 0
                });
                synthetic.add(new double[] {
                    restartProbability(block, parent, tokenizer, answers, problem.question(), flawed), 1
                });
            }
            List<double[]> own = new ArrayList<>();
            for (int i = 0; i < solved.size(); i++) {
                double p = restartProbability(
                        block,
                        parent,
                        tokenizer,
                        answers,
                        test.get(i).question(),
                        solved.get(i).text());
                boolean wrong = !solved.get(i).right();
                own.add(new double[] {p, wrong ? 1 : 0});
            }
            return String.format(
                    Locale.ROOT,
                    "judging: right and flawed solutions accuracy %.3f, AUROC %.3f on %d; own greedy answers"
                            + " accuracy %.3f, AUROC %.3f",
                    accuracy(synthetic),
                    auroc(synthetic),
                    synthetic.size(),
                    accuracy(own),
                    auroc(own));
        }
    }

    /** The share of {score, label} pairs whose score is on the label's side of one half (label 1: wrong). */
    static double accuracy(List<double[]> scoredLabels) {
        return scoredLabels.stream()
                        .filter(pair -> (pair[0] >= 0.5) == (pair[1] == 1))
                        .count()
                / (double) scoredLabels.size();
    }

    /** The probability that a random wrong answer scores above a random right one (ties count half). */
    static double auroc(List<double[]> scoredLabels) {
        double pairs = 0;
        double above = 0;
        for (double[] wrong : scoredLabels) {
            if (wrong[1] != 1) {
                continue;
            }
            for (double[] right : scoredLabels) {
                if (right[1] != 0) {
                    continue;
                }
                pairs++;
                above += wrong[0] > right[0] ? 1 : wrong[0] == right[0] ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : above / pairs;
    }

    private static double trainStep(Trainer trainer, List<Example> examples, int end) {
        int batch = examples.size();
        int longest = 0;
        for (Example example : examples) {
            longest = Math.max(longest, example.tokens().length - 1);
        }
        long[] inputs = new long[batch * longest];
        long[] labels = new long[batch * longest];
        float[] mask = new float[batch * longest];
        for (int r = 0; r < batch; r++) {
            long[] row = examples.get(r).tokens();
            Arrays.fill(inputs, r * longest, (r + 1) * longest, end);
            Arrays.fill(labels, r * longest, (r + 1) * longest, end);
            for (int t = 0; t < row.length - 1; t++) {
                inputs[r * longest + t] = row[t];
                labels[r * longest + t] = row[t + 1];
                // Position t predicts token t + 1: count it when that token is one the example teaches.
                mask[r * longest + t] = t + 1 >= examples.get(r).counted() ? 1f : 0f;
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

    /** A greedy answer to a held-out problem: its text and whether its final line is right. */
    record Solved(String text, boolean right) {}

    /**
     * Greedy answers to the first {@code size} held-out problems (prompt without a system message): prompts of one
     * length decode together, a row's answer read from its {@code The answer is N.} line.
     */
    static List<Solved> solve(
            CausalTransformer block,
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
        Solved[] solved = new Solved[size];
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
                solved[group.get(g)] =
                        new Solved(text, text.strip().endsWith(ArithmeticCorpus.Problem.finalLine(problem.answer())));
            }
        }
        return List.of(solved);
    }

    private static long[] greedyStep(CausalTransformer block, NDManager parent, long[][] rows) {
        int length = rows[0].length;
        long[] flat = new long[rows.length * length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * length, length);
        }
        try (NDManager manager = parent.newSubManager()) {
            NDArray ids = manager.create(flat, new Shape(rows.length, length));
            return block.forwardCached(new ParameterStore(manager, false), ids, null)
                    .logits()
                    .argMax(-1)
                    .toLongArray();
        }
    }

    /**
     * An earlier checkpoint held in memory: its config, its vocabulary (id order) and every parameter's values.
     */
    record Checkpoint(ModelConfig config, List<String> vocabulary, Map<String, float[]> parameters) {

        static Checkpoint read(Path dir) throws IOException, MalformedModelException {
            ModelConfig config = ModelConfig.read(dir);
            JsonNode vocab = JsonMapper.builder()
                    .build()
                    .readTree(dir.resolve("tokenizer.json").toFile())
                    .path("model")
                    .path("vocab");
            String[] tokens = new String[vocab.size()];
            for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
                tokens[entry.getValue().asInt()] = entry.getKey();
            }
            Map<String, float[]> parameters = new LinkedHashMap<>();
            try (Model model = Model.newInstance(PREFIX, Device.cpu(), ENGINE)) {
                model.setBlock(CausalTransformer.of(config));
                model.load(dir, PREFIX);
                for (var parameter : model.getBlock().getParameters()) {
                    parameters.put(
                            parameter.getKey(), parameter.getValue().getArray().toFloatArray());
                }
            }
            return new Checkpoint(config, List.of(tokens), parameters);
        }

        /**
         * Copies these weights into freshly initialized {@code block}: the same shape as is; the token embedding
         * row by row where a token of {@code vocabulary} was known; the position embedding for the positions both
         * have.
         */
        void copyInto(CausalTransformer block, List<String> vocabulary) {
            int width = config.embeddingSize();
            int copiedTokens = 0;
            for (var parameter : block.getParameters()) {
                String name = parameter.getKey();
                NDArray target = parameter.getValue().getArray();
                float[] values = target.toFloatArray();
                float[] earlier = parameters.get(name);
                if (earlier == null) {
                    throw new IllegalArgumentException("train.init: no parameter " + name);
                }
                if (name.equals("token_embedding")) {
                    for (int id = 0; id < vocabulary.size(); id++) {
                        int known = this.vocabulary.indexOf(vocabulary.get(id));
                        if (known >= 0) {
                            System.arraycopy(earlier, known * width, values, id * width, width);
                            copiedTokens++;
                        }
                    }
                } else if (name.equals("position_embedding")) {
                    System.arraycopy(earlier, 0, values, 0, Math.min(earlier.length, values.length));
                } else if (earlier.length == values.length) {
                    values = earlier;
                } else {
                    throw new IllegalArgumentException("train.init: " + name + " has another shape");
                }
                target.set(FloatBuffer.wrap(values));
            }
            System.out.printf(
                    Locale.ROOT,
                    "init: %d of %d tokens and %d of %d positions from the earlier checkpoint%n",
                    copiedTokens,
                    vocabulary.size(),
                    Math.min(config.contextLength(), block.config().contextLength()),
                    block.config().contextLength());
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
