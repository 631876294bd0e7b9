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

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
