package dev.deliberate.model.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A loaded model directory: the network on its device, the tokenizer and the config. Thread-safe for inference: each
 * call works in an {@link NDManager} of its own.
 */
final class LanguageModel implements AutoCloseable {

    static final String ENGINE = "PyTorch";
    /** The file name prefix of the weights: {@code model-NNNN.params} (DJL) or {@code model.pt} (TorchScript). */
    static final String PREFIX = "model";

    private final Model model;
    private final HuggingFaceTokenizer tokenizer;
    private final ModelConfig config;
    private final String format;
    private volatile boolean kvCache = true;

    private LanguageModel(Model model, HuggingFaceTokenizer tokenizer, ModelConfig config, String format) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.format = format;
    }

    static {
        // Deliberate never downloads: without these DJL may fetch engines and, where it guesses it runs on EC2, call
        // home. An explicit setting (system property or environment) wins.
        defaultProperty("ai.djl.offline", "true");
        defaultProperty("OPT_OUT_TRACKING", "true");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The GPU when the engine finds one, the CPU otherwise. */
    static Device device() {
        Engine engine = Engine.getEngine(ENGINE);
        return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    static LanguageModel load(Path dir) throws IOException, MalformedModelException {
        ModelConfig config = ModelConfig.read(dir);
        String format = config.format() != null
                ? config.format()
                : Files.exists(dir.resolve(PREFIX + ".pt")) ? ModelConfig.TORCHSCRIPT_FORMAT : ModelConfig.DJL_FORMAT;
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                dir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        Model model = Model.newInstance(PREFIX, device(), ENGINE);
        try {
            if (format.equals(ModelConfig.DJL_FORMAT)) {
                model.setBlock(CausalTransformer.of(config));
            }
            // mapLocation: a TorchScript module's tensors go to device(), not back to the device it was saved from
            // (where the inputs would not be, or which may not exist here); the djl format ignores it.
            model.load(dir, PREFIX, Map.of("mapLocation", "true"));
            LanguageModel loaded = new LanguageModel(model, tokenizer, config, format);
            if (format.equals(ModelConfig.TORCHSCRIPT_FORMAT)) {
                loaded.requireLogitsShape();
            }
            return loaded;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            tokenizer.close();
            throw e;
        }
    }

    /**
     * One forward pass over one token must give logits of shape (1, 1, vocab_size): an opaque module that returns
     * anything else is refused at load, with the shape it gave, rather than failing every request later.
     */
    private void requireLogitsShape() {
        try (NDManager manager = newManager()) {
            NDArray ids = manager.create(new long[] {0}, new Shape(1, 1));
            NDList out = model.getBlock().forward(new ParameterStore(manager, false), new NDList(ids), false);
            Shape shape = out.get(0).getShape();
            Shape expected = new Shape(1, 1, config.vocabSize());
            if (!shape.equals(expected)) {
                throw new IllegalArgumentException("model.pt returned " + shape + " for one token; expected logits "
                        + expected + " (batch, time, vocab_size)");
            }
        }
    }

    ModelConfig config() {
        return config;
    }

    String format() {
        return format;
    }

    /** The network: a {@link CausalTransformer} for the {@code djl} format, an opaque block for TorchScript. */
    Block block() {
        return model.getBlock();
    }

    /** The device the weights live on. */
    Device deviceInUse() {
        return model.getNDManager().getDevice();
    }

    long[] encode(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** A manager on the model's device for one request; closing it frees every array made in it. */
    NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    /**
     * The logits of the next token after each row (all rows of one length), as {@code float[rows][vocab]}: one forward
     * pass over the batch.
     */
    float[][] nextTokenLogits(NDManager parent, long[][] rows) {
        int length = rows[0].length;
        long[] flat = new long[rows.length * length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * length, length);
        }
        try (NDManager step = parent.newSubManager()) {
            NDArray ids = step.create(flat, new Shape(rows.length, length));
            Block block = model.getBlock();
            NDList out = block.forward(new ParameterStore(step, false), new NDList(ids), false);
            NDArray last = out.get(0).get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32, false);
            float[] values = last.toFloatArray();
            int vocab = (int) last.getShape().get(1);
            float[][] logits = new float[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                logits[r] = Arrays.copyOfRange(values, r * vocab, (r + 1) * vocab);
            }
            return logits;
        }
    }

    /**
     * Switches the key-value cache of the {@code djl} format off (on by default), for tests and the benchmark that set
     * the cached decode against the full recompute.
     */
    void kvCache(boolean on) {
        kvCache = on;
    }

    /**
     * A decode of choices that share one prompt, in {@code parent}: the {@code djl} format keeps each choice's keys
     * and values between tokens; a TorchScript model (opaque) re-runs every row in full.
     */
    Decoding decoding(NDManager parent) {
        if (kvCache && model.getBlock() instanceof CausalTransformer transformer) {
            return new CachedDecoding(transformer, parent);
        }
        return new Recomputing(parent);
    }

    /**
     * The next-token logits of the choices of one decode, one call per token. Each call passes the choices still
     * decoding (their indices, ascending) and their ids so far (prompt plus sampled tokens, all of one length, one
     * token longer than at the previous call); the first call passes the prompt for every choice. A choice left out
     * once has finished and never returns. Not thread-safe: one decode runs on one thread.
     */
    interface Decoding extends AutoCloseable {

        /** {@code float[rows][vocab]}: the logits of each row's next token. */
        float[][] next(int[] choices, long[][] rows);

        /** Frees what the decode holds (the cache). */
        @Override
        void close();
    }

    /** The full forward pass over every row at every token: O(length^2) per completion. */
    private final class Recomputing implements Decoding {
        private final NDManager parent;

        Recomputing(NDManager parent) {
            this.parent = parent;
        }

        @Override
        public float[][] next(int[] choices, long[][] rows) {
            return nextTokenLogits(parent, rows);
        }

        @Override
        public void close() {}
    }

    /**
     * The prompt runs once (batch 1) and its cache is copied to every choice; after that each call runs only the
     * newest token of each row against the cache. The cache lives in a manager of its own, replaced at every step, so
     * that a step's intermediate arrays and the previous cache are freed as soon as the step ends.
     */
    private static final class CachedDecoding implements Decoding {
        private final CausalTransformer block;
        private final NDManager parent;
        private CausalTransformer.@Nullable Cache cache;
        private @Nullable NDManager cacheManager;
        /** The choice index of each cache row. */
        private int[] cached = new int[0];

        CachedDecoding(CausalTransformer block, NDManager parent) {
            this.block = block;
            this.parent = parent;
        }

        @Override
        public float[][] next(int[] choices, long[][] rows) {
            try (NDManager step = parent.newSubManager()) {
                ParameterStore store = new ParameterStore(step, false);
                CausalTransformer.Step out;
                CausalTransformer.Cache grown;
                float[][] logits = new float[rows.length][];
                if (cache == null) {
                    long[] prompt = rows[0];
                    for (long[] row : rows) {
                        if (!Arrays.equals(row, prompt)) {
                            throw new IllegalArgumentException("the first step's rows are not one prompt");
                        }
                    }
                    out = block.forwardCached(store, step.create(prompt, new Shape(1, prompt.length)), null);
                    grown = out.cache().rows(new long[rows.length]);
                    float[] shared = lastLogits(out.logits());
                    for (int r = 0; r < rows.length; r++) {
                        logits[r] = r == 0 ? shared : shared.clone();
                    }
                } else {
                    CausalTransformer.Cache past =
                            Arrays.equals(choices, cached) ? cache : cache.rows(cacheRows(choices));
                    long[] last = new long[rows.length];
                    for (int r = 0; r < rows.length; r++) {
                        if (rows[r].length != past.length() + 1) {
                            throw new IllegalArgumentException("row " + choices[r] + " has " + rows[r].length
                                    + " ids; the cache holds " + past.length());
                        }
                        last[r] = rows[r][rows[r].length - 1];
                    }
                    out = block.forwardCached(store, step.create(last, new Shape(rows.length, 1)), past);
                    grown = out.cache();
                    float[] values = lastLogits(out.logits());
                    int vocab = values.length / rows.length;
                    for (int r = 0; r < rows.length; r++) {
                        logits[r] = Arrays.copyOfRange(values, r * vocab, (r + 1) * vocab);
                    }
                }
                NDManager kept = parent.newSubManager();
                grown.attach(kept);
                close();
                cacheManager = kept;
                cache = grown;
                cached = choices.clone();
                return logits;
            }
        }

        private static float[] lastLogits(NDArray logits) {
            return logits.toType(DataType.FLOAT32, false).toFloatArray();
        }

        /** The cache row of each choice (every choice passed was in the previous step's batch). */
        private long[] cacheRows(int[] choices) {
            long[] rows = new long[choices.length];
            for (int r = 0; r < choices.length; r++) {
                int at = Arrays.binarySearch(cached, choices[r]);
                if (at < 0) {
                    throw new IllegalArgumentException("choice " + choices[r] + " was not decoding");
                }
                rows[r] = at;
            }
            return rows;
        }

        @Override
        public void close() {
            if (cacheManager != null) {
                cacheManager.close();
                cacheManager = null;
                cache = null;
            }
        }
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
