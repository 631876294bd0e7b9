package dev.deliberate.eval;

import dev.deliberate.profile.ProfileSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * A profile to evaluate, as written on the command line: a profile name, optionally with settings of its own after
 * {@code @}, e.g. {@code self-consistency@n=8} or {@code rpc@n=4@temperature=0.7}. A setting is a parameter of the
 * profile's strategy, or a budget field written {@code budget.<field>}. Setting {@code n} alone also raises the
 * profile's {@code budget.max-model-calls} to {@code n} when it was lower, so that a larger sample count is not cut
 * short by the budget written for the default one.
 *
 * @param label as written, which names the row in the table and the point in the plot
 * @param profile the profile it derives from
 * @param settings keys relative to the profile ({@code n}, {@code budget.max-model-calls}), in the order written
 */
public record ProfileVariant(String label, String profile, Map<String, String> settings) {

    private static final String PREFIX = "deliberate.profiles.";
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9.-]*");

    public ProfileVariant {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(profile, "profile");
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Reads one entry of {@code --profiles}.
     *
     * @throws IllegalArgumentException for an empty name or a setting that is not {@code key=value}
     */
    public static ProfileVariant parse(String text) {
        String label = text.trim();
        String[] parts = label.split("@", -1);
        String profile = parts[0].trim();
        if (profile.isEmpty()) {
            throw new IllegalArgumentException("--profiles: '" + text + "' names no profile");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            String key = equals < 0 ? "" : parts[i].substring(0, equals).trim().toLowerCase(Locale.ROOT);
            if (equals < 0
                    || !KEY.matcher(key).matches()
                    || parts[i].substring(equals + 1).isBlank()) {
                throw new IllegalArgumentException(
                        "--profiles: '" + text + "': '" + parts[i] + "' is not key=value (e.g. self-consistency@n=8)");
            }
            settings.put(key, parts[i].substring(equals + 1).trim());
        }
        return new ProfileVariant(label, profile, settings);
    }

    /** Whether this is the profile as configured, with no settings of its own. */
    public boolean plain() {
        return settings.isEmpty();
    }

    /**
     * The name the variant is registered under: the profile's own when plain, else one derived from the label that
     * property names accept ({@code self-consistency@n=8} becomes {@code self-consistency-at-n-8}).
     */
    public String registryName() {
        if (plain()) {
            return profile;
        }
        StringBuilder name = new StringBuilder(profile);
        settings.forEach(
                (key, value) -> name.append("-at-").append(key).append('-').append(value));
        return name.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    }

    /**
     * This variant as a profile source: every property of {@code base} (the source of {@link #profile()}) moved under
     * {@link #registryName()}, with the variant's settings on top.
     */
    public ProfileSource source(ProfileSource base) {
        String from = PREFIX + base.name() + ".";
        String to = PREFIX + registryName() + ".";
        Map<String, Object> properties = new LinkedHashMap<>();
        PropertySource<?> original = base.properties();
        if (original instanceof EnumerablePropertySource<?> enumerable) {
            for (String key : enumerable.getPropertyNames()) {
                Object value = original.getSource() instanceof Map<?, ?> map ? map.get(key) : null;
                properties.put(
                        key.startsWith(from) ? to + key.substring(from.length()) : key,
                        value != null ? value : enumerable.getProperty(key));
            }
        }
        settings.forEach(
                (key, value) -> properties.put(to + (key.startsWith("budget.") ? key : "params." + key), value));
        String n = settings.get("n");
        if (n != null && !settings.containsKey("budget.max-model-calls")) {
            Object written = properties.get(to + "budget.max-model-calls");
            if (written != null
                    && n.matches("\\d{1,9}")
                    && Integer.parseInt(written.toString()) < Integer.parseInt(n)) {
                properties.put(to + "budget.max-model-calls", n);
            }
        }
        String location = base.location() + " with "
                + String.join(
                        ", ",
                        settings.entrySet().stream()
                                .map(entry -> entry.getKey() + "=" + entry.getValue())
                                .toList());
        return new ProfileSource(
                registryName(), location, new OriginTrackedMapPropertySource(location, properties, true));
    }

    /** Reads a comma-separated {@code --profiles} value. */
    public static List<ProfileVariant> parseList(String text) {
        List<ProfileVariant> variants = java.util.Arrays.stream(text.split(","))
                .filter(part -> !part.isBlank())
                .map(ProfileVariant::parse)
                .toList();
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("--profiles: names no profile");
        }
        return variants;
    }
}
