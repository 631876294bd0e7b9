package dev.deliberate.prompt;

import dev.langchain4j.model.input.PromptTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The prompt templates by key ({@code <strategy>/<name>}), read at startup: first the ones shipped in the jar, then
 * those of an optional directory, whose files replace shipped ones of the same key. Templates use {@code {{name}}}
 * placeholders and are rendered with LangChain4j's {@link PromptTemplate}, which substitutes values in one pass:
 * a value containing {@code {{x}}} stays literal text.
 */
public final class PromptLibrary {

    private final Map<String, PromptTemplate> templates;
    private final Set<String> keys;

    /** @param texts template text by key; a blank text is a valid template that renders to nothing */
    public PromptLibrary(Map<String, String> texts) {
        var parsed = new TreeMap<String, PromptTemplate>();
        texts.forEach((key, text) -> {
            if (!text.isBlank()) {
                parsed.put(key, PromptTemplate.from(text));
            }
        });
        this.templates = Map.copyOf(parsed);
        this.keys = Set.copyOf(new TreeMap<>(texts).keySet());
    }

    /** Loads {@code classpath:prompts/**}{@code /*.md}, then {@code directory} (if it exists) over it. */
    public static PromptLibrary load(@Nullable Path directory) {
        var texts = new TreeMap<String, String>();
        try {
            var resolver = new PathMatchingResourcePatternResolver(PromptLibrary.class.getClassLoader());
            for (Resource resource : resolver.getResources("classpath*:prompts/*/*.md")) {
                String url = resource.getURL().toString();
                int at = url.lastIndexOf("prompts/");
                try (InputStream in = resource.getInputStream()) {
                    texts.put(
                            keyOf(url.substring(at + "prompts/".length())),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            if (directory != null && Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.walk(directory, 2)) {
                    for (Path file :
                            (Iterable<Path>) files.filter(p -> p.toString().endsWith(".md"))::iterator) {
                        String relative = directory.relativize(file).toString().replace('\\', '/');
                        if (relative.indexOf('/') > 0) {
                            texts.put(keyOf(relative), Files.readString(file));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompt templates", e);
        }
        return new PromptLibrary(texts);
    }

    private static String keyOf(String relativePath) {
        return relativePath.substring(0, relativePath.length() - ".md".length());
    }

    public Set<String> keys() {
        return keys;
    }

    /** Fails at startup rather than mid-request when a strategy's template is missing. */
    public void require(String key) {
        if (!keys.contains(key)) {
            throw new IllegalStateException("missing prompt template prompts/" + key + ".md");
        }
    }

    /**
     * Renders the template {@code key} with {@code variables}.
     *
     * @throws IllegalArgumentException for an unknown key or a variable without a value
     */
    public String render(String key, Map<String, ?> variables) {
        if (!keys.contains(key)) {
            throw new IllegalArgumentException("no prompt template " + key);
        }
        PromptTemplate template = templates.get(key);
        if (template == null) {
            return "";
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) variables;
        return template.apply(values).text().strip();
    }
}
