package dev.deliberate.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Reads profile files: the ones shipped in the jar ({@code classpath:strategies/*.yaml}), then those of a directory,
 * which replace shipped profiles of the same name. Values keep their origin so that errors can name file and line.
 */
public final class YamlProfileLoader {

    /** Profile names become property keys and URLs: keep them to a safe alphabet. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private static final String PREFIX = "deliberate.profiles.";

    private YamlProfileLoader() {}

    public static List<ProfileSource> load(@Nullable Path directory) {
        Map<String, ProfileSource> byName = new LinkedHashMap<>();
        try {
            var resolver = new PathMatchingResourcePatternResolver(YamlProfileLoader.class.getClassLoader());
            for (Resource resource : resolver.getResources("classpath*:strategies/*.yaml")) {
                add(byName, resource, "classpath:strategies/" + resource.getFilename());
            }
            if (directory != null && Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.list(directory)) {
                    for (Path file : files.filter(p -> p.toString().endsWith(".yaml"))
                            .sorted()
                            .toList()) {
                        add(byName, new FileSystemResource(file), file.toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read profiles", e);
        }
        return List.copyOf(byName.values());
    }

    private static void add(Map<String, ProfileSource> byName, Resource resource, String location) throws IOException {
        String file = resource.getFilename();
        String name = file == null ? "" : file.substring(0, file.length() - ".yaml".length());
        if (!NAME.matcher(name).matches()) {
            throw new ProfileException(location + ": a profile name must match " + NAME.pattern());
        }
        List<PropertySource<?>> documents = new YamlPropertySourceLoader().load(location, resource);
        Map<String, Object> prefixed = new LinkedHashMap<>();
        for (PropertySource<?> document : documents) {
            if (document instanceof EnumerablePropertySource<?> enumerable) {
                for (String key : enumerable.getPropertyNames()) {
                    // Keep the origin-tracked value so that binding errors can name file and line.
                    Object value = document.getSource() instanceof Map<?, ?> source ? source.get(key) : null;
                    prefixed.put(PREFIX + name + "." + key, value != null ? value : enumerable.getProperty(key));
                }
            }
        }
        byName.put(
                name, new ProfileSource(name, location, new OriginTrackedMapPropertySource(location, prefixed, true)));
    }
}
