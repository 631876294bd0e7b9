package dev.deliberate.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code eval} command's arguments. Its own options take a value, as {@code --name value} or
 * {@code --name=value}; every other {@code --key=value} is a Spring property for the application context
 * ({@code --deliberate.endpoints.local.base-url=...}).
 *
 * @param format {@code null} to tell it from the dataset's first line
 * @param limit {@code null} for the whole dataset
 * @param springArgs the arguments left for Spring
 */
public record EvalOptions(
        Path dataset,
        List<ProfileVariant> profiles,
        @Nullable Integer limit,
        Path out,
        @Nullable DatasetFormat format,
        int concurrency,
        long seed,
        List<String> springArgs) {

    public static final String USAGE = "usage: java -jar deliberate.jar eval --dataset <file.jsonl>"
            + " --profiles direct,self-consistency[@n=8],... [--limit N] [--out target/eval]"
            + " [--format gsm8k|humaneval] [--concurrency K] [--seed S] [--deliberate.<property>=<value> ...]";

    private static final Set<String> OWN =
            Set.of("dataset", "profiles", "limit", "out", "format", "concurrency", "seed");

    public EvalOptions {
        profiles = List.copyOf(profiles);
        springArgs = List.copyOf(springArgs);
    }

    /**
     * Reads the arguments that follow {@code eval}.
     *
     * @throws IllegalArgumentException naming the option at fault
     */
    public static EvalOptions parse(List<String> args) {
        Path dataset = null;
        List<ProfileVariant> profiles = null;
        Integer limit = null;
        Path out = Path.of("target", "eval");
        DatasetFormat format = null;
        int concurrency = 1;
        long seed = 1;
        List<String> spring = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
            if (!OWN.contains(name)) {
                if (equals < 0) {
                    throw new IllegalArgumentException(
                            "unknown option '" + arg + "' (Spring properties are written" + " --key=value)");
                }
                spring.add(arg);
                continue;
            }
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("--" + name + ": missing value");
            }
            switch (name) {
                case "dataset" -> dataset = Path.of(value);
                case "profiles" -> profiles = ProfileVariant.parseList(value);
                case "limit" -> limit = positive(name, value);
                case "out" -> out = Path.of(value);
                case "format" ->
                    format = DatasetFormat.fromWireName(value)
                            .orElseThrow(() -> new IllegalArgumentException(
                                    "--format: '" + value + "' is neither gsm8k nor humaneval"));
                case "concurrency" -> concurrency = positive(name, value);
                case "seed" -> seed = number(name, value);
                default -> throw new IllegalStateException(name);
            }
        }
        if (dataset == null) {
            throw new IllegalArgumentException("--dataset: missing");
        }
        if (profiles == null) {
            throw new IllegalArgumentException("--profiles: missing");
        }
        return new EvalOptions(dataset, profiles, limit, out, format, concurrency, seed, spring);
    }

    private static int positive(String name, String value) {
        long number = number(name, value);
        if (number < 1 || number > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--" + name + ": must be a positive integer, was '" + value + "'");
        }
        return (int) number;
    }

    private static long number(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not an integer: '" + value + "'");
        }
    }
}
