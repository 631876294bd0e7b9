package dev.deliberate.model.embedded;

import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.djl.DjlEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The committed checkpoint in {@code models/embedded/} on the classpath (docs/embedded-model.md), served as the
 * endpoint {@value #NAME} of kind {@code djl}. DJL loads weights from a directory, so the files are first copied out
 * of the jar into a temporary directory that is deleted when the JVM exits.
 */
public final class EmbeddedModel {

    public static final String NAME = "embedded";
    /** The model name the endpoint reports. */
    public static final String MODEL = "deliberate-arithmetic";

    static final String RESOURCE = "models/embedded/";
    static final List<String> FILES = List.of("config.json", "tokenizer.json", "model-0000.params");

    private EmbeddedModel() {}

    /**
     * Loads the endpoint {@value #NAME} (blocking: at startup, never on an event loop).
     *
     * @throws IllegalStateException when the checkpoint is missing from the classpath or does not load
     */
    public static DjlEndpoint load() {
        Path dir = extract();
        return DjlEndpoint.load(NAME, settings(dir));
    }

    /** Settings of kind {@code djl} for the checkpoint in {@code dir}, reporting the model as {@value #MODEL}. */
    public static EndpointSettings settings(Path dir) {
        return new EndpointSettings(EndpointSettings.DJL, null, MODEL, null, null, null, null, null, null, null, dir);
    }

    /** A fresh directory holding the checkpoint's files, deleted when the JVM exits. */
    public static Path extract() {
        try {
            Path dir = Files.createTempDirectory("deliberate-embedded-model");
            dir.toFile().deleteOnExit();
            ClassLoader loader = EmbeddedModel.class.getClassLoader();
            for (String file : FILES) {
                try (InputStream in = loader.getResourceAsStream(RESOURCE + file)) {
                    if (in == null) {
                        throw new IllegalStateException("the embedded model lacks classpath:" + RESOURCE + file
                                + "; set deliberate.embedded.enabled=false to run without it");
                    }
                    Path target = dir.resolve(file);
                    Files.copy(in, target);
                    // Registered after the directory, so deleted before it.
                    target.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the embedded model to a temporary directory", e);
        }
    }
}
