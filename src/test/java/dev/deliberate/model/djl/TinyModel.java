package dev.deliberate.model.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;

/**
 * A model directory in the project format with random weights: a 20-token WordLevel vocabulary (so that 20 top
 * logprobs cover all of it), context 64, width 16, 2 blocks of 2 heads. Made once per JVM.
 */
public final class TinyModel {

    public static final List<String> WORDS = List.of(
            "<unk>",
            "<eos>",
            "User:",
            "Assistant:",
            "System:",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "plus",
            "minus",
            "times",
            "is",
            "the",
            "answer");
    public static final int CONTEXT = 64;

    private static Path directory;

    private TinyModel() {}

    /** The shared directory (never written to after creation). */
    public static synchronized Path directory() {
        if (directory == null) {
            try {
                Path dir = Files.createTempDirectory("djl-tiny-model");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                directory = create(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directory;
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    static Path create(Path dir) throws IOException {
        ModelConfig config = ModelConfig.transformer(WORDS.size(), CONTEXT, 16, 2, 2)
                .withChat(ChatTemplate.DEFAULT, List.of(), null);
        writeRandom(config, 42, dir);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        return dir;
    }

    /** Writes {@code config} and freshly initialized weights (seeded) into {@code dir}, without a tokenizer. */
    static void writeRandom(ModelConfig config, int seed, Path dir) throws IOException {
        Engine.getEngine(LanguageModel.ENGINE).setRandomSeed(seed);
        try (Model model = Model.newInstance(LanguageModel.PREFIX, Device.cpu(), LanguageModel.ENGINE)) {
            CausalTransformer block = CausalTransformer.of(config);
            model.setBlock(block);
            block.initialize(model.getNDManager());
            model.save(dir, LanguageModel.PREFIX);
        }
        config.write(dir);
    }

    /** A WordLevel tokenizer splitting on whitespace; decoding joins the words with spaces. */
    static String tokenizerJson() {
        StringJoiner vocab = new StringJoiner(", ", "{", "}");
        List<String> added = new ArrayList<>();
        for (int id = 0; id < WORDS.size(); id++) {
            vocab.add("\"" + WORDS.get(id) + "\": " + id);
            if (WORDS.get(id).startsWith("<")) {
                added.add("{\"id\": " + id + ", \"content\": \"" + WORDS.get(id)
                        + "\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false,"
                        + " \"normalized\": false, \"special\": true}");
            }
        }
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [%s],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "WhitespaceSplit"},
                  "post_processor": null,
                  "decoder": null,
                  "model": {"type": "WordLevel", "vocab": %s, "unk_token": "<unk>"}
                }
                """.formatted(String.join(", ", added), vocab);
    }
}
